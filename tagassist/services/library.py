"""One library as the CLI and the app open it, and its options (those of scope 'library' in
tagassist/options.py, kept in its database so that every program and user opening it works
alike). The frontends hold the open ``Store`` and hand it back to the services; they never
import the store package themselves."""

from __future__ import annotations

import os

from ..options import OPTIONS, in_scope
from ..store import Photo, Profile, Store, StoreError, UnknownProfile

__all__ = ["Store", "StoreError", "UnknownProfile", "library_options", "open_library", "photo_at",
           "set_library_option"]


def _key(name: str) -> str:
    """An option's key in the library's settings table, where it is not the option's name."""
    if name == "raw_jpeg":
        from .scanning import RAW_JPEG_SETTING  # scanning's imports (file formats) only for this

        return RAW_JPEG_SETTING
    return name


def open_library(path: str | os.PathLike[str]) -> Store:
    """The library at ``path`` (created if new); a context manager that closes it."""
    return Store(path)


def photo_at(store: Store, profile: Profile, path: str, *, scan_if_new: bool = True) -> Photo | None:
    """The library's photo at ``path``; a file not yet in the library is scanned first (unless
    ``scan_if_new`` is false). None: no photo there. A photo the library has costs one query:
    the scanner and the file formats are imported only for a new file."""
    photo = store.photos.by_path(path)
    if photo is None and scan_if_new:
        from .scanning import photo_at as scanned

        photo = scanned(store, profile, path)
    return photo


def library_options(store: Store) -> dict[str, object]:
    """Every library option's value in force: the library's, else the registry's default."""
    from .indexing import library_encoder

    return {o.name: library_encoder(store) if o.name == "encoder"
            else store.settings.get(_key(o.name), o.default) for o in in_scope("library")}


def set_library_option(store: Store, name: str, value: object) -> None:
    """Keep a library option; refuses a value the registry does not take (ValueError). The
    encoder changes by indexing with it (``services.indexing``), which then makes it the
    library's: its embeddings must exist before suggestions read them."""
    option = OPTIONS[name]
    if option.scope != "library" or name == "encoder":
        raise ValueError(f"{name} is not a library option kept as a setting")
    if not option.valid(value):
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(option.choices or ())}")
    store.settings.set(_key(name), value)
