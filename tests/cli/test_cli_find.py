"""tagassist find (issue 24): candidates for a keyword over a scanned and indexed library, best
first with score and reason; decisions through tag --add/--reject change the next list."""

import json
import shutil

import pytest

from tests.conftest import SAMPLE_LIBRARY

ROME = SAMPLE_LIBRARY / "2024-05 Rome"


@pytest.fixture
def library(cli, indexed_sample):
    shutil.copy(indexed_sample, cli.db)
    return cli


def found(library, *args):
    code, out = library("find", *args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_candidates_best_first_with_score_and_reason_and_none_already_hers(library):
    _, out = library("photos", "--tag", "dog", "--json")
    hers = {p["path"] for p in json.loads(out)}
    listed = found(library, "dog", "--limit", "5")
    assert len(listed) == 5
    for item in listed:
        assert set(item) == {"photo_id", "path", "score", "reason"}
        assert 0 <= item["score"] <= 1 and "'dog'" in item["reason"]
    assert [i["score"] for i in listed] == sorted((i["score"] for i in listed), reverse=True)
    every = found(library, "dog", "--limit", "100")
    assert not hers & {i["path"] for i in every}
    assert len(every) == 37 - len(hers)
    # The sample's one untagged photo of the dog's home shoot comes first.
    assert listed[0]["path"].endswith("2024-08 Home/IMG1206.jpg")


def test_a_rejected_candidate_is_stored_as_a_rejection_and_leaves_the_list(library):
    first = found(library, "Places|Italy|Rome")[0]
    assert library("tag", first["path"], "--reject", "Places|Italy|Rome")[0] == 0
    assert first["path"] not in {i["path"] for i in found(library, "Places|Italy|Rome")}
    _, out = library("tags", first["path"], "--json")
    assert [r["tag"] for r in json.loads(out)["rejected"]] == ["Places|Italy|Rome"]


def test_a_parent_keyword_finds_photos_of_none_of_its_children(library):
    _, out = library("photos", "--tag", "Places", "--json")
    with_a_place = {p["path"] for p in json.loads(out)}
    listed = found(library, "Places", "--limit", "100")
    assert with_a_place and not with_a_place & {i["path"] for i in listed}


def test_an_alias_finds_its_keyword_and_folder_limits_the_candidates(library):
    assert library("keywords", "alias", "Hund", "--into", "dog")[0] == 0
    assert found(library, "Hund") == found(library, "dog")
    in_rome = found(library, "dog", "--folder", ROME)
    assert in_rome and all(i["path"].startswith(str(ROME)) for i in in_rome)


def test_a_keyword_no_photo_carries_is_one_clear_line(library):
    code, out = library("find", "Shrek")
    assert code == 1
    assert out.strip() == "tagassist: tag at least one photo with 'Shrek' first"


def test_the_text_list_shows_score_path_and_reason(library):
    code, out = library("find", "dog", "--limit", "3")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 4
    assert lines[0].split("  ")[0] == f"{float(lines[0].split()[0]):.2f}" and "'dog'" in lines[0]
    assert lines[-1].startswith("about ") and "more expected" in lines[-1]
