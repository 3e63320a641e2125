"""The installers' moving parts that can be checked without building: the frozen app's trainer
entry, portable mode, the CPU build's requirements and the OS matrix of the workflow. The build
itself is proved by packaging/build.sh (a separate step: it takes minutes)."""

import os
import re
import runpy
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import yaml

from tagassist import launcher
from tests.conftest import REPO


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower()


def test_cpu_build_requirements_follow_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["heic"]}
    wanted = (wanted - {"torchvision"}) | {"pyinstaller"}
    lines = [line for line in (REPO / "packaging/requirements-cpu.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert {_name(line) for line in lines} == wanted
    torch_pin = next(line for line in lines if _name(line) == "torch")
    assert torch_pin == "torch==2.13.0"  # the CPU build; a range would let pip pick a CUDA one


def test_workflow_builds_and_smoke_tests_on_three_operating_systems():
    workflow = yaml.safe_load((REPO / ".github/workflows/installers.yml").read_text())
    job = workflow["jobs"]["build"]
    systems = [entry["os"] for entry in job["strategy"]["matrix"]["include"]]
    assert {s.split("-")[0] for s in systems} == {"ubuntu", "windows", "macos"}
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "pytest" in script and "packaging/build.sh" in script
    assert "--self-test" in script and "self-test" in script and "iscc" in script and "make-dmg.sh" in script
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in job["steps"])


def test_trainer_command_in_a_source_install_uses_this_python():
    assert launcher.trainer_command("train", "--db", "x") == [sys.executable, "-m", "trainer", "train", "--db", "x"]


def test_frozen_app_runs_the_trainer_through_its_console_executable(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "tagassist"))
    command = launcher.trainer_command("train", "--db", "x")
    suffix = ".exe" if sys.platform == "win32" else ""
    assert command == [str(tmp_path / f"tagassist-cli{suffix}"), "--run-trainer", "train", "--db", "x"]


def test_console_entry_hands_run_trainer_to_the_trainer():
    code = "import sys; from tagassist.launcher import cli_main; sys.argv = ['tagassist-cli', '--run-trainer', '--help']; cli_main()"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0 and "python -m trainer" in done.stdout and "train" in done.stdout
    code = "import sys; from tagassist.launcher import cli_main; sys.argv = ['tagassist-cli', '--version']; cli_main()"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("tagassist ")


