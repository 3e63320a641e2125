"""Lightroom Classic's keyword list text file and digiKam's tag paths, in and out."""

import random
import time

import pytest

from tagassist.library.keyword_lists import (
    Keyword,
    KeywordListError,
    digikam_paths,
    format_lightroom,
    from_paths,
    parse_lightroom,
    walk,
)

SAMPLE = (
    "[Places]\n"
    "\tFrance\n"
    "\t\tParis\n"
    "\t\t\t{Paname}\n"
    "\tUnited States\n"
    "\t\tTexas\n"
    "\t\t\tParis\n"
    "\tItaly\n"
    "\t\t{Italia}\n"
    "\t\tRome\n"
    "\t\t\t{Roma}\n"
    "\t\t\t{Rom}\n"
    "People\n"
    "\tZoë\n"
    "\t[Family]\n"
    "\t\tGroßmutter\n"
    "dog\n"
)


def test_reads_levels_synonyms_categories_and_duplicate_names():
    roots = parse_lightroom(SAMPLE)
    paths = {path: keyword for path, keyword in walk(roots)}
    assert list(paths)[:3] == ["Places", "Places|France", "Places|France|Paris"]
    assert paths["Places"].category and paths["People|Family"].category and not paths["People"].category
    assert paths["Places|Italy|Rome"].synonyms == ["Roma", "Rom"]
    assert paths["Places|France|Paris"].synonyms == ["Paname"]
    assert paths["Places|United States|Texas|Paris"].synonyms == []  # another Paris
    assert "People|Family|Großmutter" in paths and "People|Zoë" in paths and "dog" in paths


def test_round_trips_exactly():
    assert format_lightroom(parse_lightroom(SAMPLE)) == SAMPLE
    crlf = "\ufeff" + SAMPLE.replace("\n", "\r\n")  # as Lightroom on Windows may write it
    assert parse_lightroom(crlf) == parse_lightroom(SAMPLE)
    assert format_lightroom(parse_lightroom(crlf), newline="\r\n") == crlf[1:]


def _generated(n: int, seed: int = 3) -> str:
    """A list of n keywords up to 5 levels deep, with synonyms, categories, non-ASCII names and
    the same names under different parents."""
    rng = random.Random(seed)
    names = ["Paris", "Zoë", "Köln", "São Paulo", "東京", "Rome", "dog", "red", "Ålesund", "Łódź"]
    roots: list[Keyword] = []
    levels: list[Keyword] = []
    for i in range(n):
        depth = rng.randint(0, min(len(levels), 4))
        keyword = Keyword(f"{rng.choice(names)} {i % 97}" if rng.random() < 0.5 else f"{rng.choice(names)}",
                          [f"syn {i} {rng.choice(names)}"] if rng.random() < 0.2 else [], rng.random() < 0.05)
        siblings = levels[depth - 1].children if depth else roots
        if any(s.name == keyword.name for s in siblings):
            keyword.name += f" #{i}"  # siblings differ; cousins may share a name
        siblings.append(keyword)
        del levels[depth:]
        levels.append(keyword)
    return format_lightroom(roots)


def test_a_list_of_5000_keywords_imports_in_2_seconds_and_round_trips():
    text = _generated(6000)
    started = time.perf_counter()
    roots = parse_lightroom(text)
    assert time.perf_counter() - started < 2.0
    paths = [path for path, _ in walk(roots)]
    assert len(paths) == 6000 == len(set(paths))
    assert len({path.rsplit("|", 1)[-1] for path in paths}) < 6000  # names repeat under other parents
    assert format_lightroom(roots) == text


@pytest.mark.parametrize("text, says", [
    ("Places\n\t\tRome\n", "line 2"),  # two levels down at once
    ("{Roma}\n", "line 1"),  # a synonym of nothing
    ("Places\n  Rome\n", "line 2"),  # spaces for levels
    ("Places|Italy\n", "line 1"),
])
def test_a_broken_list_says_which_line(text, says):
    with pytest.raises(KeywordListError, match=says):
        parse_lightroom(text)


def test_paths_become_a_tree_and_digikam_tags_paths():
    roots = from_paths(["Places|Italy|Rome", "Places|France|Paris", "dog", "Places|Italy"],
                       synonyms={"Places|Italy|Rome": ["Roma"]}, categories=["Places"])
    assert format_lightroom(roots) == "[Places]\n\tItaly\n\t\tRome\n\t\t\t{Roma}\n\tFrance\n\t\tParis\ndog\n"
    assert digikam_paths(["People/Alice", "/Places/Italy/", "dog"]) == ["People|Alice", "Places|Italy", "dog"]
