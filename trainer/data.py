"""Tagging histories as posts, and the chronological per-user split of BASELINES.md."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as calendar_date
from pathlib import Path
from urllib.parse import unquote


@dataclass(frozen=True)
class Post:
    """One (user, item) pair and the set of tags that user gave that item."""

    user: str
    item: str
    time: float  # in days since 1970-01-01 (UTC)
    tags: frozenset[str]


class DataError(ValueError):
    """A data file that cannot be read as its format says: the message names file and line."""


def read_text_lines(path: str | Path, notes: list[str] | None = None) -> list[str]:
    """The file's lines as text, whatever mix of encodings older exports left in it: a line
    that is not UTF-8 is read as Latin-1 (which every byte is), and ``notes`` says how many."""
    with open(path, "rb") as f:
        raw_lines = f.read().splitlines()
    lines, fixed, replaced = [], 0, 0
    for raw in raw_lines:
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            replaced += text.count("\ufffd")
            lines.append(raw.decode("latin-1"))
            fixed += 1
    if fixed and notes is not None:
        notes.append(f"{Path(path).name}: {fixed} line(s) were not UTF-8 ({replaced} byte sequence(s));"
                     " read as Latin-1")
    return lines


def load_lastfm(folder: str | Path, notes: list[str] | None = None) -> list[Post]:
    """hetrec2011 Last.fm: item = artistID, tag = tagID; post date = earliest (y, m, d)."""
    tags: dict[tuple[str, str], set[str]] = defaultdict(set)
    dates: dict[tuple[str, str], tuple[int, int, int]] = {}
    path = Path(folder) / "user_taggedartists.dat"
    rows = csv.reader(read_text_lines(path, notes), delimiter="\t")
    next(rows, None)
    for line, row in enumerate(rows, start=2):
        try:
            user, artist, tag, day, month, year = row
            date = (int(year), int(month), int(day))
            calendar_date(*date)
        except ValueError as exc:
            raise DataError(f"{path}: line {line}: expected userID, artistID, tagID, day, month, year"
                            f" ({exc})") from None
        key = (user, artist)
        tags[key].add(tag)
        dates[key] = min(dates.get(key, date), date)
    # Time in days since 1970-01-01, as every loader gives it: the engine reads dates from it.
    epoch = calendar_date(1970, 1, 1).toordinal()
    return [Post(u, i, float(calendar_date(y, m, d).toordinal() - epoch), frozenset(tags[(u, i)]))
            for (u, i), (y, m, d) in dates.items()]


def load_tagrec(path: str | Path, notes: list[str] | None = None) -> list[Post]:
    """TagRec CSV: "user";"item";"unix_ts";"tag1,tag2";"..."; tags URL-decoded twice,
    stripped, lower-cased; empty tags and posts without tags dropped. Lines that are not
    UTF-8 are read as Latin-1 and counted in ``notes``; so are lines with too few fields."""
    tags: dict[tuple[str, str], set[str]] = defaultdict(set)
    times: dict[tuple[str, str], float] = {}
    short = 0
    for line, row in enumerate(csv.reader(read_text_lines(path, notes), delimiter=";", quotechar='"'), start=1):
        if len(row) < 4:
            short += bool(row)
            continue
        user, item, stamp, tag_list = row[:4]
        try:
            moment = float(stamp)
        except ValueError:
            raise DataError(f"{path}: line {line}: the third field should be a Unix time, not {stamp[:40]!r}") from None
        key = (user, item)
        for tag in tag_list.split(","):
            tag = unquote(unquote(tag)).strip().lower()
            if tag:
                tags[key].add(tag)
        times[key] = min(times.get(key, moment), moment)
    if short and notes is not None:
        notes.append(f"{Path(path).name}: {short} line(s) with fewer than 4 fields skipped")
    return [Post(u, i, times[(u, i)] / 86400.0, frozenset(t)) for (u, i), t in tags.items() if t]  # days


def _item_order(item: str):
    return (0, int(item), item) if item.lstrip("-").isdigit() else (1, 0, item)


def chronological_split(posts: Iterable[Post], min_posts: int = 5,
                        test_share: float = 0.2) -> tuple[list[Post], list[Post]]:
    """Per user, sorted by (time, item id as integer): users with fewer than ``min_posts`` go
    to training; otherwise the last max(1, floor(0.2 * count + 0.5)) posts are test."""
    by_user: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_user[post.user].append(post)
    train, test = [], []
    for user_posts in by_user.values():
        user_posts.sort(key=lambda p: (p.time, _item_order(p.item)))
        if len(user_posts) < min_posts:
            train += user_posts
            continue
        n_test = max(1, math.floor(test_share * len(user_posts) + 0.5))
        train += user_posts[:-n_test]
        test += user_posts[-n_test:]
    return train, test


def load_lastfm_side(folder: str | Path):
    """hetrec2011 Last.fm's social graph (user_friends.dat, symmetric) and listening counts
    (user_artists.dat) as side data: the collaborative signals of the papers."""
    from .model_api import SideData

    friends: dict[str, set[str]] = defaultdict(set)
    with open(Path(folder) / "user_friends.dat", encoding="latin-1") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows)
        for user, friend in rows:
            friends[user].add(friend)
            friends[friend].add(user)
    with open(Path(folder) / "user_artists.dat", encoding="latin-1") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows)
        interactions = [(user, artist, float(weight)) for user, artist, weight in rows]
    return SideData(friends={u: sorted(v) for u, v in friends.items()}, interactions=interactions)
