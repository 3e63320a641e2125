"""ruff, configured in pyproject.toml, finds nothing in the repository. CI runs pytest, so the
lint runs here (ruff comes with the ``test`` extra)."""

import importlib.util
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


def ruff(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    if importlib.util.find_spec("ruff") is None:
        if os.environ.get("CI"):
            pytest.fail("ruff is not installed: it is part of the test extra")
        pytest.skip("ruff not installed")
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_ruff_finds_nothing():
    done = ruff(".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_reads_the_projects_rules(tmp_path):
    """The check above can fail: with the project's rules, an unused import and a stale noqa are found."""
    (tmp_path / "bad.py").write_text("import os\n\nx = 1  # noqa: E731\n")
    done = ruff("--config", str(REPO / "pyproject.toml"), "bad.py", cwd=tmp_path)
    assert done.returncode == 1 and "F401" in done.stdout and "RUF100" in done.stdout, done.stdout
