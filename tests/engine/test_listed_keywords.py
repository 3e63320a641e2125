"""Her imported keyword lists in the suggestions (issue 26, 5): a content word the picture shows
is suggested in her words, as the keyword of her list that ends in it, before any photo carries it."""

import numpy as np

from tagassist.engine.content_words import content_tag_matrix
from tagassist.store.vocabulary import ListedKeyword
from tests.engine.test_suggest import History


def content(**words):
    tags, _ = content_tag_matrix()
    vector = np.zeros(len(tags), dtype=np.float32)
    for word, p in words.items():
        vector[tags.index(word)] = p
    return vector


def test_a_new_profile_gets_content_words_in_the_words_of_her_list(store):
    history = History(store)
    store.vocabulary.import_list(history.profile, [ListedKeyword("Animals", True), ListedKeyword("Animals|dog"),
                                                   ListedKeyword("Pets|dog")], "lightroom")
    suggestions = history.suggest(history.photo(content=content(dog=0.9, animal=0.2)))
    assert [s.tag for s in suggestions] == ["Animals|dog", "animal"]  # the first of her list that ends in it
    assert suggestions[0].reason == "the picture looks like: Animals|dog (90%)"


def test_with_a_history_a_listed_keyword_is_suggested_and_her_own_use_wins(store):
    history = History(store)
    for i in range(25):
        history.photo(["Pets|dog" if i < 5 else "street"], taken_at=f"2024-01-{1 + i % 28:02}T10:00:00")
    store.vocabulary.import_list(history.profile, [ListedKeyword("Animals|dog"), ListedKeyword("Nature|beach")],
                                 "lightroom")
    tags = [s.tag for s in history.suggest(history.photo(content=content(dog=0.9, beach=0.6)), k=10)]
    assert "Pets|dog" in tags and "Animals|dog" not in tags  # a keyword she used beats her list's
    assert "Nature|beach" in tags  # one no photo carries yet, from her list
    assert "beach" not in tags and "dog" not in tags
