"""The evaluation protocol: split, metrics and baselines reproduce BASELINES.md."""

import pytest

from tests.conftest import need_shared
from trainer.baselines import MostPopular
from trainer.data import Post, chronological_split
from trainer.evaluate import evaluate, load_dataset
from trainer.metrics import ranking_metrics


def test_metrics_by_hand():
    rankings = [["a", "b", "c"], ["x", "y", "z"]]
    truths = [frozenset({"a", "c"}), frozenset({"q"})]
    m = ranking_metrics(rankings, truths, [1, 3])
    assert m[1] == {"P": 0.5, "R": 0.25, "F1": pytest.approx(2 * 0.5 * 0.25 / 0.75), "Acc": 0.5}
    assert m[3]["P"] == pytest.approx(1 / 3) and m[3]["R"] == 0.5 and m[3]["Acc"] == 0.5


def test_split_is_per_user_chronological_with_item_id_ties_as_integers():
    posts = [Post("u", str(item), 1.0, frozenset({"t"})) for item in (10, 9, 2, 100, 1)]
    posts += [Post("few", "1", 1.0, frozenset({"t"}))] * 4
    train, test = chronological_split(posts)
    assert [p.item for p in test] == ["100"]  # 5 posts -> 1 test post: the largest id at equal time
    assert len(train) == 8


def test_ties_are_broken_by_tag_name_and_rankings_never_empty():
    model = MostPopular("mp-u").fit([Post("u", "i", 0, frozenset({"b", "a"})), Post("v", "j", 0, frozenset({"c"}))])
    assert model.recommend("u", "x", 3) == ["a", "b", "c"]
    assert model.recommend("stranger", "x", 2) == ["a", "b"]  # only the top-10 filler


REFERENCE = {  # BASELINES.md: P@1, F1@3, P@5, R@5, F1@5, Acc@5, F1@10
    "lastfm:lastfm-2k": (
        (71_064, 57_161, 13_903),
        {"mp": (0.0970, 0.0799, 0.0759, 0.1402, 0.0985, 0.2884, 0.0910),
         "mp-u": (0.2166, 0.2076, 0.1519, 0.3435, 0.2107, 0.5166, 0.1854),
         "mp-i": (0.3240, 0.2702, 0.1881, 0.3959, 0.2550, 0.5585, 0.1830),
         "mp-ui": (0.4110, 0.3431, 0.2297, 0.5127, 0.3172, 0.6862, 0.2428)},
    ),
    "tagrec:movielens-tags/ml_sample.txt": (
        (53_607, 43_820, 9_787),
        {"mp": (0.0080, 0.0134, 0.0089, 0.0327, 0.0140, 0.0441, 0.0148),
         "mp-u": (0.1998, 0.1635, 0.0874, 0.3386, 0.1389, 0.3989, 0.0931),
         "mp-i": (0.1368, 0.1221, 0.0724, 0.2231, 0.1093, 0.2922, 0.0807),
         "mp-ui": (0.2767, 0.2287, 0.1232, 0.4363, 0.1922, 0.5203, 0.1367)},
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("spec", REFERENCE)
def test_baselines_reproduce_the_reference_table(spec):
    kind, _, relative = spec.partition(":")
    path = need_shared("data", *relative.split("/"))
    counts, expected = REFERENCE[spec]
    posts, side = load_dataset(f"{kind}:{path}")
    report = evaluate(posts, list(expected), [1, 3, 5, 10], side)
    assert (report["posts"], report["train"], report["test"]) == counts
    for model, numbers in expected.items():
        m = report["models"][model]["metrics"]
        got = (m["1"]["P"], m["3"]["F1"], m["5"]["P"], m["5"]["R"], m["5"]["F1"], m["5"]["Acc"], m["10"]["F1"])
        assert got == pytest.approx(numbers, abs=0.0005), model


def test_recency_prefers_the_users_recent_tags():
    from trainer.baselines import RecencyMostPopular

    train = [Post("u", str(i), float(i), frozenset({"old"})) for i in range(5)]
    train += [Post("u", "9", 100.0, frozenset({"new"}))]
    assert MostPopular("mp-u").fit(train).recommend("u", "x", 1) == ["old"]  # 5 uses against 1
    model = RecencyMostPopular("bll-u").fit(train)
    assert model.recommend_many([Post("u", "x", 101.0, frozenset())], 1) == [["new"]]


@pytest.mark.slow
@pytest.mark.parametrize("spec", REFERENCE)
def test_the_engine_users_get_beats_the_best_baseline_by_fifteen_percent(spec):
    """What tagassist suggests (``engine``: the app's Suggester over the folksonomy read as a
    shared library), with one configuration for both data sets (nothing tuned per set)."""
    kind, _, relative = spec.partition(":")
    path = need_shared("data", *relative.split("/"))
    _, expected = REFERENCE[spec]
    posts, side = load_dataset(f"{kind}:{path}")
    report = evaluate(posts, ["engine"], [5], side)
    assert report["models"]["engine"]["metrics"]["5"]["F1"] >= 1.15 * expected["mp-ui"][4]
