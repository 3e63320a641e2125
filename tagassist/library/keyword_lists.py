"""Keyword lists as other programs keep them: Lightroom Classic's text file, digiKam's tag paths.

Lightroom Classic's Metadata > Export Keywords writes one keyword a line, each level of the
hierarchy one tab deeper than its parent; a keyword's synonyms follow it one tab deeper in
braces (``{Roma}``), and a keyword whose "Include on Export" is off (a category, only there to
hold others) is in brackets (``[Places]``). Import Keywords reads the same file. The same name
may stand under different parents (``Paris`` under France and under Texas): a keyword is its
path. digiKam keeps its tags as paths with ``/`` (``digiKam:TagsList``: ``People/Alice``).

``parse_lightroom`` and ``format_lightroom`` are each other's inverse on any file Lightroom
writes (tabs, LF or CRLF, a UTF-8 byte-order mark or none), so a list round-trips exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

SEPARATOR = "|"  # tagassist's (and Lightroom's lr:hierarchicalSubject) level separator


@dataclass
class Keyword:
    """One keyword of a list: its name at its level, its synonyms, whether it is a category
    (not exported, as Lightroom's brackets say), and the keywords under it, in file order."""

    name: str
    synonyms: list[str] = field(default_factory=list)
    category: bool = False
    children: list[Keyword] = field(default_factory=list)


class KeywordListError(ValueError):
    """A line that no keyword list holds: said with its number."""


def _bracketed(text: str, left: str, right: str) -> str | None:
    return text[1:-1] if len(text) >= 2 and text[0] == left and text[-1] == right else None


def parse_lightroom(text: str) -> list[Keyword]:
    """The keywords of a Lightroom keyword list, as a forest in file order."""
    if text.startswith("\ufeff"):
        text = text[1:]
    roots: list[Keyword] = []
    stack: list[Keyword] = []  # the path to the keyword read last
    for number, line in enumerate(text.split("\n"), 1):  # not splitlines: a name may hold U+2028
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        body = line.lstrip("\t")
        depth = len(line) - len(body)
        if body != body.strip():
            raise KeywordListError(f"line {number}: spaces around a keyword ({line!r}); levels are tabs")
        synonym = _bracketed(body, "{", "}")
        if synonym is not None:
            if depth != len(stack) or not stack:
                raise KeywordListError(f"line {number}: synonym {{{synonym}}} is not one level under a keyword")
            stack[-1].synonyms.append(synonym)
            continue
        if depth > len(stack):
            raise KeywordListError(f"line {number}: {body!r} is {depth - len(stack) + 1} levels under the one"
                                   " before (one at most)")
        category = _bracketed(body, "[", "]")
        keyword = Keyword(category if category is not None else body, category=category is not None)
        if not keyword.name or SEPARATOR in keyword.name:
            raise KeywordListError(f"line {number}: {body!r} is no keyword name")
        del stack[depth:]
        (stack[-1].children if stack else roots).append(keyword)
        stack.append(keyword)
    return roots


def format_lightroom(roots: Iterable[Keyword], newline: str = "\n") -> str:
    """A Lightroom keyword list (what Import Keywords reads)."""
    lines: list[str] = []

    def write(keyword: Keyword, depth: int) -> None:
        lines.append("\t" * depth + (f"[{keyword.name}]" if keyword.category else keyword.name))
        lines.extend("\t" * (depth + 1) + f"{{{synonym}}}" for synonym in keyword.synonyms)
        for child in keyword.children:
            write(child, depth + 1)

    for root in roots:
        write(root, 0)
    return "".join(line + newline for line in lines)


def walk(roots: Iterable[Keyword], parents: tuple[str, ...] = ()) -> Iterator[tuple[str, Keyword]]:
    """Every keyword with its path (``Places|Italy|Rome``), parents first."""
    for keyword in roots:
        path = (*parents, keyword.name)
        yield SEPARATOR.join(path), keyword
        yield from walk(keyword.children, path)


def from_paths(paths: Iterable[str], synonyms: dict[str, list[str]] | None = None,
               categories: Iterable[str] = ()) -> list[Keyword]:
    """A forest from keyword paths (a vocabulary, digiKam's tags after ``digikam_paths``): each
    level once under its parent, in the order first met; ``synonyms`` and ``categories`` by path."""
    synonyms, categories = synonyms or {}, set(categories)
    roots: list[Keyword] = []
    index: dict[str, Keyword] = {}
    for path in paths:
        levels = [level for level in path.split(SEPARATOR) if level]
        for depth in range(len(levels)):
            key = SEPARATOR.join(levels[:depth + 1])
            if key in index:
                continue
            keyword = Keyword(levels[depth], list(synonyms.get(key, ())), key in categories)
            (index[SEPARATOR.join(levels[:depth])].children if depth else roots).append(keyword)
            index[key] = keyword
    return roots


def digikam_paths(tags: Iterable[str]) -> list[str]:
    """digiKam's ``TagsList`` entries (``People/Alice``) as tagassist's paths (``People|Alice``)."""
    return [SEPARATOR.join(level for level in tag.split("/") if level) for tag in tags if tag.strip("/")]


DIGIKAM_INTERNAL = "_Digikam_Internal_Tags_"  # digiKam's own bookkeeping tags (face regions, colour labels)


def parse_digikam(text: str) -> list[Keyword]:
    """digiKam's tag tree as a text file of ``digiKam:TagsList`` paths, one a line (``People/Alice``;
    a parent may be listed alone or only implied by its children), as a forest in file order.
    digiKam's internal tags are left out. digiKam has no synonyms or categories."""
    if text.startswith("\ufeff"):
        text = text[1:]
    paths = []
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        if "\t" in line:
            raise KeywordListError(f"line {number}: a tab in {line!r}; a digiKam tag list is one path a line")
        levels = line.strip("/").split("/")
        if any(level != level.strip() or not level for level in levels):
            raise KeywordListError(f"line {number}: {line!r} has an empty level or spaces around one")
        if any(SEPARATOR in level for level in levels):
            raise KeywordListError(f"line {number}: {line!r} has '{SEPARATOR}', tagassist's level separator")
        if levels[0] == DIGIKAM_INTERNAL:
            continue
        paths.append(SEPARATOR.join(levels))
    return from_paths(paths)


def format_digikam(roots: Iterable[Keyword], newline: str = "\n") -> tuple[str, list[str]]:
    """The keywords as digiKam's tag paths, one a line, every level listed (so a parent without
    children of its own comes back too); and the paths left out because a name holds ``/``,
    which a digiKam path cannot."""
    lines, left_out = [], []
    for path, _ in walk(roots):
        levels = path.split(SEPARATOR)
        if any("/" in level for level in levels):
            left_out.append(path)
        else:
            lines.append("/".join(levels))
    return "".join(line + newline for line in lines), left_out


def detect_format(text: str) -> str:
    """``lightroom`` or ``digikam``, from a list's content: Lightroom's levels are tabs and its
    synonyms and categories are braced and bracketed; digiKam's levels are ``/``. A flat list
    (neither) reads the same either way and is taken as Lightroom's."""
    lines = [line.removesuffix("\r") for line in text.removeprefix("\ufeff").split("\n") if line.strip()]
    if any(line.startswith("\t") or _bracketed(line, "{", "}") is not None or _bracketed(line, "[", "]") is not None
           for line in lines):
        return "lightroom"
    return "digikam" if any("/" in line for line in lines) else "lightroom"
