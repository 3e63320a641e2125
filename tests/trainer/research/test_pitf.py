"""PITF learns a tiny data set whose answer is known (as implicit's tests do)."""

import pytest

from trainer.data import Post
from trainer.metrics import ranking_metrics
from trainer.research.pitf import PITF


@pytest.mark.slow
def test_pitf_learns_each_users_tag_and_each_items_tag():
    # Every user has a private habit tag; every item a content tag; posts carry both.
    train = [Post(f"u{u}", f"i{i}", 0.0, frozenset({f"habit{u}", f"content{i}"}))
             for u in range(12) for i in range(12) if (u + i) % 4]
    test = [Post(f"u{u}", f"i{i}", 0.0, frozenset({f"habit{u}", f"content{i}"}))
            for u in range(12) for i in range(12) if (u + i) % 4 == 0]
    model = PITF(factors=16, epochs=40, learning_rate=0.1, batch_size=256).fit(train)
    rankings = model.recommend_many(test, 2)
    assert ranking_metrics(rankings, [p.tags for p in test], [2])[2]["P"] > 0.9
    assert set(model.recommend("u3", "i5", 2)) == {"habit3", "content5"}  # a pair never seen together
    assert set(model.recommend("stranger", "i5", 1)) == {"content5"}  # an unknown user: the item alone


def test_fm_tag_weights_rank_popular_tags_for_strangers_where_pitf_cannot():
    from trainer.research.pitf import FM

    posts = [Post(f"u{u}", f"i{i}", 0.0, frozenset({"zzz-popular"})) for u in range(8) for i in range(8)]
    posts.append(Post("u0", "i0", 1.0, frozenset({"aaa-rare"})))
    fm = FM(factors=8, epochs=30, learning_rate=0.1, batch_size=128).fit(posts)
    pitf = PITF(factors=8, epochs=30, learning_rate=0.1, batch_size=128).fit(posts)
    assert fm.recommend("new user", "new item", 1) == ["zzz-popular"]  # the tag weight
    assert pitf.recommend("new user", "new item", 1) == ["aaa-rare"]  # all zero: ties by name
