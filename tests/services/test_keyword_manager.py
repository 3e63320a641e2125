"""The keyword manager from the CLI: rename, move, merge, delete and aliases reach the history,
the training data and the files on export; every edit can be undone exactly."""

import json

from tagassist.library.keywords import parse_xmp_keywords
from tagassist.store import Store


def keywords_json(cli):
    code, out = cli("keywords", "list", "--json")
    assert code == 0
    return {row["keyword"]: row for row in json.loads(out)}


def photo_tags(db, name):
    with Store(db) as store:
        photo = next(p for p, _ in store.photos.list_photos(store.profiles.get()) if p.path.endswith(name))
        return {a.tag: a.source for a in store.history.photo_tags(store.profiles.get(), photo.id)}


def test_rename_moves_the_children_and_the_export_replaces_it_in_the_files(cli, sample_copy):
    sidecar = sample_copy / "2024-05 Rome" / "DSCF1000.xmp"
    before = parse_xmp_keywords(sidecar.read_bytes())
    assert "Places|Italy|Rome" in before
    assert cli("scan", sample_copy)[0] == 0
    rows = keywords_json(cli)
    assert rows["Places|Italy|Rome"]["photos"] == 7 and "Places|Italy" not in rows

    code, out = cli("keywords", "rename", "Places|Italy", "Places|Europe|Italy")
    assert code == 0 and "Places|Italy renamed to Places|Europe|Italy" in out
    rows = keywords_json(cli)
    assert rows["Places|Europe|Italy|Rome"]["photos"] == 7 and "Places|Italy|Rome" not in rows
    tags = photo_tags(cli.db, "DSCF1000.jpg")
    assert tags["Places|Europe|Italy|Rome"] == "imported"  # how it was given is kept: the history's time line

    # the training data reads the new name
    from trainer.store_data import load_store

    names = {t for post in load_store(cli.db)[0] for t in post.tags}
    assert "Places|Europe|Italy|Rome" in names and "Places|Italy|Rome" not in names

    # another tool adds a keyword to the sidecar meanwhile; the export keeps it
    sidecar.write_bytes(sidecar.read_bytes().replace(b"<rdf:li>Roma2024</rdf:li>",
                                                     b"<rdf:li>Roma2024</rdf:li><rdf:li>from digikam</rdf:li>"))
    assert cli("scan", sample_copy)[0] == 0
    assert cli("export", "--all")[0] == 0
    after = parse_xmp_keywords(sidecar.read_bytes())
    assert "Places|Europe|Italy|Rome" in after and "Places|Italy|Rome" not in after
    assert "from digikam" in after
    assert set(after) - {"Places|Europe|Italy|Rome", "from digikam"} == set(before) - {"Places|Italy|Rome"}


def test_merge_alias_delete_and_undo_put_everything_back(cli, sample_copy):
    assert cli("scan", sample_copy)[0] == 0
    assert cli("tag", sample_copy / "2024-08 Home" / "IMG1206.jpg", "--add", "Car", "--reject", "car")[0] == 0
    assert cli("tag", sample_copy / "2024-08 Home" / "IMG1205.jpg", "--add", "auto", "car")[0] == 0
    original = keywords_json(cli)
    tags_before = photo_tags(cli.db, "IMG1206.jpg"), photo_tags(cli.db, "IMG1205.jpg")

    code, out = cli("keywords", "alias", "Car", "auto", "--into", "car", "--json")
    assert code == 0 and [r["photos"] for r in json.loads(out)] == [1, 1]
    assert photo_tags(cli.db, "IMG1206.jpg") == {"car": "typed"}  # a tag beats its own rejection: it was given
    assert {t for t in photo_tags(cli.db, "IMG1205.jpg") if t.lower() in ("car", "auto")} == {"car"}
    rows = keywords_json(cli)
    assert rows["car"]["photos"] == 2 and sorted(rows["car"]["aliases"]) == ["Car", "auto"]
    assert "Car" not in rows and "auto" not in rows
    # typed later under an alias, in any ASCII case, it is the keyword
    assert cli("tag", sample_copy / "2024-08 Home" / "IMG1204.jpg", "--add", "AUTO")[0] == 0
    assert photo_tags(cli.db, "IMG1204.jpg").get("car") == "typed"

    code, out = cli("keywords", "delete", "car")
    assert code == 0 and "car deleted from 3 photos" in out
    assert "car" not in keywords_json(cli)

    for _ in range(4):  # delete, the extra tag (not an edit: stays), alias auto, alias Car
        code, out = cli("keywords", "undo")
        if code:
            break
    assert "no keyword edit to undo" in out
    assert photo_tags(cli.db, "IMG1206.jpg") == tags_before[0]
    assert photo_tags(cli.db, "IMG1205.jpg") == tags_before[1]
    with Store(cli.db) as store:
        assert [r.tag for r in store.history.photo_rejections(store.profiles.get(), store.photos.by_path(
            sample_copy / "2024-08 Home" / "IMG1206.jpg").id)] == ["car"]
        assert store.aliases.of(store.profiles.get()) == {}
    assert {k: v["photos"] for k, v in keywords_json(cli).items() if k != "car"} == \
        {k: v["photos"] for k, v in original.items() if k != "car"}


