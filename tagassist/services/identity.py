"""Who is tagging: one photographer per user, the same for the app and the CLI. The app's
first run asks her name and keeps it in the settings file, the Photographer box keeps her
choice there, and every command without --profile works as her."""

from __future__ import annotations

from ..settings import Settings
from ..store import DEFAULT_PROFILE, Store


def photographer(given: str | None = None) -> str:
    """The photographer named (--profile, the Photographer box), else the one this user's
    settings remember, else 'default' (no settings yet)."""
    return (given or "").strip() or Settings.load().profile


def remember(settings: Settings, name: str) -> None:
    """Keep ``name`` as this user's photographer: the next start and the CLI work as her."""
    settings.profile = name
    settings.save()


def name_first_photographer(store: Store, name: str) -> None:
    """The app's first run names the photographer. Where the CLI has already worked in this
    library before (as 'default': no settings said who she was), that history is hers: the
    profile takes her name, so the app opens on the tags the CLI read."""
    default = store.profiles.get(DEFAULT_PROFILE)
    if name != DEFAULT_PROFILE and store.profiles.has_history(default):
        store.profiles.rename(DEFAULT_PROFILE, name)  # not where she already has a profile of her own
