"""Shared fixtures. Every test gets its own data and cache directories, never the user's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Looking for faces costs seconds a library: only the tests of faces turn it on (--faces on).
os.environ["TAGASSIST_FACES"] = "off"

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE_LIBRARY = REPO / "resources" / "sample-library"


def need_shared(*parts: str) -> Path:
    """A path inside ../shared; skipped locally when absent, a failure in CI (except where CI
    says it has no shared/, as the public installer workflow does)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") and not os.environ.get("TAGASSIST_NO_SHARED"):
            pytest.fail(f"{path} is missing: CI must run with shared/ beside the checkout")
        pytest.skip(f"{path} not present")
    return path


def need_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed: .ci/run must install it")
        pytest.skip(f"{name} not installed")
    return found


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory, monkeypatch):
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TAGASSIST_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("TAGASSIST_CACHE_DIR", str(base / "cache"))


@pytest.fixture
def store(tmp_path):
    from tagassist.store import Store

    with Store(tmp_path / "library.sqlite") as s:
        yield s


@pytest.fixture(scope="session")
def indexed_sample(tmp_path_factory) -> Path:
    """The sample library scanned and indexed (on the CPU) once per run: a database that tests
    copy before they change it."""
    from tagassist.cli import main

    db = tmp_path_factory.mktemp("indexed-sample") / "lib.sqlite"
    assert main(["--db", str(db), "scan", str(SAMPLE_LIBRARY)]) == 0
    assert main(["--db", str(db), "index", "--device", "cpu"]) == 0
    return db


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A private copy of the sample library that a test may change."""
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE_LIBRARY, target)
    return target


@pytest.fixture
def cli(tmp_path, capsys):
    """``cli(*args, profile=None) -> (exit code, output)``: the tagassist command on a fresh
    library database (``cli.db``), as a photographer types it."""
    from tagassist.cli import main

    db = tmp_path / "lib.sqlite"

    def run(*args, profile=None):
        code = main(["--db", str(db), *(["--profile", profile] if profile else []), *map(os.fspath, args)])
        out = capsys.readouterr()
        return code, out.out + out.err

    run.db = db
    return run
