"""How the trainer is laid out (issue 22): what ships apart from what is research, one cancel
protocol, every training mode a strategy object, and small files."""

import ast
import os
import signal

import pytest

from tests.conftest import REPO
from tests.support.imports import import_statements
from trainer.control import Stopped, StopRequest, checkpoint
from trainer.modes import MODES
from trainer.pipeline import TrainConfig

TRAINER = REPO / "trainer"


def _sources():
    return sorted(TRAINER.rglob("*.py"))


def _imported(path) -> set[str]:
    """Every module the file imports, wherever the import stands, relative ones resolved."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    package = parts if parts[-1] == "__init__" else parts[:-1]
    package = [p for p in package if p != "__init__"]
    found = set()
    for base, names in import_statements(path, package):
        found.update({base} | {f"{base}.{name}" for name in names})
    return found


def _is_research(module: str) -> bool:
    return module == "trainer.research" or module.startswith("trainer.research.")


def test_nothing_that_ships_imports_the_research_folder():
    """Not even lazily: the installers leave trainer/research out, and the registry reaches its
    models by name only (tests/packaging/test_packaging.py runs it without them)."""
    offenders = [f"{path.relative_to(REPO)} -> {module}" for path in _sources()
                 if "research" not in path.relative_to(TRAINER).parts
                 for module in sorted(_imported(path)) if _is_research(module)]
    assert offenders == []


def test_the_import_check_sees_a_lazy_relative_import():
    shipped = TRAINER / "evaluate.py"
    assert "trainer.metrics" in _imported(shipped) and "trainer.store_data" in _imported(shipped)  # in a function
    assert "trainer.model_api" in _imported(TRAINER / "research" / "pitf.py")


def test_only_the_cancel_protocol_raises_stopped():
    """Every loop stops through control.checkpoint; no second way of stopping grows back."""
    raising = sorted(str(path.relative_to(TRAINER)) for path in _sources()
                     for node in ast.walk(ast.parse(path.read_text()))
                     if isinstance(node, ast.Raise) and node.exc is not None
                     and "Stopped" in ast.unparse(node.exc))
    assert raising == ["control.py"]


def test_sigterm_asks_for_a_stop_only_while_the_trainer_listens():
    before = signal.getsignal(signal.SIGTERM)
    stop = StopRequest()
    checkpoint(stop)  # nothing asked yet
    with stop.listening(control_stdin=False):
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop()
        with pytest.raises(Stopped):
            checkpoint(stop)
    assert signal.getsignal(signal.SIGTERM) is before


def test_every_training_mode_is_a_strategy_with_its_defaults():
    from tagassist.options import TRAINER_MODES

    assert set(MODES) == set(TRAINER_MODES)
    assert {name: mode.name for name, mode in MODES.items()} == {name: name for name in MODES}
    full = TrainConfig.for_mode("full", epochs=2)
    assert (full.mode, full.epochs, full.batch_size, full.folds) == ("full", 2, 16, 1)
    assert TrainConfig.for_mode("head") == TrainConfig()
    with pytest.raises(ValueError, match="unknown training mode 'bogus'"):
        TrainConfig.for_mode("bogus")


def test_the_pipeline_never_asks_which_mode_runs():
    """The modes differ in their strategy objects (trainer/modes.py), not in branches here."""
    pipeline = ast.parse((TRAINER / "pipeline.py").read_text())
    compared = [ast.unparse(node) for node in ast.walk(pipeline)
                if isinstance(node, ast.Compare) and "mode" in ast.unparse(node)]
    assert compared == []


def test_no_trainer_file_is_over_450_lines():
    long = {str(path.relative_to(REPO)): n for path in _sources() if (n := len(path.read_text().splitlines())) > 450}
    assert long == {}
