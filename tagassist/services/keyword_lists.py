"""A profile's keywords out to the keyword list another program keeps (``tagassist keywords
export FILE --format lightroom``): Lightroom Classic's Metadata > Import Keywords reads the file,
each keyword at its level of the hierarchy with her aliases as its synonyms."""

from __future__ import annotations

import os
from pathlib import Path

from ..library.keyword_lists import format_lightroom, from_paths, walk
from ..store import Profile, Store
from .keywords import keyword_rows

FORMATS = ("lightroom",)


def export_list(store: Store, profile: Profile, path: str | os.PathLike, fmt: str = "lightroom") -> dict:
    """Write the profile's keywords (every level of each hierarchy once, her aliases as
    synonyms) to ``path``, whole or not at all; what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown keyword list format {fmt!r} (known: {', '.join(FORMATS)})")
    rows = keyword_rows(store, profile)
    roots = from_paths([row.keyword for row in rows], synonyms={row.keyword: sorted(row.aliases) for row in rows})
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(format_lightroom(roots), encoding="utf-8", newline="")
    os.replace(partial, target)
    keywords = list(walk(roots))
    return {"file": str(target), "format": fmt, "keywords": len(keywords),
            "synonyms": sum(len(k.synonyms) for _, k in keywords)}
