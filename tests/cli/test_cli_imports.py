"""Commands that compute no new embeddings never import torch nor build the encoder (issue 25):
each runs in a fresh interpreter over a scanned and indexed library, which then says what it
imported. A photo still lacking an embedding is indexed first, as before."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tagassist.cli import build_parser, main
from tests.conftest import SAMPLE_LIBRARY

# Imported only to compute embeddings (or run a trained model): none of them may be loaded.
HEAVY = ("torch", "torchvision", "safetensors.torch", "tagassist.engine.indexer", "tagassist.engine.encoders")
PROBE = """
import json, os, sys
from tagassist.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "heavy": sorted(m for m in json.loads(os.environ["PROBED"]) if m in sys.modules)}))
"""
# What a suggestion for an indexed photo does not use either (issue 25: a cold ``suggest`` at
# 0.6 s): reading files, scanning, image decoding, faces, sqlite-utils, the other commands.
NOT_FOR_A_SUGGESTION = ("sqlite_utils", "PIL", "exifread", "pillow_heif", "tagassist.library.scanner",
                        "tagassist.services.scanning", "tagassist.services.faces", "tagassist.services.finding",
                        "tagassist.cli.library_commands", "tagassist.cli.export_command",
                        "tagassist.cli.model_commands")

PHOTO = "2024-05 Rome/DSCF1000.jpg"
READ_ONLY = {  # command -> its arguments
    "suggest": [PHOTO, "-k", "5"],
    "photos": ["--untagged"],
    "tags": [PHOTO],
    "tag": [PHOTO, "--add", "ruins"],
    "keywords": ["list"],
    "export": ["--all", "--dry-run"],
    "find": ["Roma2024", "--limit", "3"],
    "models": ["list"],
    "stats": [],
    "doctor": [],
    "scan": ["."],
    "faces": [PHOTO],
    "people": ["list"],
}
COMPUTES = {"index", "train", "eval", "demo", "self-test", "gui"}  # embeddings, training, the app


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """Two shoots of the sample library, scanned and indexed once for the module (in private
    data folders: the per-test ones come after a module's fixtures)."""
    folder = tmp_path_factory.mktemp("imports")
    shutil.copytree(SAMPLE_LIBRARY / "2024-05 Rome", folder / "lib" / "2024-05 Rome")
    shutil.copytree(SAMPLE_LIBRARY / "2024-07 Algarve", folder / "lib" / "2024-07 Algarve")
    db = folder / "lib.sqlite"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TAGASSIST_DATA_DIR", str(folder / "data"))
        env.setenv("TAGASSIST_CACHE_DIR", str(folder / "cache"))
        assert main(["--db", str(db), "scan", str(folder / "lib")]) == 0
        assert main(["--db", str(db), "index", "--device", "cpu"]) == 0
    return folder / "lib", db


def probe(library, *args, modules=HEAVY) -> dict:
    """What the command returned, and which of ``modules`` it imported."""
    root, db = library
    done = subprocess.run([sys.executable, "-c", PROBE, "--db", str(db), *map(str, args)], cwd=root,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PROBED": json.dumps(modules)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_activating_a_model_imports_no_torch(library):
    """A model is verified (its checksum, its tensors readable) and made active without torch;
    version 0 goes back to the untrained engine and the shipped encoder's name."""
    assert probe(library, "models", "activate", "0") == {"code": 0, "heavy": []}


def test_every_command_is_either_checked_here_or_computes_embeddings():
    commands = set(next(a for a in build_parser()._actions if a.dest == "command").choices)
    assert commands - COMPUTES <= set(READ_ONLY), "a new command: say here whether it may import torch"


@pytest.mark.parametrize("command", sorted(READ_ONLY))
def test_a_command_that_computes_no_embedding_never_imports_torch(library, command):
    if command not in next(a for a in build_parser()._actions if a.dest == "command").choices:
        pytest.skip(f"no '{command}' command in this tree")
    result = probe(library, command, *READ_ONLY[command])
    assert result == {"code": 0, "heavy": []}


def test_a_suggestion_for_an_indexed_photo_loads_only_what_it_uses(library):
    """The command's own module, the store without sqlite-utils, the engine: not the scanner,
    the file formats, the faces or the other commands (each command's module is imported
    when it runs)."""
    assert probe(library, "suggest", PHOTO, "-k", "5", modules=NOT_FOR_A_SUGGESTION) == {"code": 0, "heavy": []}


def test_a_photo_without_an_embedding_is_indexed_before_it_is_suggested_for(library):
    root, db = library
    new = root / "2024-05 Rome" / "DSCF1000-copy.jpg"
    with open(SAMPLE_LIBRARY / "2024-08 Home" / "IMG1206.jpg", "rb") as source:
        new.write_bytes(source.read())  # other pixels: no stored vector can be shared
    try:
        result = probe(library, "suggest", new, "-k", "5")
        assert result["code"] == 0 and "torch" in result["heavy"] and "tagassist.engine.encoders" in result["heavy"]
        assert probe(library, "suggest", new, "-k", "5") == {"code": 0, "heavy": []}  # its vector was kept
    finally:
        new.unlink()
        assert main(["--db", str(db), "scan", str(root)]) == 0  # gone again for the other tests


def test_the_probe_sees_torch_when_a_command_does_embed(library):
    """The inspection can fail: ``index`` builds the encoder, and the probe says so."""
    assert "torch" in probe(library, "index", "--device", "cpu")["heavy"]
