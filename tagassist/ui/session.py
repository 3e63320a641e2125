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
