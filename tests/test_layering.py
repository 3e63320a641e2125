"""Core packages never import Qt: they must work headless, in the trainer, in the CLI."""

import subprocess
import sys

from tests.conftest import REPO

CORE = ["tagassist.store", "tagassist.library", "tagassist.engine.suggest", "tagassist.engine.indexer",
        "tagassist.engine.encoders", "tagassist.cli", "tagassist.paths"]


def test_core_packages_do_not_import_qt():
    code = (
        f"import sys, importlib\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'tagassist.ui', 'trainer')))\n"
        f"assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_trainer_does_not_import_qt():
    code = (
        "import sys, trainer.evaluate\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'tagassist.ui')))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_only_the_ui_package_imports_qt():
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("tagassist", "trainer")
        for path in (REPO / folder).rglob("*.py")
        if "ui" not in path.relative_to(REPO).parts and "PySide6" in path.read_text()
    ]
    assert offenders == []
