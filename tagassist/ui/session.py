"""What the window's controllers share: one library, the photographer using it, the settings."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Profile
from ..services.library import Store
from ..settings import Settings


@dataclass
class Session:
    store: Store  # the UI thread's connection; jobs open their own
    profile: Profile
    settings: Settings

    @property
    def db_path(self) -> str:
        return str(self.store.path)


class OnSession:
    """For a controller holding ``self.session``: the library and the photographer it works on,
    read from the session each time (both change when she opens another or switches)."""

    session: Session

    @property
    def store(self) -> Store:
        return self.session.store

    @property
    def profile(self) -> Profile:
        return self.session.profile
