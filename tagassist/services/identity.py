"""Who is tagging: one photographer per user, the same for the app and the CLI. The app's
first run asks her name and keeps it in the settings file, the Photographer box keeps her
choice there, and every command without --profile works as her."""

from __future__ import annotations

from ..settings import Settings


def photographer(given: str | None = None) -> str:
    """The photographer named (--profile, the Photographer box), else the one this user's
    settings remember, else 'default' (no settings yet)."""
    return (given or "").strip() or Settings.load().profile


def remember(settings: Settings, name: str) -> None:
    """Keep ``name`` as this user's photographer: the next start and the CLI work as her."""
    settings.profile = name
    settings.save()
