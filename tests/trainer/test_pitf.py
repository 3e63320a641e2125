"""PITF learns a tiny data set whose answer is known (as implicit's tests do)."""

from trainer.data import Post
from trainer.metrics import ranking_metrics
from trainer.pitf import PITF


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
