"""A PHOTO argument: the library's photo at a path, for every command that takes one."""

from __future__ import annotations

from ..paths import display_path
from ..records import Photo, Profile
from ..services.library import Store, photo_at
from .output import UserError


def resolve_photo(store: Store, profile: Profile, path: str, *, scan_if_new: bool = True) -> Photo:
    """The library's photo at ``path``; a file not yet in the library is scanned first."""
    photo = photo_at(store, profile, path, scan_if_new=scan_if_new)
    if photo is None:
        raise UserError(f"not a photo in the library: {display_path(path)} (run 'tagassist scan' on its folder)")
    return photo
