"""The retrain demo (``tagassist demo --retrain``): a history large enough to retrain on, and
what a retrain changes on the photos she tags next, measured.

The sample library (37 photos) is too young to judge a retrain on. This writes a simulated
photographer's library instead (``photosim``: rendered photos with real EXIF, one folder a
shoot, her keywords in XMP sidecars as Lightroom writes them), the same every time (a fixed
seed), once, into the user's data folder. Her newest shoots are written without keywords: the
photos she has not tagged yet. Their keywords, which she would give them, stay in a file of
their own beside the photos, so that suggestions for them can be scored before and after the
retrain; neither the retrain nor its own judging ever sees them.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..paths import demo_db_path
from ..store import Photo, Profile, Store
from . import suggesting

# Who she is and how much she has: photosim's photographer 3 of seed 2 (English keywords, her
# own words for things), who keywords what is in the picture and never where or when (no place,
# trip or favourite keywords); 300 photos, her newest whole shoots from the 40th photo from the
# end on not tagged yet. Chosen, as a demo must be, where a retrain helps; measured on 2 cores
# (issue 23, 7): of six such photographers (photographer, seed: 0 1, 0 2, 1 2, 2 4, 3 1, 3 2)
# the retrain kept its model for four (with their own weighing of the signals), and on their
# next shoots more of the shown suggestions were theirs for all four; of six photographers who
# also keyword places and trips, it kept one, which did worse there.
PHOTOGRAPHER, SEED, PHOTOS, NEXT_PHOTOS = 3, 2, 300, 40
HABITS = {"names_places": False, "names_events": False, "favourites": {}}  # photosim.photographers.Photographer
FORMAT = 1  # of what is written: a folder written by another version of this file is written again
ANSWERS = "next-shoots.json"


@dataclass(frozen=True)
class DemoHistory:
    folder: Path  # her photos, one folder a shoot
    photos: int
    shoots: int
    tagged: int  # photos whose sidecars carry her keywords
    next_shoots: int
    next_photos: list[tuple[Path, frozenset[str]]]  # the untagged photos and the keywords she would give them

    @property
    def history_shoots(self) -> int:
        return self.shoots - self.next_shoots

    @property
    def keywords_per_next_photo(self) -> float:
        return sum(len(tags) for _, tags in self.next_photos) / max(len(self.next_photos), 1)


@dataclass(frozen=True)
class Match:
    """How suggestions did on her next photos: of the 5 shown on each, the share that are her
    keywords for it ('accepted', as the retrain's judging counts), and of her keywords for a
    photo, the share among its 5 (averaged over the photos)."""

    photos: int
    accepted: float
    found: float


SAMPLE_TOO_SMALL = ("The sample library is small for a retrain: 'tagassist demo --retrain' opens a simulated"
                    " photographer's 300 photos, enough to retrain on and see whether it helps.")


def too_little_note(db_path: str | os.PathLike) -> str:
    """What to add where a retrain of the sample library's demo (``db_path``) found too little
    history: where a retrain can be seen; nothing for any other library."""
    same = os.path.abspath(db_path) == os.path.abspath(demo_db_path())
    return SAMPLE_TOO_SMALL if same else ""


def demo_history(root: Path, on_progress: Callable[[int, int], None] = lambda done, total: None, *,
                 as_written: bool = False) -> DemoHistory:
    """Her library under ``root`` (written the first time, or when this file's FORMAT or
    choice of photographer changed; ``on_progress(done, total)`` hears each photo written).
    ``as_written``: written again too where a file was changed since (the app may have written
    keywords into her next shoots, which a measurement must not have seen)."""
    answers = root / ANSWERS
    wanted = {"format": FORMAT, "photographer": PHOTOGRAPHER, "seed": SEED, "habits": HABITS, "photos": PHOTOS,
              "next": NEXT_PHOTOS}
    try:
        known = json.loads(answers.read_text()) if answers.is_file() else {}
    except ValueError:  # not what _write writes: written again
        known = {}
    if {k: known.get(k) for k in wanted} != wanted or not (root / "photos").is_dir() or (
            as_written and _changed_since(root / "photos", answers)):
        _write(root, wanted, on_progress)
        known = json.loads(answers.read_text())
    folder = root / "photos"
    return DemoHistory(folder, known["photos"], known["shoots"], known["photos"] - len(known["untagged"]),
                       known["next_shoots"],
                       [(folder / item["path"], frozenset(item["tags"])) for item in known["untagged"]])


def _changed_since(folder: Path, answers: Path) -> bool:
    written = answers.stat().st_mtime_ns
    return any(path.stat().st_mtime_ns > written for path in folder.rglob("*") if path.is_file())


def _write(root: Path, wanted: dict, on_progress: Callable[[int, int], None]) -> None:
    from dataclasses import replace

    from photosim.metadata import write_sidecar
    from photosim.photographers import make_photographer, write_library

    partial = root / "photos.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    her = replace(make_photographer(PHOTOGRAPHER, SEED), **HABITS)
    truth = write_library(her, partial, PHOTOS, on_photo=on_progress)
    shoots = list(dict.fromkeys(Path(item["path"]).parent.name for item in truth))
    # her newest whole shoots, at least NEXT_PHOTOS photos, are not tagged yet
    untagged_shoots: list[str] = []
    while sum(Path(item["path"]).parent.name in untagged_shoots for item in truth) < NEXT_PHOTOS:
        untagged_shoots.insert(0, shoots[len(shoots) - 1 - len(untagged_shoots)])
    untagged = []
    for item in truth:
        path = Path(item["path"])
        if path.parent.name in untagged_shoots:
            untagged.append({"path": str(path.relative_to(partial)), "tags": item["tags"]})
        else:
            write_sidecar(path, item["tags"])
    shutil.rmtree(root / "photos", ignore_errors=True)
    partial.rename(root / "photos")  # a folder cut short is never taken for her library
    written = root / (ANSWERS + ".partial")  # whole or not at all: a file cut short is never read back
    written.write_text(json.dumps({**wanted, "photos": len(truth), "shoots": len(shoots),
                                   "next_shoots": len(untagged_shoots), "untagged": untagged}, indent=1))
    os.replace(written, root / ANSWERS)


def next_photos_match(store: Store, profile: Profile, history: DemoHistory) -> Match:
    """Suggestions with the profile's active model (or the untrained engine) on her next
    photos, scored against the keywords she would give them."""
    photos: list[Photo] = []
    truths: list[frozenset[str]] = []
    for path, tags in history.next_photos:
        photo = store.photos.by_path(str(path))
        if photo is None:
            raise LookupError(f"{path} is not in the library: scan {history.folder} first")
        photos.append(photo)
        truths.append(tags)
    ranked = [[s.tag for s in found[:5]] for found in suggesting.suggest_photos(store, profile, photos, 5)]
    hits = [len(set(tags) & truth) for tags, truth in zip(ranked, truths)]
    shown = sum(len(tags) for tags in ranked)
    found = [n / len(truth) for n, truth in zip(hits, truths)]
    return Match(len(photos), sum(hits) / shown if shown else 0.0, sum(found) / len(found) if found else 0.0)
