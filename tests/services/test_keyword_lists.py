"""Her keyword list in and out (issue 26, item 5): a Lightroom Classic keyword list of thousands of
keywords, with synonyms, categories, non-ASCII names and the same name under different parents,
imports in well under two seconds and comes back out exactly; digiKam's tag paths too; imported
keywords are offered for completion before any photo carries them."""

import random
import time

import pytest

from tagassist.records import Photo
from tagassist.services import keyword_lists, keywords


def generated_list(size: int, seed: int = 7) -> str:
    """A Lightroom keyword list of about ``size`` keywords in a tree three levels deep: categories,
    synonyms, non-ASCII names, and the same names under different parents (siblings differ)."""
    rng = random.Random(seed)
    words = ["Rome", "Paris", "Zoë", "Łódź", "東京", "São Paulo", "Ålesund", "dog", "Ängel", "Café", "Nürnberg"]
    lines: list[str] = []
    count, top = 0, 0
    while count < size:
        top += 1
        name = f"{words[top % len(words)]} {top}"
        lines.append(f"[{name}]" if top % 3 == 0 else name)
        count += 1
        for middle in rng.sample(words, rng.randint(2, 6)):  # the same middles under many tops
            lines.append("\t" + middle)
            count += 1
            for leaf in sorted(rng.sample(words, rng.randint(3, 8))):
                lines.append("\t\t" + leaf)
                count += 1
                lines.extend("\t\t\t{" + f"{leaf} {top}-{k}" + "}" for k in range(rng.randint(0, 2)))
    # Paris under two parents, with the same synonym on both: a keyword is its path
    lines += ["[Places]", "\tFrance", "\t\tParis", "\t\t\t{Ville Lumière}", "\tTexas", "\t\tParis",
              "\t\t\t{Ville Lumière}"]
    return "".join(line + "\n" for line in lines)


def test_five_thousand_keywords_import_fast_and_round_trip_exactly(store, tmp_path):
    text = generated_list(5000)
    source, out = tmp_path / "Keywords.txt", tmp_path / "out.txt"
    source.write_text(text, encoding="utf-8", newline="")
    profile = store.profiles.get()
    started = time.perf_counter()
    result = keyword_lists.import_list(store, profile, source)
    took = time.perf_counter() - started
    assert result["format"] == "lightroom" and result["keywords"] >= 5000 and len(result["added"]) >= 5000
    assert took <= 2.0, f"{result['keywords']} keywords took {took:.2f} s"
    keyword_lists.export_list(store, profile, out)
    assert out.read_text(encoding="utf-8") == text
    # and once more through a second library: the same tree, synonyms and categories
    from tagassist.store import Store

    with Store(tmp_path / "other.sqlite") as other:
        keyword_lists.import_list(other, other.profiles.get(), out)
        keyword_lists.export_list(other, other.profiles.get(), tmp_path / "again.txt")
    assert (tmp_path / "again.txt").read_text(encoding="utf-8") == text
    again = keyword_lists.import_list(store, profile, source)
    assert again["added"] == [] and again["aliases"] == []


def test_crlf_and_a_byte_order_mark_read_the_same(store, tmp_path):
    path = tmp_path / "kw.txt"
    path.write_bytes("\ufeffPlaces\r\n\tItaly\r\n\t\tRoma\r\n\t\t\t{Rome}\r\n".encode())
    result = keyword_lists.import_list(store, store.profiles.get(), path)
    assert result["added"] == ["Places", "Places|Italy", "Places|Italy|Roma"]
    assert result["aliases"] == [["Rome", "Places|Italy|Roma"]]
    path.write_bytes("Zoë\r\n\t東京\r\n".encode("utf-16"))  # with its byte-order mark, as Windows tools write
    assert keyword_lists.import_list(store, store.profiles.get(), path)["added"] == ["Zoë", "Zoë|東京"]


def test_digikam_paths_are_read_by_their_content_and_written_back(store, tmp_path):
    path, out = tmp_path / "tags.txt", tmp_path / "out.txt"
    path.write_text("People/Anna\nPeople/Bob\n_Digikam_Internal_Tags_/Color Label Red\nEvents/2024/Wedding\n")
    result = keyword_lists.import_list(store, store.profiles.get(), path)
    assert result["format"] == "digikam"
    assert result["added"] == ["People", "People|Anna", "People|Bob", "Events", "Events|2024", "Events|2024|Wedding"]
    written = keyword_lists.export_list(store, store.profiles.get(), out, "digikam")
    assert written["keywords"] == 6
    assert out.read_text() == "People\nPeople/Anna\nPeople/Bob\nEvents\nEvents/2024\nEvents/2024/Wedding\n"


@pytest.mark.parametrize(("content", "says"), [
    (b"", "holds no keywords"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text"),
    (b"Places\n\t\t\tRome\n", "line 2: 'Rome' is 3 levels under the one before"),
    (b"{Roma}\n", "line 1: synonym {Roma} is not one level under a keyword"),
    (b"Places\n  Italy\n", "line 2: spaces around a keyword"),
])
def test_a_file_that_is_no_keyword_list_is_one_line_and_adds_nothing(store, tmp_path, content, says):
    path = tmp_path / "kw.txt"
    path.write_bytes(content)
    with pytest.raises(keyword_lists.KeywordListError) as raised:
        keyword_lists.import_list(store, store.profiles.get(), path)
    message = str(raised.value)
    assert says in message and "\n" not in message
    assert store.vocabulary.entries(store.profiles.get()) == []


def test_imported_keywords_are_completed_and_listed_without_photos(store, tmp_path):
    profile = store.profiles.get()
    photo_id = store.photos.save(Photo(path="/lib/a.jpg", size=1, mtime_ns=1))
    store.tagging.add_tags(profile, [photo_id], ["dog"], "typed")
    path = tmp_path / "kw.txt"
    path.write_text("[Animals]\n\tcat\n\t\t{kitty}\ndog\n")
    keyword_lists.import_list(store, profile, path)
    assert keywords.completion_vocabulary(store, profile) == ["dog", "Animals|cat"]
    rows = {row.keyword: row for row in keywords.keyword_rows(store, profile)}
    assert (rows["Animals"].category, rows["Animals|cat"].listed, rows["Animals|cat"].photos) == (True, True, 0)
    assert rows["Animals|cat"].aliases == ["kitty"] and rows["dog"].photos == 1
    # deleting one in the keyword manager takes it off the list, and undo puts it back
    assert keywords.delete(store, profile, "Animals")["keywords"] == ["Animals", "Animals|cat"]
    assert keywords.completion_vocabulary(store, profile) == ["dog"]
    with pytest.raises(LookupError):
        keywords.delete(store, profile, "Animals")
    keywords.undo(store, profile)
    assert keywords.completion_vocabulary(store, profile) == ["dog", "Animals|cat"]