def _run_portable_hook(monkeypatch, executable: Path) -> dict:
    for key in ("TAGASSIST_DATA_DIR", "TAGASSIST_CACHE_DIR", "TORCH_HOME"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(sys, "executable", str(executable))
    runpy.run_path(str(REPO / "packaging/hooks/rthook_portable.py"))
    return {k: os.environ.get(k) for k in ("TAGASSIST_DATA_DIR", "TAGASSIST_CACHE_DIR")}


def test_portable_mode_keeps_data_beside_the_executable(monkeypatch, tmp_path):
    (tmp_path / "portable").touch()
    found = _run_portable_hook(monkeypatch, tmp_path / "tagassist")
    assert found == {"TAGASSIST_DATA_DIR": str(tmp_path.resolve() / "data"),
                     "TAGASSIST_CACHE_DIR": str(tmp_path.resolve() / "cache")}


def test_without_the_portable_marker_data_stays_in_the_user_profile(monkeypatch, tmp_path):
    assert _run_portable_hook(monkeypatch, tmp_path / "tagassist") == {"TAGASSIST_DATA_DIR": None,
                                                                      "TAGASSIST_CACHE_DIR": None}


RESEARCH = "trainer.research"
SHIPPED_MODELS = ("mp", "mp-u", "mp-i", "mp-ui", "bll-u", "bll-ui", "engine")  # tagassist eval runs them in a bundle
# As a bundle misses the research folder: any import of it fails.
WITHOUT_RESEARCH = ("import sys\n"
                    "class Missing:\n"
                    "    def find_spec(self, name, path=None, target=None):\n"
                    f"        if name == {RESEARCH!r} or name.startswith({RESEARCH + '.'!r}):\n"
                    "            raise ModuleNotFoundError(name=name)\n"
                    "sys.meta_path.insert(0, Missing())\n")


def test_the_apps_training_and_evaluation_never_import_the_papers_models():
    """The installers leave the research folder out (packaging/tagassist.spec): retraining,
    judging, the engine and `tagassist eval`'s default models must run without it, and asking
    for one of its models where it is missing says so in one line."""
    code = ("import sys, trainer.__main__, trainer.pipeline, trainer.modes, trainer.evaluate, trainer.engine_model,"
            " trainer.search, trainer.store_data\n"
            "from trainer.registry import make_model\n"
            "for name in ('mp-u', 'mp-ui', 'bll-ui', 'engine'): make_model(name)\n"
            f"print(sorted(m for m in sys.modules if m == {RESEARCH!r} or m.startswith({RESEARCH + '.'!r})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    # Without the folder (as in a bundle), a research model is refused in words; the rest run.
    blocked = WITHOUT_RESEARCH + ("from trainer.registry import make_model\n"
                                  f"for name in {SHIPPED_MODELS!r}: make_model(name)\n"
                                  "from trainer.evaluate import main\n"
                                  "sys.exit(main(['--dataset', 'tagrec:missing.txt', '--models', 'pitf']))")
    done = subprocess.run([sys.executable, "-c", blocked], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 1 and "research model, not part of this installation" in done.stderr, done.stderr


def test_every_papers_model_lives_in_the_research_folder():
    from trainer.registry import MODELS, make_model

    homes = {name: type(make_model(name)).__module__ for name in MODELS}
    assert {name for name, module in homes.items() if not module.startswith(RESEARCH + ".")} == set(SHIPPED_MODELS)
    assert homes["pitf"] == "trainer.research.pitf" and homes["cnn-permlp"] == "trainer.research.permlp_model"


def _run_spec(monkeypatch, extra_research: str) -> dict:
    """packaging/tagassist.spec run with PyInstaller's build API stood in for (it is not
    installed here): returns the spec's Analysis arguments. collect_submodules lists a package's
    modules from its folder and filters them by name, as PyInstaller's does, and also lists
    ``extra_research``: a research model added after the spec was written."""
    analyses = []

    def collect_submodules(package, filter=lambda name: True, on_error="warn once"):
        names = []
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        if package == "trainer":
            names.append(extra_research)
        return [name for name in sorted(set(names)) if filter(name)]

    class Analysis:
        def __init__(self, scripts, **kwargs):
            analyses.append(kwargs)
            self.pure, self.scripts, self.binaries, self.datas = [], [], [], []

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = collect_submodules
    hooks.collect_data_files = lambda package, **kwargs: []
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec puts the repository first
    stub = lambda *args, **kwargs: types.SimpleNamespace()  # noqa: E731 - EXE, PYZ, COLLECT, BUNDLE
    spec = REPO / "packaging" / "tagassist.spec"
    exec(compile(spec.read_text(), str(spec), "exec"),
         {"SPECPATH": str(spec.parent), "Analysis": Analysis, "EXE": stub, "PYZ": stub, "COLLECT": stub,
          "BUNDLE": stub, "__name__": "__main__"})
    assert len(analyses) == 2  # the app and the CLI (which is also the trainer)
    assert analyses[0]["hiddenimports"] == analyses[1]["hiddenimports"]
    return analyses[0]


def test_the_installers_leave_out_the_research_folder_and_ship_the_rest_of_the_trainer(monkeypatch):
    """By folder, not by a list: a research model added later stays out with no change to the spec."""
    analysis = _run_spec(monkeypatch, extra_research="trainer.research.a_later_paper")
    hidden, excludes = set(analysis["hiddenimports"]), set(analysis["excludes"])
    research = {name for name in hidden if name == RESEARCH or name.startswith(RESEARCH + ".")}
    assert research == set() and RESEARCH in excludes
    shipped = {".".join(p.relative_to(REPO).with_suffix("").parts) for p in (REPO / "trainer").glob("*.py")}
    shipped = {name.removesuffix(".__init__") for name in shipped}
    assert {"trainer", "trainer.__main__", "trainer.pipeline", "trainer.modes", "trainer.control", "trainer.evaluate",
            "trainer.engine_model", "trainer.baselines"} <= shipped
    assert shipped <= hidden
    assert "tagassist" in hidden and "tagassist.cli" in hidden
