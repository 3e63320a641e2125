"""Three-way keyword sync between tagassist's history and the photo's files.

Three sides meet for every photo:

- the **base**: the keywords its files held when tagassist last read or wrote them;
- the **files now** (sidecars, embedded XMP and IPTC, as another tool may have left them);
- every profile's **history**: its assignments, and the removals it made in tagassist.

Only differences against the base count as changes. A keyword another tool added arrives as
imported; one it removed leaves the history (remembered as removed by a file, so it can be
seen); an export writes the files' keywords plus this profile's changes, so it never removes
a keyword that nobody removed in tagassist, and never one another profile still holds. When
both sides changed the same keyword, the newer change wins and is reported as a conflict.

Which change is newer: a change in tagassist has its own time; another tool's change is seen
only as the difference between the base and the files now, and is dated by the files' last
modification. Two edits in another tool between two reads (a keyword removed, then a rating
changed) are one change at the time of the second; a tag given in tagassist between them is
the older change. No sync that reads files can tell these orders apart.

This module is pure: it decides, the store applies. A dry run therefore computes exactly what
the real run would do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ..records import Removal, SyncState


def files_now(state: SyncState, by_file: dict[str, Iterable[str]]) -> frozenset[str]:
    """The photo's keywords in its files now, as the base changed file by file.

    A keyword removed from any one file is removed, even while another file of the photo
    still holds it (that file is stale, and the next export brings it in step); one added to
    any file is added. A file seen for the first time (a sidecar another tool just wrote from
    the photo's keywords, a photo renamed without its sidecar) adds only keywords the photo
    did not hold: its copies of the others are no news, so they neither bring back a keyword
    removed elsewhere nor, by being absent, remove one.
    """
    current = {name: set(keywords) for name, keywords in by_file.items()}
    if state.file_bases is None:
        return frozenset().union(*current.values())
    added, removed = set(), set()
    for name, keywords in current.items():
        before = state.file_bases.get(name, keywords & state.base)
        added |= keywords - before
        removed |= before - keywords
    return frozenset((state.base - (removed - added)) | added)


@dataclass(frozen=True)
class Conflict:
    """Both sides changed one keyword; ``winner`` says whose change was kept."""

    profile_id: int
    tag: str
    winner: str  # "tagassist" or "file"
    reason: str


@dataclass(frozen=True)
class SyncPlan:
    """The changes that a file's current keywords make to the history of one photo."""

    base: frozenset[str]  # the new base: what the files hold now
    imports: tuple[tuple[int, str], ...] = ()  # (profile, tag) that arrive as imported
    dropped: tuple[tuple[int, str], ...] = ()  # (profile, tag) removed in another tool
    superseded: tuple[tuple[int, str], ...] = ()  # pending removals another tool undid since
    conflicts: tuple[Conflict, ...] = ()


def _later(a: str, b: str) -> bool:
    """Whether ISO time ``a`` is after ``b`` (times with and without offsets compare)."""
    return _instant(a) > _instant(b)


def _instant(value: str) -> float:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # tagassist writes UTC; a bare time is taken as UTC too
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def reconcile(state: SyncState, files_now: Iterable[str], files_changed_at: str, importing: int | None) -> SyncPlan:
    """What the files' keywords ``files_now`` (last modified at ``files_changed_at``) change.

    ``importing`` is the profile that takes the files' keywords into its history (the one
    that scans), or None (``scan --no-import``).
    """
    now = frozenset(files_now)
    imports, dropped, superseded, conflicts = [], [], [], []

    for tag in sorted(state.base - now):  # removed in another tool
        for pid, tags in state.assigned.items():
            if tag not in tags:
                continue
            if tags[tag] is not None and _later(tags[tag], files_changed_at):
                conflicts.append(Conflict(pid, tag, "tagassist",
                                          "removed in another tool, but tagged in tagassist since; the next export"
                                          " writes it back"))
            else:
                dropped.append((pid, tag))

    for tag in sorted(now - state.base):  # added in another tool
        for pid, removals in state.removed.items():
            removal = removals.get(tag)
            if removal is None or not removal.pending:
                continue
            if _later(removal.at, files_changed_at):
                conflicts.append(Conflict(pid, tag, "tagassist",
                                          "added in another tool, but removed in tagassist since; the next export"
                                          " removes it again"))
            elif pid != importing:
                superseded.append((pid, tag))

    if importing is not None:
        theirs = state.own_elsewhere(importing)
        assigned = state.assigned.get(importing, {})
        removed = state.removed.get(importing, {})
        rejected = state.rejected.get(importing, {})
        for tag in sorted(now):
            if tag in assigned or tag in theirs:
                continue
            new_in_file = tag not in state.base
            objections = [t for t in (rejected.get(tag), getattr(removed.get(tag), "at", None)) if t]
            if not objections:
                imports.append((importing, tag))
            elif new_in_file and not any(_later(t, files_changed_at) for t in objections):
                imports.append((importing, tag))  # the other tool's addition is the newer change
            # else: the photographer removed or rejected it in tagassist (for a keyword the file
            # kept unchanged, at any time): it stays out of the history

    return SyncPlan(now, tuple(imports), tuple(dropped), tuple(superseded), tuple(conflicts))


def apply(state: SyncState, plan: SyncPlan, now: str) -> SyncState:
    """The state after ``plan``, in memory (what the store does in its transaction)."""
    assigned = {pid: dict(tags) for pid, tags in state.assigned.items()}
    removed = {pid: dict(tags) for pid, tags in state.removed.items()}
    rejected = {pid: dict(tags) for pid, tags in state.rejected.items()}
    for pid, tag in plan.imports:
        assigned.setdefault(pid, {})[tag] = None
        removed.get(pid, {}).pop(tag, None)
        rejected.get(pid, {}).pop(tag, None)
    for pid, tag in plan.dropped:
        assigned.get(pid, {}).pop(tag, None)
        removed.setdefault(pid, {})[tag] = Removal(now, pending=False)
    for pid, tag in plan.superseded:
        removed[pid][tag] = replace(removed[pid][tag], pending=False)
    return SyncState(plan.base, assigned, removed, rejected, state.file_bases)


@dataclass(frozen=True)
class ExportKeywords:
    """What one profile's export writes into a photo's files."""

    keywords: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    kept_for_others: tuple[str, ...]  # removed by this profile, still held by another one


def export_keywords(state: SyncState, profile_id: int, in_files: Iterable[str] = ()) -> ExportKeywords:
    """The base plus this profile's changes: its tags, less what it removed in tagassist and
    no other profile holds. A keyword another profile holds stays where the files have it
    (``in_files``), even where the base lost it (an undo put a file back). Call on the state
    *after* reconciling with the files."""
    mine = set(state.assigned.get(profile_id, {}))
    pending = {tag for tag, r in state.removed.get(profile_id, {}).items() if r.pending}
    others = state.held_by_others(profile_id)
    removals = (pending & state.base) - others - mine
    keywords = (state.base - removals) | mine | (others & set(in_files))
    return ExportKeywords(
        keywords=tuple(sorted(keywords)),
        added=tuple(sorted(keywords - state.base)),
        removed=tuple(sorted(removals)),
        kept_for_others=tuple(sorted((pending & state.base) & others)),
    )
