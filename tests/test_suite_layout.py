"""How the tests are laid out: one folder per package they test, fixtures from ``tests/support``
and ``photosim`` (which the benchmarks share), never from ``benchmarks``; the shipped code
imports none of them (issue 22)."""

from pathlib import Path

from tests.conftest import REPO
from tests.support.imports import import_statements

TESTS = REPO / "tests"
# Folders of tests/ that hold helpers, not tests of a package.
HELPERS = {"support", "__pycache__"}


def _importing(folder: Path, roots: tuple[str, ...]) -> list[str]:
    """'file: module' for each import statement under ``folder`` (lazy ones too) of a module
    in one of the top-level packages ``roots``."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        package = list(path.relative_to(folder.parent).parent.parts)
        found += [f"{path.relative_to(folder.parent)}: {module}" for module, _ in import_statements(path, package)
                  if module.split(".")[0] in roots]
    return found


def test_no_test_imports_the_benchmarks():
    """A fixture a test needs lives in tests/support or photosim/: a benchmark is free to change."""
    assert _importing(TESTS, ("benchmarks",)) == []


# The one place the shipped code writes a simulated photographer: 'tagassist demo --retrain'
# (issue 23, 7), for which photosim is installed with tagassist (pyproject.toml, the spec).
WRITES_THE_DEMO_HISTORY = ["tagassist/services/retrain_demo.py: photosim.metadata",
                           "tagassist/services/retrain_demo.py: photosim.photographers"]


def test_the_shipped_code_imports_no_tests_benchmarks_or_simulation():
    for folder in ("tagassist", "trainer"):
        assert _importing(REPO / folder, ("tests", "benchmarks")) == []
    assert _importing(REPO / "trainer", ("photosim",)) == []
    assert _importing(REPO / "tagassist", ("photosim",)) == WRITES_THE_DEMO_HISTORY


def test_the_simulation_shipped_for_the_demo_imports_no_tests_or_benchmarks():
    assert _importing(REPO / "photosim", ("tests", "benchmarks")) == []


def test_each_test_folder_mirrors_a_package():
    """tests/x/ tests the package tagassist/x/ (or x/ at the top, as trainer/ and packaging/);
    tests/x/y/ the package below it."""
    strays = []
    for folder in TESTS.rglob("*"):
        parts = folder.relative_to(TESTS).parts
        if not folder.is_dir() or HELPERS & set(parts):
            continue
        if not any((REPO / root).joinpath(*parts).is_dir() for root in ("tagassist", ".")):
            strays.append("/".join(parts))
    assert strays == []


def test_each_test_folder_is_a_package():
    """tests/ui/test_x.py imports as tests.ui.test_x, so two folders may each test an x: without
    __init__.py pytest imports both as test_x and stops the whole run at the second."""
    folders = [TESTS, *(f for f in TESTS.rglob("*") if f.is_dir() and not HELPERS & set(f.relative_to(TESTS).parts))]
    assert [str(f.relative_to(REPO)) for f in folders if not (f / "__init__.py").exists()] == []


def test_the_check_sees_a_lazy_import_of_the_benchmarks(tmp_path):
    (tmp_path / "test_x.py").write_text("def test_x():\n    from benchmarks.scan import make_library\n")
    assert _importing(tmp_path, ("benchmarks",)) == [f"{tmp_path.name}/test_x.py: benchmarks.scan"]
