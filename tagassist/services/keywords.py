"""The keyword manager: a profile's keywords with their counts and aliases, and the edits
(rename, move, merge, delete, alias) with their undo. The CLI's ``tagassist keywords`` and
the app's Keyword manager both call these, and a typed name that cannot be a keyword is refused
here (ValueError); the store does the journalled work."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store import Profile, Store, check_tag

EDITS = ("rename", "merge", "delete", "alias", "undo")  # the functions below that change keywords


@dataclass(frozen=True)
class KeywordRow:
    keyword: str
    photos: int  # photos with the keyword itself
    under: int  # photos with it or any keyword under it (a parent's count in the tree)
    aliases: list[str] = field(default_factory=list)
    listed: bool = False  # from an imported keyword list (it may have no photos yet)
    category: bool = False  # a listed category: it only holds the keywords under it

    def as_json(self) -> dict:
        return {"keyword": self.keyword, "photos": self.photos, "under": self.under, "aliases": self.aliases,
                "listed": self.listed, "category": self.category}


def keyword_rows(store: Store, profile: Profile, *, levels: bool = False) -> list[KeywordRow]:
    """Every keyword the profile uses or imported (a keyword list's, with no photos yet), in
    hierarchy order, with its counts and aliases; with ``levels`` (the app's manager) every level
    above one too."""
    direct = dict(store.history.vocabulary(profile))
    under = store.history.keyword_counts(profile)
    aliases: dict[str, list[str]] = {}
    for alias, keyword in store.aliases.of(profile).items():
        aliases.setdefault(keyword, []).append(alias)
    listed = {entry.name: entry.category for entry in store.vocabulary.entries(profile)}
    # A level (Places|Italy) is listed so that it can be renamed or moved with what is under it;
    # its own count is 0 where no photo carries it alone.
    names = (set(direct) | set(under) if levels else set(direct)) | set(listed)
    return [KeywordRow(name, direct.get(name, 0), under.get(name, 0), aliases.get(name, []), name in listed,
                       listed.get(name, False))
            for name in sorted(names, key=str.lower)]


def completion_vocabulary(store: Store, profile: Profile, used: list[str] | None = None) -> list[str]:
    """The names typed-tag completion offers: her keywords (``used``, when the caller has read
    them), most used first, then those of her imported keyword lists that no photo carries yet
    (a category is not offered: it only holds others)."""
    used = [name for name, _ in store.history.vocabulary(profile)] if used is None else used
    known = set(used)
    return used + [name for name in store.vocabulary.names(profile, categories=False) if name not in known]


def rename(store: Store, profile: Profile, old: str, new: str) -> dict:
    """Rename or move a keyword (with every keyword under it); into an existing name it merges."""
    _check(old, new)
    return store.keywords.rename(profile, old, new)


def merge(store: Store, profile: Profile, sources: list[str], into: str) -> list[dict]:
    """Each of ``sources`` merged into ``into``, as one journalled edit (one undo)."""
    _check(*sources, into)
    return store.keywords.merge(profile, sources, into)


def delete(store: Store, profile: Profile, keyword: str) -> dict:
    """Take the keyword (and those under it) off her photos, and off her imported keyword lists."""
    _check(keyword)
    return store.keywords.delete(profile, keyword)


def alias(store: Store, profile: Profile, aliases: list[str], keyword: str) -> list[dict]:
    """Each alias becomes another name of ``keyword`` (photos tagged with it are merged now), as
    one journalled edit (one undo)."""
    _check(*aliases, keyword)
    return store.keywords.add_aliases(profile, aliases, keyword)


def undo(store: Store, profile: Profile, edit: int | None = None) -> dict:
    return store.keywords.undo_edit(profile, edit)


def history(store: Store, profile: Profile) -> list[dict]:
    return store.keywords.edits(profile)


def _check(*names: str) -> None:
    for name in names:
        check_tag(name)


def describe(result: dict) -> str:
    """One line of what an edit did, for the CLI and the app's status bar."""
    photos = f"{result.get('photos', 0)} photo{'s' * (result.get('photos', 0) != 1)}"
    action = result["action"]
    if action in ("rename", "merge"):
        moved = len(result.get("keywords", []))
        extra = f" (with {moved - 1} keyword{'s' * (moved != 2)} under it)" if moved > 1 else ""
        verb = "merged into" if action == "merge" else "renamed to"
        return f"{result['from']} {verb} {result['to']}{extra} on {photos}"
    if action == "delete":
        return f"{result['keyword']} deleted from {photos}"
    if action == "alias":
        return f"{result['alias']} is now another name of {result['keyword']} ({photos} merged)"
    if action == "undo":  # the edit undone, said backwards
        undid = result["undid"]
        if undid == "rename":
            back = f"{result['to']} renamed back to {result['from']}"
        elif undid == "merge":
            back = f"{', '.join(result['from'])} no longer merged into {result['to']}"
        elif undid == "delete":
            back = f"{result['keyword']} back on its photos"
        elif undid == "alias":
            back = f"{', '.join(result['aliases'])} no longer another name of {result['keyword']}"
        else:
            back = undid
        return f"undid edit {result['edit']}: {back}"
    return action