def test_one_merge_or_alias_command_is_one_undo_step(cli, sample_copy):
    assert cli("scan", sample_copy)[0] == 0
    assert cli("tag", sample_copy / "2024-08 Home" / "IMG1206.jpg", "--add", "Car")[0] == 0
    assert cli("tag", sample_copy / "2024-08 Home" / "IMG1205.jpg", "--add", "auto", "woods")[0] == 0
    assert cli("tag", sample_copy / "2024-08 Home" / "IMG1204.jpg", "--add", "Wald")[0] == 0
    original = keywords_json(cli)
    for edit in (("merge", "Car", "auto", "--into", "car"), ("alias", "woods", "Wald", "--into", "forest")):
        code, out = cli("keywords", *edit)
        assert code == 0, out
        changed = keywords_json(cli)
        assert changed != original
        code, out = cli("keywords", "history", "--json")
        assert [e["action"] for e in json.loads(out) if not e["undone"]] == [edit[0]]
        code, out = cli("keywords", "undo")
        assert code == 0, out
        assert keywords_json(cli) == original
        code, out = cli("keywords", "undo")
        assert code == 1 and "no keyword edit to undo" in out


def test_bad_keyword_commands_say_what_to_do(cli, sample_copy):
    assert cli("scan", sample_copy)[0] == 0
    code, out = cli("keywords", "rename", "nothing-like-this", "x")
    assert code == 1 and "no keyword 'nothing-like-this'" in out and "Traceback" not in out
    code, out = cli("keywords", "rename", "Places", "Places|Europe")
    assert code == 1 and "cannot move under itself" in out
    code, out = cli("keywords", "merge", "dog")
    assert code == 1 and "--into" in out
    code, out = cli("keywords", "merge", "Places|Italy", "Places", "--into", "Travel")
    assert code == 1 and "'Places|Italy' is under 'Places', which takes it along" in out
    code, out = cli("keywords", "undo")
    assert code == 1 and "no keyword edit to undo" in out


def test_a_keyword_another_tool_writes_under_an_alias_arrives_as_the_keyword(cli, sample_copy):
    sidecar = sample_copy / "2024-05 Rome" / "DSCF1000.xmp"
    assert cli("scan", sample_copy)[0] == 0
    assert cli("keywords", "alias", "Roma", "--into", "Places|Italy|Rome")[0] == 0
    sidecar.write_bytes(sidecar.read_bytes().replace(b"<rdf:li>Roma2024</rdf:li>",
                                                     b"<rdf:li>Roma2024</rdf:li><rdf:li>roma</rdf:li>"))
    assert cli("scan", sample_copy)[0] == 0
    tags = photo_tags(cli.db, "DSCF1000.jpg")
    assert "Places|Italy|Rome" in tags and "roma" not in tags
    assert cli("export", "--all")[0] == 0  # the photographer's synonym replaces it in the file too
    assert "roma" not in parse_xmp_keywords(sidecar.read_bytes())
