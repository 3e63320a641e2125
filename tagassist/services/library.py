"""One library as the CLI and the app open it, and its options (those of scope 'library' in
tagassist/options.py, kept in its database so that every program and user opening it works
alike). The frontends hold the open ``Store`` and hand it back to the services; they never
import the store package themselves."""

from __future__ import annotations

import os

from ..options import OPTIONS, in_scope
from ..store import Store, StoreError, UnknownProfile
from .scanning import RAW_JPEG_SETTING

__all__ = ["Store", "StoreError", "UnknownProfile", "library_options", "open_library", "set_library_option"]

# An option's key in the library's settings table, where it is not the option's name.
_KEYS = {"raw_jpeg": RAW_JPEG_SETTING}


def open_library(path: str | os.PathLike[str]) -> Store:
    """The library at ``path`` (created if new); a context manager that closes it."""
    return Store(path)


def library_options(store: Store) -> dict[str, object]:
    """Every library option's value in force: the library's, else the registry's default."""
    from .indexing import library_encoder

    return {o.name: library_encoder(store) if o.name == "encoder"
            else store.settings.get(_KEYS.get(o.name, o.name), o.default) for o in in_scope("library")}


def set_library_option(store: Store, name: str, value: object) -> None:
    """Keep a library option; refuses a value the registry does not take (ValueError). The
    encoder changes by indexing with it (``services.indexing``), which then makes it the
    library's: its embeddings must exist before suggestions read them."""
    option = OPTIONS[name]
    if option.scope != "library" or name == "encoder":
        raise ValueError(f"{name} is not a library option kept as a setting")
    if not option.valid(value):
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(option.choices or ())}")
    store.settings.set(_KEYS.get(name, name), value)
