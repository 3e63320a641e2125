"""Core packages never import Qt: they must work headless, in the trainer, in the CLI."""

import re
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


def test_sql_lives_in_the_store_package_only():
    """The engine, the trainer, the services, the CLI and the app ask the store; none of them
    writes SQL or reaches for its connection."""
    import re

    sql = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b")
    offenders = []
    store = REPO / "tagassist" / "store"
    for folder in ("tagassist", "trainer"):
        for path in (REPO / folder).rglob("*.py"):
            if store in path.parents:
                continue
            text = path.read_text()
            for number, line in enumerate(text.splitlines(), 1):
                if sql.search(line) or ".database." in line or ".conn.execute" in line:
                    offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_app_uses_the_services_not_the_cli():
    offenders = [str(path.relative_to(REPO)) for path in (REPO / "tagassist" / "ui").rglob("*.py")
                 if re.search(r"from \.\.cli|import tagassist\.cli|from tagassist\.cli", path.read_text())]
    assert offenders == []
