"""Her keyword list in from, and out to, the program she keeps it in (``tagassist keywords import
FILE`` and ``keywords export FILE``; the app's keyword manager has both).

- Lightroom Classic: the tab-indented text file of Metadata > Export Keywords (Import Keywords
  reads it back), ``{synonyms}`` as aliases and ``[categories]`` as parents that are not
  keywords of photos.
- digiKam: its tag tree as ``digiKam:TagsList`` paths, one a line (``People/Alice``). digiKam
  has no keyword-list file of its own (its Tags Manager's "Sync & Export" writes tags into the
  images), so this is the list its paths make.

An import adds keywords to her vocabulary, for completion and suggestion, before any photo
carries them; it writes nothing to photos, and is one transaction (all of the list or none). An
export gives the imported lists back in their order, then the keywords of her photos.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..library.keyword_lists import (
    KeywordListError,
    detect_format,
    format_digikam,
    format_lightroom,
    from_paths,
    parse_digikam,
    parse_lightroom,
    walk,
)
from ..store import Profile, Store, check_tag
from ..store.vocabulary import ListedKeyword
from .keywords import keyword_rows

FORMATS = ("lightroom", "digikam")
NAMES = {"lightroom": "Lightroom Classic keyword list", "digikam": "digiKam tag paths"}

__all__ = ["FORMATS", "KeywordListError", "describe_import", "export_list", "import_list"]


def export_list(store: Store, profile: Profile, path: str | os.PathLike, fmt: str = "lightroom") -> dict:
    """Write the profile's keywords (every level of each hierarchy once; her aliases and the
    imported synonyms as synonyms, imported categories as categories) to ``path``, whole or not
    at all; what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown keyword list format {fmt!r} (known: {', '.join(FORMATS)})")
    roots = _forest(store, profile)
    left_out: list[str] = []
    if fmt == "lightroom":
        text = format_lightroom(roots)
    else:
        text, left_out = format_digikam(roots)
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text, encoding="utf-8", newline="")
    os.replace(partial, target)
    keywords = list(walk(roots))
    written = {"file": str(target), "format": fmt, "keywords": len(keywords) - len(left_out),
               "synonyms": sum(len(k.synonyms) for _, k in keywords) if fmt == "lightroom" else 0}
    if left_out:
        written["left_out"] = left_out
    return written


def _forest(store: Store, profile: Profile):
    entries = store.vocabulary.entries(profile)
    listed = {entry.name: entry for entry in entries}
    aliases: dict[str, list[str]] = {}
    for alias, keyword in store.aliases.of(profile).items():
        aliases.setdefault(keyword, []).append(alias)
    used = [row.keyword for row in keyword_rows(store, profile) if row.keyword not in listed]
    synonyms = {name: sorted(names) for name, names in aliases.items()}
    for entry in entries:  # the list's synonyms as it gave them, then her other aliases
        synonyms[entry.name] = [*entry.synonyms, *(a for a in synonyms.get(entry.name, ()) if a not in entry.synonyms)]
    return from_paths([entry.name for entry in entries] + used, synonyms=synonyms,
                      categories=[entry.name for entry in entries if entry.category])


def read_list(path: str | os.PathLike, fmt: str | None = None) -> tuple[str, list[ListedKeyword]]:
    """The format and the keywords (paths, parents first) of a keyword list file; KeywordListError,
    in one line, for a file that is none."""
    if fmt is not None and fmt not in FORMATS:
        raise KeywordListError(f"unknown keyword list format {fmt!r} (known: {', '.join(FORMATS)})")
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeywordListError(f"{path} is not a keyword list (not UTF-8 text)") from None
    if "\x00" in text:
        raise KeywordListError(f"{path} is not a keyword list (binary data)")
    fmt = fmt or detect_format(text)
    try:
        roots = parse_lightroom(text) if fmt == "lightroom" else parse_digikam(text)
    except KeywordListError as exc:
        read_as = "a " + NAMES[fmt] if fmt == "lightroom" else NAMES[fmt]
        raise KeywordListError(f"{path}: {exc} (read as {read_as})") from None
    keywords = []
    for name, keyword in walk(roots):
        try:
            check_tag(name)
        except ValueError as exc:
            raise KeywordListError(f"{path}: {exc}") from None
        keywords.append(ListedKeyword(name, keyword.category, tuple(keyword.synonyms)))
    if not keywords:
        raise KeywordListError(f"{path} holds no keywords")
    return fmt, keywords


def import_list(store: Store, profile: Profile, path: str | os.PathLike, fmt: str | None = None) -> dict:
    """Add a keyword list's keywords to the profile's vocabulary (``fmt``: lightroom or digikam;
    by the file's content when None), all of it or nothing; what was added and what was known."""
    fmt, keywords = read_list(path, fmt)
    result = store.vocabulary.import_list(profile, keywords, fmt)
    return {"file": str(path), "format": fmt, "keywords": len(keywords), "added": result.added,
            "known": result.known, "aliases": [list(pair) for pair in result.aliases],
            "skipped_aliases": [list(entry) for entry in result.skipped_aliases],
            "categories": sum(keyword.category for keyword in keywords)}


def describe_import(result: dict) -> str:
    """One line of what an import did, for the CLI and the app's status bar."""
    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    parts = [count(len(result["added"]), "new keyword", "new keywords"),
             f"{len(result['known'])} known already",
             count(len(result["aliases"]), "new alias", "new aliases")]
    if result["skipped_aliases"]:
        parts.append(count(len(result["skipped_aliases"]), "synonym", "synonyms") + " not made an alias")
    return (f"{count(result['keywords'], 'keyword', 'keywords')} read from {result['file']}"
            f" ({NAMES[result['format']]}): {', '.join(parts)}")
