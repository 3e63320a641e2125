"""Every model behind the one interface: the same contract, and a small data set with a known
answer that each learned model must get right in seconds (implicit's checkerboard idea: users
and items each fall in two groups, and the right tags depend on both groups at once)."""

import math
import shutil

import pytest

from trainer.data import Post
from trainer.metrics import ranking_metrics
from trainer.model_api import ModelFileError, SideData, load_model
from trainer.registry import LEARNED, MODELS, NEURAL, make_model

SMALL = {
    "pitf": dict(factors=8, epochs=40, learning_rate=0.1, batch_size=64),
    "fm": dict(factors=8, epochs=40, learning_rate=0.1, batch_size=64),
    # A fixed number of epochs: on 14 posts per user, early stopping has too little to go on.
    **{name: dict(dim=16, hidden=32, batch_size=32, learning_rate=1e-2, epochs=40) for name in NEURAL},
}


# The papers' models (trainer/research) train for seconds to a minute each: slow; the baselines
# and the engine keep the contract in a quick run.
RESEARCH_MODELS = {"pitf", "fm", *NEURAL}


def by_cost(names) -> list:
    return [pytest.param(n, marks=pytest.mark.slow) if n in RESEARCH_MODELS else n for n in names]


def checkerboard():
    """16 users and 16 items in two groups each; a post's tags are those of its (user group,
    item group) cell. Each user leaves one item of each group untagged: the test posts."""
    train, test = [], []
    for u in range(16):
        for i in range(16):
            ug, ig = u % 2, i % 2
            when = float((5 * i + 3 * u) % 16)  # each user tags the items in another order
            post = Post(f"u{u}", f"i{i}", when, frozenset({f"t{ug}{ig}a", f"t{ug}{ig}b"}))
            (test if i in (u % 8 * 2, u % 8 * 2 + 1) else train).append(post)
    friends = {f"u{u}": [f"u{v}" for v in range(16) if v != u and v % 2 == u % 2][:3] for u in range(16)}
    interactions = [(p.user, p.item, 3.0) for p in train + test]
    return train, test, SideData(friends=friends, interactions=interactions)


TRAIN, TEST, SIDE = checkerboard()


@pytest.fixture(scope="module")
def fitted():
    cache = {}

    def get(name):
        if name not in cache:
            events = []
            model = make_model(name, **SMALL.get(name, {})).fit(TRAIN, events.append, SIDE)
            cache[name] = (model, events)
        return cache[name]

    return get


@pytest.mark.parametrize("name", by_cost(MODELS))
def test_scores_are_finite_and_from_the_training_vocabulary(fitted, name):
    model, events = fitted(name)
    vocabulary = {t for p in TRAIN for t in p.tags}
    scores = model.score("u0", "i0")
    assert scores and set(scores) <= vocabulary
    assert all(isinstance(s, float) and math.isfinite(s) for s in scores.values())
    if name in LEARNED:
        assert events and all("stage" in e for e in events)


@pytest.mark.parametrize("name", by_cost(MODELS))
def test_recommendations_follow_the_scores_and_tolerate_strangers(fitted, name):
    model, _ = fitted(name)
    post = TEST[0]
    scores = model.score(post.user, post.item, post.time)
    expected = [t for _, t in sorted((-s, t) for t, s in scores.items())][:3]
    assert model.recommend_many([post], 3)[0] == expected
    assert len(model.recommend_many([Post("stranger", "new-item", 0.0, frozenset())], 3)[0]) == 3


@pytest.mark.parametrize("name", by_cost(LEARNED))
def test_the_same_seed_gives_the_same_model(fitted, name):
    model, _ = fitted(name)
    again = make_model(name, **SMALL.get(name, {})).fit(TRAIN, None, SIDE)
    assert again.recommend_many(TEST, 4) == model.recommend_many(TEST, 4)


@pytest.mark.parametrize("name", by_cost(MODELS))
def test_save_and_load_give_back_the_same_model(fitted, name, tmp_path):
    model, _ = fitted(name)
    model.save(tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    assert type(loaded) is type(model) and loaded.params() == model.params()
    # Equal up to float rounding: BLAS may take another path for differently aligned memory.
    assert loaded.score("u3", "i5") == pytest.approx(model.score("u3", "i5"), rel=1e-4, abs=1e-5)
    assert loaded.recommend_many(TEST, 4) == model.recommend_many(TEST, 4)
    model.save(tmp_path / "model")  # saving over an existing folder replaces it whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_a_changed_weight_file_is_refused(fitted, tmp_path):
    model, _ = fitted("pitf")
    model.save(tmp_path / "model")
    weights = tmp_path / "model" / "weights.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(tmp_path / "model")
    shutil.rmtree(tmp_path / "model")
    with pytest.raises(ModelFileError, match="not a saved tag model"):
        load_model(tmp_path / "model")


def _p_at_2(model) -> float:
    return ranking_metrics(model.recommend_many(TEST, 2), [p.tags for p in TEST], [2])[2]["P"]


@pytest.mark.parametrize("name", by_cost(LEARNED))
def test_learned_models_find_the_checkerboard(fitted, name):
    """The right tags need both the user's group and the item's: each alone gets half."""
    model, _ = fitted(name)
    assert _p_at_2(model) >= 0.9


def test_the_checkerboard_defeats_user_only_and_item_only_models(fitted):
    assert _p_at_2(fitted("mp-u")[0]) <= 0.6
    assert _p_at_2(fitted("mp-i")[0]) <= 0.6
