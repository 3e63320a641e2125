"""Fixtures of the end-to-end tests."""

import os

import pytest

from tagassist.cli import main


@pytest.fixture
def cli(tmp_path, capsys):
    """``cli(*args, profile=None) -> (exit code, output)``: the tagassist command on a fresh
    library database (``cli.db``), as a photographer types it."""
    db = tmp_path / "lib.sqlite"

    def run(*args, profile=None):
        code = main(["--db", str(db), *(["--profile", profile] if profile else []), *map(os.fspath, args)])
        out = capsys.readouterr()
        return code, out.out + out.err

    run.db = db
    return run
