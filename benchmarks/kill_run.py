"""Crash consistency under ``kill -9`` (issue 21, "never lose a keyword").

    python -m benchmarks.kill_run                          # 200 kills, seed 2112, at most 15 minutes
    python -m benchmarks.kill_run --kills 30 --seed 7 --json out.json
    python -m benchmarks.kill_run --kills 30 --keep        # keep the library and database to look at

It builds a realistic library in a temporary folder (``benchmarks/kill_library.py``: RAW+JPEG
pairs of real RAW files, Lightroom, darktable and digiKam sidecars, embedded XMP and IPTC, two
photos with one stem, names that differ only in case, a hard-linked JPEG, real photos), lets
two profiles (anna, ben) scan and tag it, and then, over and over, starts one of these
commands and kills it with SIGKILL at a random moment:

    scan, export --all (default style, --style darktable, --style digikam, --embed),
    export --undo, tag --add, tag --remove, keywords rename, keywords merge, keywords undo

Each command's typical duration is measured once at the start (a warm-up that runs every
kind to completion) and then follows the median of its last five complete runs (on a loaded
machine every command slows down). A kill comes after a random time up to that duration: half
of them anywhere in it, half after the interpreter's start-up, where the command does its
work. A command that finishes first is no kill; the soak goes on until ``--kills`` kills. The
recovery is what a user would do: run the killed command again to completion (an undo only if
it had not taken effect, a merge with the sources still left), then ``scan``. Then:

1. ``PRAGMA integrity_check`` is ok (the database opened read-only);
2. every image decodes fully with its pixels unchanged, RAW files are byte-identical, every
   sidecar is XML and keeps what other tools wrote in it (ratings, darktable's history,
   digiKam's labels), the hard link is still one file;
3. no keyword is lost. A ledger of what each profile did (``tag --add/--remove``, renames and
   merges, keyword undo, keywords other tools wrote) is held against ``tagassist tags PHOTO
   --json``: a keyword the ledger says the profile has is there; one it removed is not, where
   tagassist recorded the removal (a keyword the profile never had and never objected to
   arrives from the files by design). A keyword another tool wrote stays in the photo's files
   unless some profile removed or renamed it. After a completed export and its scan (3c): the
   scan changed no profile's history (nothing dropped or "removed by another tool", nothing
   imported by the exporting profile on a photo it exported), the files hold every keyword of
   the exporting profile, and every keyword any profile has that the files held before;
4. ``export --undo`` after a killed export (half of them) completes, the files it reports as
   restored equal their content before that export, and the files the killed export wrote are
   back as they were; after a killed undo run again, the files of that export are back too;
5. no command prints "Traceback".

A violation is reported once (then the ledger follows what tagassist has), with the cycle, the
commands of that cycle, the file and the keyword. Exit status 1 if there was any. The table:
kills per command kind and violations per invariant, by the kind of the cycle they appeared
in. ``--code`` picks the tagassist that runs: a copy of the checkout's tagassist/ taken at the
start (the default: others may edit the checkout meanwhile), that of a git revision
(``--code HEAD``: the last commit, without edits in progress), or the checkout itself (``live``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import kill_library as kl

REPO = Path(__file__).resolve().parents[1]
PROFILES = ("anna", "ben")
KINDS = ("scan", "export", "export --style darktable", "export --style digikam", "export --embed", "export --undo",
         "tag --add", "tag --remove", "keywords rename", "keywords merge", "keywords undo")
EXPORT_ARGS = {"export": [], "export --style darktable": ["--style", "darktable"],
               "export --style digikam": ["--style", "digikam"], "export --embed": ["--embed"]}
INVARIANTS = ("1", "2", "3", "3c", "4", "5")
VOCABULARY = ["sunset", "beach", "family", "architecture", "Roma2024", "night", "portrait", "Café", "dog", "food",
              "garden", "Zürich", "car", "Places|Italy|Rome", "Places|Italy|Florence", "Places|Italy", "People|Anna",
              "People|Ben", "Events|Wedding 2024", "Places|Switzerland|Zürich"]
FRESH = ["trip", "golden hour", "street", "Gelato", "market", "Events|Birthday", "Places|Italy|Rome|Trastevere"]

# The helper that reads state through the CLI's own commands (``tagassist.cli.main``), many per
# request, one request (a JSON line of argument lists) after another; each command opens the
# database afresh, as a process of its own would.
_QUERY = r"""
import contextlib, io, json, sys, traceback
from tagassist.cli import main
for line in sys.stdin:
    results = []
    for argv in json.loads(line):
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = main(argv)
        except SystemExit as exit:
            rc = exit.code
        except BaseException:
            rc = "exception"
            err.write(traceback.format_exc())
        results.append({"rc": rc, "out": out.getvalue(), "err": err.getvalue()})
    sys.__stdout__.write(json.dumps(results) + "\n")
    sys.__stdout__.flush()
"""


def utc(moment: str | None = None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    value = datetime.fromisoformat(moment)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class Result:
    args: list[str]
    profile: str
    rc: int | None
    out: str
    err: str
    seconds: float
    killed: bool
    start: datetime
    end: datetime

    @property
    def line(self) -> str:
        return f"tagassist --profile {self.profile} " + " ".join(_quote(a) for a in self.args)


def _quote(arg: str) -> str:
    return f"'{arg}'" if (not arg or any(c in arg for c in " |'\"()")) else arg


@dataclass
class Invocation:
    """One export command (killed or not): the files before and after it."""

    start: datetime
    end: datetime
    pre: dict[str, str]
    post: dict[str, str]


@dataclass
class Cycle:
    index: int
    kind: str
    profile: str
    kill: bool
    commands: list[str] = field(default_factory=list)
    killed_at_ms: int | None = None
    killed: bool = False
    reported: set = field(default_factory=set)  # (profile, photo, tag) already reported this cycle
    started: str = field(default_factory=lambda: utc().isoformat(timespec="milliseconds"))


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.scratch = Path(tempfile.mkdtemp(prefix="tagassist-kill-")).resolve()
        self.db = str(self.scratch / "library.sqlite")
        self.exiftool = kl.ExifTool.start()
        self.env = dict(os.environ)
        for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
            self.env[var] = str(self.scratch / "home" / sub)
        self.code_revision = None
        self.code = self._code(args.code)
        self.contents: dict[str, bytes] = {}  # digest -> bytes (snapshots share them)
        self.ledger: dict[str, dict[str, dict[str, str]]] = {p: defaultdict(dict) for p in PROFILES}
        self.required: dict[str, set[str]] = defaultdict(set)  # photo -> keywords its files must keep
        self.invocations: list[Invocation] = []
        self.edits: dict[tuple[str, int], dict] = {}  # (profile, edit) -> names, photos, what they had before
        self.why: dict[tuple[str, str, str], str] = {}  # (profile, photo, tag) -> why the ledger expects it
        self.trace: list[dict] = []  # every cycle's commands
        self.violations: list[dict] = []
        self.flagged: set = set()
        self.stats: dict[str, Counter] = defaultdict(Counter)
        self.kill_ms: dict[str, list[int]] = defaultdict(list)
        self.observations: Counter = Counter()
        self.examples: dict[str, str] = {}
        self.durations: dict[str, float] = {}  # the typical duration of each kind, for the kill times
        self.recent: dict[str, list[float]] = {}
        self.fresh = 0
        self.temporaries: set[str] = set()
        self.interrupted = False
        self.helper: subprocess.Popen | None = None
        self.cycle: Cycle | None = None

    # -- running tagassist --------------------------------------------------------------------
    def _code(self, choice: str) -> str:
        if choice == "live":
            return "live"
        if choice not in ("copy", "live") and not Path(choice).is_dir():  # a git revision: its tagassist/
            rev = subprocess.run(["git", "rev-parse", "--verify", "--short", f"{choice}^{{commit}}"], cwd=REPO,
                                 capture_output=True, text=True).stdout.strip()
            if not rev:
                raise SystemExit(f"--code {choice}: neither copy, live, a folder nor a git revision")
            (self.scratch / "code").mkdir()
            archive = subprocess.run(["git", "archive", rev, "tagassist"], cwd=REPO, capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(self.scratch / "code")], input=archive.stdout, check=True)
            self.code_revision = rev
            choice = str(self.scratch / "code")
        if choice != "copy":  # a folder that holds a version's tagassist/ (git archive REV tagassist)
            if not (Path(choice) / "tagassist" / "__init__.py").exists():
                raise SystemExit(f"--code {choice}: no tagassist/ package there")
            if not (Path(choice) / "resources").exists():
                (Path(choice) / "resources").symlink_to(REPO / "resources")
            self.env["PYTHONPATH"] = str(Path(choice).resolve()) + os.pathsep + self.env.get("PYTHONPATH", "")
            return str(Path(choice).resolve())
        snapshot = self.scratch / "code"
        snapshot.mkdir()
        shutil.copytree(REPO / "tagassist", snapshot / "tagassist",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (snapshot / "resources").symlink_to(REPO / "resources")
        self.env["PYTHONPATH"] = str(snapshot) + os.pathsep + self.env.get("PYTHONPATH", "")
        return str(snapshot)

    def cli(self, profile: str, args: list[str], kill_after: float | None = None) -> Result:
        cmd = [sys.executable, "-m", "tagassist", "--db", self.db, "--profile", profile, *args]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start, began = utc(), time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=self.env, cwd=self.scratch)
            killed = False
            if kill_after is not None:
                try:
                    proc.wait(kill_after)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
                    killed = True
            rc = proc.wait()
            seconds, end = time.perf_counter() - began, utc()
            out.seek(0)
            err.seek(0)
            result = Result(args, profile, None if killed else rc, out.read().decode("utf-8", "replace"),
                            err.read().decode("utf-8", "replace"), seconds, killed, start, end)
        if self.cycle is not None:
            self.cycle.commands.append(result.line + ("   # killed" if killed else f"   # exit {rc}"))
        if "Traceback" in result.err:
            self.violate("5", "Traceback on stderr", command=result.line,
                         detail=result.err.strip().splitlines()[-1][:300], key=("5", result.line[:60],
                                                                                  result.err.strip()[-200:]))
        return result

    def query(self, requests: list[tuple[str, list[str]]]) -> list[dict]:
        """CLI commands that only read, run by the helper process."""
        argvs = [["--db", self.db, "--profile", profile, *args] for profile, args in requests]
        if self.helper is None or self.helper.poll() is not None:
            self.helper = subprocess.Popen([sys.executable, "-c", _QUERY], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, text=True, env=self.env, cwd=self.scratch)
        self.helper.stdin.write(json.dumps(argvs) + "\n")
        self.helper.stdin.flush()
        line = self.helper.stdout.readline()
        if not line:
            raise RuntimeError("the state query helper stopped")
        results = json.loads(line)
        for (profile, args), result in zip(requests, results):
            if "Traceback" in result["err"]:
                line = f"tagassist --profile {profile} " + " ".join(_quote(a) for a in args)
                self.violate("5", "Traceback on stderr", command=line,
                             detail=result["err"].strip().splitlines()[-1][:300],
                             key=("5", args[0], result["err"].strip()[-200:]))
        return results

    def stop_helper(self) -> None:
        if self.helper is not None and self.helper.poll() is None:
            try:
                self.helper.stdin.close()
                self.helper.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.helper.kill()  # interrupted mid-request: nobody reads its answer
                self.helper.wait()
        self.helper = None

    def query_json(self, profile: str, args: list[str]):
        result = self.query([(profile, args)])[0]
        return json.loads(result["out"]) if result["rc"] == 0 and result["out"].strip() else None

    # -- recording ----------------------------------------------------------------------------
    def violate(self, invariant: str, what: str, *, key=None, **detail) -> None:
        key = key or (invariant, what, tuple(sorted((k, str(v)) for k, v in detail.items())))
        if key in self.flagged:
            return
        self.flagged.add(key)
        cycle = self.cycle
        record = {"invariant": invariant, "what": what, **detail}
        if cycle is not None:
            record.update(cycle=cycle.index, kind=cycle.kind, profile=cycle.profile, killed=cycle.killed,
                          killed_at_ms=cycle.killed_at_ms, commands=list(cycle.commands))
            self.stats[cycle.kind]["v" + invariant] += 1
        self.violations.append(record)
        print(f"  VIOLATION {invariant}: {what}: " + "; ".join(f"{k}={v}" for k, v in detail.items()),
              file=sys.stderr, flush=True)

    def observe(self, what: str, example: str) -> None:
        self.observations[what] += 1
        where = f"cycle {self.cycle.index}: " if self.cycle is not None else ""
        self.examples.setdefault(what, where + example)

    # -- files --------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, str]:
        files = kl.read_all(self.lib.root, [outside for _, outside in self.lib.hardlinks])
        snap = {}
        for path, data in files.items():
            digest = kl.file_digest(data)
            self.contents.setdefault(digest, data)
            snap[path] = digest
        return snap

    def photo_keywords(self) -> dict[str, kl.FileKeywords]:
        """Per photo: the keywords of all its files together (read independently of tagassist)."""
        files = {photo: kl.photo_files(photo, jpeg, self.photos) for photo, jpeg in self.photos.items()}
        read = kl.read_keywords(sorted({f for fs in files.values() for f in fs}), None)
        merged = {}
        for photo, fs in files.items():
            flat = frozenset().union(*(read[f].flat for f in fs if f in read))
            hier = frozenset().union(*(read[f].hierarchical for f in fs if f in read))
            merged[photo] = kl.FileKeywords(flat, hier)
        return merged

    def confirm_with_exiftool(self, photo: str, keyword: str) -> bool:
        """Whether exiftool agrees that the photo's files lack ``keyword`` (where it is installed)."""
        if self.exiftool is None:
            return True
        read = kl.read_keywords(kl.photo_files(photo, self.photos[photo], self.photos), self.exiftool)
        return not any(k.holds(keyword) for k in read.values())

    # -- the library and its two photographers ----------------------------------------------------
    def setup(self) -> None:
        self.lib = kl.build_library(self.scratch, self.args.seed, self.exiftool)
        for note in self.lib.notes:
            print(f"note: {note}", file=sys.stderr)
        self.images, self.raws = {}, {}
        for path in sorted(str(p) for p in self.lib.root.rglob("*") if p.is_file()):
            if kl.is_raw(path):
                self.raws[path] = kl.file_digest(Path(path).read_bytes())
            elif kl.is_image(path):
                self.images[path] = kl.pixel_hash(path)
        for inside, outside in self.lib.hardlinks:
            self.images[outside] = self.images[inside]
        self.sidecars_at_start = dict(self.lib.sidecar_markers)
        for profile in PROFILES:
            self.cli(profile, ["scan", str(self.lib.root)])
        listed = self.query_json("anna", ["photos", "--json"])
        self.photos = {p["path"]: p.get("companion") for p in listed}
        self.status = {p["path"]: p["status"] for p in listed}
        self.canonical = {}
        for photo, companion in self.photos.items():
            self.canonical[photo] = photo
            if companion:
                self.canonical[companion] = photo
        names = {os.path.basename(p) for p in self.photos}
        self.interesting = [p for p in self.photos if os.path.basename(p) in
                            {"IMG_5.jpg", "IMG_5.png", "IMG_1.JPG", "img_1.jpg", "IMG_0100.jpg", "IMG_2001.CR2",
                             "IMG_2002.NEF", "IMG_2003.RAF", "IMG_2004.RW2", "IMG_2005.DNG", "DSCF1003.jpg",
                             "DSCF1004.jpg"} & names]
        state = self.read_state()
        for profile in PROFILES:  # what each imported: the ledger's start
            for photo, info in state[profile].items():
                for tag in info["tags"]:
                    self.expect(profile, photo, tag, "present", "imported by the first scan")
        for photo, keywords in self.photo_keywords().items():
            self.required[photo] = keywords.keywords()
        # Each photographer types a little before anything is killed.
        for profile in PROFILES:
            for _ in range(3):
                self.tag(profile, self.pick_photos(3), add=self.pick_words(2))

    def pick_photos(self, most: int) -> list[str]:
        count = self.rng.randint(1, most)
        pool = list(self.photos)
        chosen = []
        while len(chosen) < count:
            photo = self.rng.choice(self.interesting if self.rng.random() < 0.5 else pool)
            if photo not in chosen:
                chosen.append(photo)
        return chosen

    def pick_words(self, most: int) -> list[str]:
        words = []
        for _ in range(self.rng.randint(1, most)):
            if self.rng.random() < 0.25:
                self.fresh += 1
                words.append(f"{self.rng.choice(FRESH)} {self.fresh}")
            else:
                words.append(self.rng.choice(VOCABULARY))
        return list(dict.fromkeys(words))

    def as_given(self, photo: str) -> str:
        """The path a user would type: a pair's JPEG now and then."""
        companion = self.photos[photo]
        return companion if companion and self.rng.random() < 0.4 else photo

    def tag(self, profile: str, photos: list[str], *, add=(), remove=()) -> Result:
        args = ["tag", *[self.as_given(p) for p in photos]]
        if add:
            args += ["--add", *add]
        if remove:
            args += ["--remove", *remove]
        before = self.before_tagging(profile, photos) if remove else None
        result = self.cli(profile, args)
        if result.rc == 0:
            self.apply_tag(profile, photos, add, remove, before)
        else:
            self.observe("tag command failed", f"{result.line}: {result.err.strip()[:200]}")
        return result

    def expect(self, profile: str, photo: str, tag: str, state: str, why: str) -> None:
        """Set what the ledger expects, and remember why (for the report of a violation)."""
        self.ledger[profile][photo][tag] = state
        where = f"cycle {self.cycle.index}" if self.cycle else "setup"
        self.why[(profile, photo, tag)] = f"{state} since {where}: {why}"

    def apply_tag(self, profile: str, photos: list[str], add, remove, before: dict | None = None) -> None:
        """``before``: the profile's keywords and the files' before the command. A removal is
        recorded (and keeps the keyword out for good) where the photo had the keyword, in the
        history or in its files; removing one it had nowhere leaves nothing to object with when
        another profile's export brings it into the files later."""
        line = self.cycle.commands[-1] if self.cycle and self.cycle.commands else "tag"
        for photo in photos:
            for tag in add:
                self.expect(profile, photo, tag, "present", line)
            for tag in remove:
                had = before is None or tag in before["tags"][photo] or before["files"][photo].holds(tag)
                self.expect(profile, photo, tag, "absent" if had else "either", line)
                self.required[photo].discard(tag)

    def before_tagging(self, profile: str, photos: list[str]) -> dict:
        state = self.read_state()
        files = self.photo_keywords()
        return {"tags": {p: set(state[profile][p]["tags"]) for p in photos}, "files": files}

    def read_state(self) -> dict[str, dict[str, dict]]:
        """Each profile's keywords and removals on every photo, from ``tags PHOTO --json``."""
        requests = [(profile, ["tags", photo, "--json"]) for profile in PROFILES for photo in self.photos]
        results = self.query(requests)
        state: dict[str, dict[str, dict]] = {p: {} for p in PROFILES}
        for (profile, args), result in zip(requests, results):
            if result["rc"] != 0:
                self.observe("tags --json failed", f"{args[1]}: {result['err'].strip()[:200]}")
                state[profile][args[1]] = {"tags": {}, "times": {}, "removed": {}, "unreadable": True}
                continue
            data = json.loads(result["out"])
            state[profile][args[1]] = {"tags": {t["tag"]: t["source"] for t in data["tags"]},
                                       "times": {t["tag"]: t["time"] for t in data["tags"]},
                                       "removed": {r["tag"]: r for r in data["removed"]}}
        return state

    # -- the kinds of command -------------------------------------------------------------------
    def prepare(self, kind: str, profile: str) -> dict:
        """Work for the command to do (run to completion, in the ledger), and its arguments."""
        if kind == "scan":
            return {"args": ["scan", str(self.lib.root)], "tool": self.other_tool_edits()}
        if kind in EXPORT_ARGS:
            self.tag(profile, self.pick_photos(5), add=self.pick_words(2))
            if self.rng.random() < 0.5:
                self.remove_some(profile)
            return {"args": ["export", "--all", *EXPORT_ARGS[kind], "--json"]}
        if kind == "export --undo":
            if self.rng.random() < 0.7 or not self.undoable_runs():
                self.tag(profile, self.pick_photos(4), add=self.pick_words(2))
                self.export_completed(profile, self.rng.choice(list(EXPORT_ARGS.values())))
            return {"args": ["export", "--undo", "--json"]}
        if kind == "tag --add":
            photos, words = self.pick_photos(4), self.pick_words(3)
            return {"args": None, "photos": photos, "add": words, "remove": []}
        if kind == "tag --remove":
            photos, words = self.removable(profile)
            return {"args": None, "photos": photos, "add": [], "remove": words}
        if kind == "keywords rename":
            old, new = self.rename_pair(profile)
            return {"args": ["keywords", "rename", old, new], "sources": [old], "into": new}
        if kind == "keywords merge":
            sources, into = self.merge_plan(profile)
            return {"args": ["keywords", "merge", *sources, "--into", into], "sources": sources, "into": into}
        if kind == "keywords undo":
            if not self.undoable_edit(profile):
                old, new = self.rename_pair(profile)
                self.keyword_edit_completed(profile, ["keywords", "rename", old, new])
            return {"args": ["keywords", "undo"], "target": self.undoable_edit(profile)}
        raise ValueError(kind)

    def other_tool_edits(self) -> list[tuple[str, str, str]]:
        """Another tool (Lightroom, say) adds a keyword to one or two photos, and then saves
        metadata to every file (their times change, their content does not)."""
        edits = []
        for photo in self.rng.sample(list(self.photos), 2):
            files = [f for f in kl.photo_files(photo, self.photos[photo], self.photos) if f.lower().endswith(".xmp")
                     or os.path.splitext(f)[1].lower() in (".jpg", ".jpeg")]
            files = [f for f in files if f not in {inside for inside, _ in self.lib.hardlinks}]
            if not files:
                continue
            target = self.rng.choice(files)
            self.fresh += 1
            keyword = f"lr-{self.fresh}"
            if self.exiftool is not None:
                self.exiftool.execute("-overwrite_original_in_place", f"-XMP-dc:Subject+={keyword}", target)
            else:
                from tagassist.library.keyword_export import render

                before = kl.read_keywords([target], None)[target].keywords()
                data, _ = render(target, Path(target).read_bytes(), tuple(sorted(before | {keyword})))
                Path(target).write_bytes(data)
            edits.append((photo, target, keyword))
            self.cycle.commands.append(f"(another tool adds {keyword!r} to {os.path.relpath(target, self.lib.root)})")
        now = time.time()
        for folder, _, names in os.walk(self.lib.root):
            for name in names:
                os.utime(os.path.join(folder, name), (now, now))
        return edits

    def remove_some(self, profile: str) -> None:
        photos, words = self.removable(profile)
        if words:
            self.tag(profile, photos, remove=words)

    def removable(self, profile: str) -> tuple[list[str], list[str]]:
        state = self.last_state or self.read_state()
        candidates = [p for p in self.photos if state[profile][p]["tags"]]
        if not candidates:
            return self.pick_photos(2), self.pick_words(1)
        photo = self.rng.choice(candidates)
        tags = sorted(state[profile][photo]["tags"])
        words = self.rng.sample(tags, min(len(tags), self.rng.randint(1, 2)))
        photos = [photo] + [p for p in self.pick_photos(2) if p != photo]
        return photos, words

    def profile_keywords(self, profile: str) -> Counter:
        state = self.last_state or self.read_state()
        return Counter(tag for info in state[profile].values() for tag in info["tags"])

    def rename_pair(self, profile: str) -> tuple[str, str]:
        counts = self.profile_keywords(profile)
        if not counts:
            self.tag(profile, self.pick_photos(3), add=["sunset"])
            return "sunset", "Sunset"
        keywords = [k for k, n in counts.most_common() if not k.startswith("darktable|")]
        old = self.rng.choice(keywords[:8])
        if "|" in old:
            root, rest = old.split("|", 1)
            if root == "Places" and not rest.startswith("Europe"):
                new = f"Places|Europe|{rest}"
            else:
                new = rest if root == "Topics" else f"Topics|{old}"
        else:
            options = [f"Topics|{old}", old.capitalize() if old != old.capitalize() else old.lower()]
            options += [k for k in counts if "|" not in k and k != old][:3]  # into an existing one: merges
            new = self.rng.choice(options)
        if new == old or new.startswith(old + "|"):
            new = f"Topics|{old}"
        return old, new

    def merge_plan(self, profile: str) -> tuple[list[str], str]:
        if self.rng.random() < 0.5:  # the README's example
            counts = self.profile_keywords(profile)
            for word in ("Car", "auto"):
                if not counts.get(word):
                    self.tag(profile, self.pick_photos(2), add=[word])
            return ["Car", "auto"], "car"
        counts = self.profile_keywords(profile)
        flat = [k for k in counts if "|" not in k]
        while len(flat) < 3:
            word = self.rng.choice([w for w in VOCABULARY if "|" not in w and w not in flat])
            self.tag(profile, self.pick_photos(2), add=[word])
            flat.append(word)
        sources = self.rng.sample(flat, 3)
        return sources[:2], sources[2]

    def undoable_runs(self) -> list[dict]:
        runs = self.query_json("anna", ["export", "--history", "--json"]) or []
        return [r for r in runs if not r.get("undone_at")]

    def undoable_edit(self, profile: str) -> int | None:
        edits = self.query_json(profile, ["keywords", "history", "--json"]) or []
        live = [e["edit"] for e in edits if not e["undone"]]
        return max(live) if live else None

    def export_completed(self, profile: str, extra: list[str]) -> Result:
        pre = self.snapshot()
        result = self.cli(profile, ["export", "--all", *extra, "--json"])
        self.invocations.append(Invocation(result.start, result.end, pre, self.snapshot()))
        return result

    def keyword_edit_completed(self, profile: str, args: list[str]) -> None:
        before, state = self.edit_ids(profile), self.read_state()
        self.cli(profile, args)
        self.apply_edits(profile, before, state)

    # -- the keyword manager in the ledger ------------------------------------------------------
    def edit_history(self, profile: str) -> list[dict]:
        return self.query_json(profile, ["keywords", "history", "--json"]) or []

    def edit_ids(self, profile: str) -> dict[int, bool]:
        return {e["edit"]: e["undone"] for e in self.edit_history(profile)}

    def apply_edits(self, profile: str, before: dict[int, bool], state: dict) -> list[dict]:
        """Bring the ledger along with the edits committed since ``before`` (renames and merges,
        and undos), each applied whole or not at all, as the history says. ``state``: what the
        profile had just before the command, which a rename moves and an undo puts back."""
        history = self.edit_history(profile)
        new = [e for e in history if e["edit"] not in before]
        for edit in sorted(new, key=lambda e: e["edit"]):
            if edit["action"] in ("rename", "merge"):
                self.apply_rename(profile, edit, state)
        undone = [e for e in history if e["undone"] and before.get(e["edit"]) is False]
        undone += [e for e in new if e["undone"]]
        for edit in sorted(undone, key=lambda e: -e["edit"]):
            self.apply_undo(profile, edit)
        return new

    def apply_rename(self, profile: str, edit: dict, state: dict) -> None:
        """A rename or merge (one edit, whatever its number of sources): on every photo where
        the profile had a source (or a keyword under it), the new name takes its place."""
        olds, new = _sources(edit), edit["to"]
        mapping = {s: t for s, t in edit.get("keywords", [])}
        names = set(mapping) | set(mapping.values()) | set(olds) | {new}
        for old in olds:  # the whole subtree moves: a keyword under a source the edit left out is a finding
            for info in state[profile].values():
                for tag in info["tags"]:
                    if (tag == old or tag.startswith(old + "|")) and tag not in mapping:
                        self.observe("rename left a keyword under its source in place",
                                     f"edit {edit['edit']}: {olds} -> {new} left {tag}")
        line = f"keywords {edit['action']} {' '.join(olds)} -> {new} (edit {edit['edit']})"
        photos, had = set(), {}  # the photos the edit changes: those with a source; undo puts back only them
        for photo, info in state[profile].items():
            had[photo] = {n: "present" if n in info["tags"] else "absent" if n in info["removed"] else "either"
                          for n in names}
            if set(mapping) & set(info["tags"]):
                photos.add(photo)
            for source in set(mapping) & set(info["tags"]):
                if mapping[source] != source:
                    self.expect(profile, photo, source, "absent", line)
                    self.expect(profile, photo, mapping[source], "present", line)
        for required in self.required.values():
            required.difference_update(names)
        self.edits[(profile, edit["edit"])] = {"names": names, "photos": photos, "had": had}

    def apply_undo(self, profile: str, edit: dict) -> None:
        """Undo puts back exactly what the edit's photos had of its keywords before it."""
        record = self.edits.get((profile, edit["edit"]))
        line = f"keywords undo of edit {edit['edit']}"
        if record is None:  # not an edit this soak saw made: what it touched is unknown now
            names = {*_sources(edit), edit.get("to"), *[n for pair in edit.get("keywords", []) for n in pair]}
            for photo, tags in self.ledger[profile].items():
                for name in names & set(tags):
                    self.expect(profile, photo, name, "either", line)
            return
        for photo in record["photos"]:  # a keyword it neither had nor had removed may arrive from the files later
            for name in record["names"]:
                self.expect(profile, photo, name, record["had"][photo][name], line)
        for required in self.required.values():
            required.difference_update(record["names"])

    # -- one cycle ------------------------------------------------------------------------------
    def run_cycle(self, index: int, kind: str, kill: bool) -> None:
        profile = self.rng.choice(PROFILES)
        self.cycle = cycle = Cycle(index, kind, profile, kill)
        self.last_state = getattr(self, "last_state", None)
        plan = self.prepare(kind, profile)
        if plan["args"] is None:  # tag --add / --remove
            plan["args"] = ["tag", *[self.as_given(p) for p in plan["photos"]]]
            if plan["add"]:
                plan["args"] += ["--add", *plan["add"]]
            if plan["remove"]:
                plan["args"] += ["--remove", *plan["remove"]]
        exporting = kind in EXPORT_ARGS
        undoing = kind == "export --undo"
        pre = self.snapshot() if exporting or undoing else None
        keywords_before = self.photo_keywords() if exporting else None
        edits_before = self.edit_ids(profile) if kind.startswith("keywords") else None
        state_before = self.read_state() if kind.startswith("keywords") else None
        tagging_before = self.before_tagging(profile, plan["photos"]) if kind == "tag --remove" else None
        runs_before = {r["id"]: r.get("undone_at") for r in self.runs()} if undoing else None

        limit = None
        if kill:
            typical = self.durations[kind]
            low = min(self.startup, typical * 0.8) if self.rng.random() < 0.5 else 0.0
            limit = self.rng.uniform(low, typical)
        result = self.cli(profile, plan["args"], limit)
        self.last_main_seconds = result.seconds
        if not result.killed:
            self.timed(kind, result.seconds)
        cycle.killed = result.killed
        if result.killed:
            cycle.killed_at_ms = round(limit * 1000)
            self.kill_ms[kind].append(cycle.killed_at_ms)
            self.stats[kind]["kills"] += 1
        elif kill:
            self.stats[kind]["missed"] += 1  # finished before the kill came
        else:
            self.stats[kind]["warm-up"] += 1

        export_results = None
        if result.killed:
            self.note_work_done(kind, profile, plan, pre, edits_before, runs_before, state_before)
        if exporting:
            post = self.snapshot()
            self.invocations.append(Invocation(result.start, result.end, pre, post))
            if result.killed and self.rng.random() < 0.5:
                self.undo_after_killed_export(profile, pre, post)
                keywords_before = self.photo_keywords()  # the undo may restore older files on purpose
            if result.killed:
                result = self.export_completed(profile, plan["args"][2:-1])
                self.timed(kind, result.seconds)
            export_results = result
            self.expect_exit(result, (0, 2))
        elif undoing:
            self.recover_undo(profile, result, runs_before, pre)
        elif kind == "scan":
            if result.killed:
                again = self.cli(profile, plan["args"])
                self.timed(kind, again.seconds)
                self.expect_exit(again, (0, 2))
            else:
                self.expect_exit(result, (0, 2))
        elif kind.startswith("tag"):
            if result.killed:
                result = self.cli(profile, plan["args"])
                self.timed(kind, result.seconds)
            self.expect_exit(result, (0,))
            if result.rc == 0:
                self.apply_tag(profile, plan["photos"], plan["add"], plan["remove"], tagging_before)
        elif kind in ("keywords rename", "keywords merge"):
            self.recover_edit(profile, plan, result, edits_before, state_before)
        elif kind == "keywords undo":
            self.recover_keyword_undo(profile, plan, result, edits_before, state_before)

        before_scan = self.read_state() if exporting else None
        after_export = self.photo_keywords() if exporting else None
        if kind != "scan":
            self.expect_exit(self.cli(profile, ["scan", str(self.lib.root)]), (0, 2))
        for photo, target, keyword in plan.get("tool", []):
            self.expect(profile, photo, keyword, "present", f"another tool added it to {self.rel(target)}, then scan")
            self.required[photo].add(keyword)

        state = self.read_state()
        self.last_state = state
        self.check_database()
        self.check_files()
        if exporting:
            self.check_export(profile, export_results, keywords_before, after_export, before_scan, state)
        self.check_ledger(state, plan.get("tool", []))
        self.check_required()
        self.trace.append({"cycle": index, "kind": kind, "profile": profile, "started": cycle.started,
                           "killed": cycle.killed, "killed_at_ms": cycle.killed_at_ms, "commands": cycle.commands})
        self.last_cycle, self.cycle = cycle, None

    def note_work_done(self, kind: str, profile: str, plan: dict, pre: dict | None, edits_before: dict | None,
                       runs_before: dict | None, state_before: dict | None) -> None:
        """Whether the killed command had done some of its work (written a file, committed a
        change) when the kill came: a kill inside the work, not in the interpreter's start-up."""
        if pre is not None:  # exports and undo: a file changed
            now = self.snapshot()
            done = any(pre.get(p) != now.get(p) for p in set(pre) | set(now) if not _temporary(p))
            if kind == "export --undo" and not done:
                done = any(r.get("undone_at") and not runs_before.get(r["id"]) for r in self.runs())
        elif edits_before is not None:  # keyword edits: an edit committed, or undone
            done = any(e not in edits_before or (undone and not edits_before[e])
                       for e, undone in self.edit_ids(profile).items())
        else:  # tag and scan: the history changed
            state = self.read_state()
            if kind == "scan":
                done = any(k in state[profile][photo]["tags"] for photo, _, k in plan["tool"])
            else:
                before = self.last_state or state
                done = any((set(plan["add"]) - set(before[profile][p]["tags"])) & set(state[profile][p]["tags"])
                           or (set(plan["remove"]) & set(before[profile][p]["tags"]) - set(state[profile][p]["tags"]))
                           for p in plan["photos"])
        if done:
            self.stats[kind]["work done"] += 1

    def timed(self, kind: str, seconds: float) -> None:
        """A complete run of the kind: the typical duration follows the machine's load (the
        median of the last five, the first of them measured in the warm-up)."""
        recent = self.recent.setdefault(kind, [])
        recent.append(seconds)
        del recent[:-5]
        self.durations[kind] = sorted(recent)[len(recent) // 2]

    def expect_exit(self, result: Result, allowed: tuple[int, ...]) -> None:
        if result.rc not in allowed:
            self.observe(f"exit {result.rc} from {result.args[0]} {result.args[1] if len(result.args) > 1 else ''}"
                         .strip(), f"{result.line}: {result.err.strip()[-300:]}")

    def runs(self) -> list[dict]:
        return self.query_json("anna", ["export", "--history", "--json"]) or []

    def run_invocation(self, run: dict) -> Invocation | None:
        started = utc(run["started_at"])
        for inv in self.invocations:
            if inv.start <= started <= inv.end:
                return inv
        return None

    # -- recovery -------------------------------------------------------------------------------
    def undo_after_killed_export(self, profile: str, pre: dict[str, str], post: dict[str, str]) -> None:
        """The user undoes the export that was killed: invariant 4."""
        written = sorted(p for p in set(pre) | set(post) if pre.get(p) != post.get(p) and not _temporary(p))
        result = self.cli(profile, ["export", "--undo", "--json"])
        if result.rc not in (0, 2):
            self.observe("export --undo after a killed export failed", f"{result.line}: {result.err.strip()[:300]}")
        report = json.loads(result.out) if result.rc in (0, 2) and result.out.strip() else None
        if report is not None:
            self.check_restored(report)
        now = self.snapshot()
        for path in written:
            if now.get(path) != pre.get(path):
                run = report["run"] if report else None
                self.violate("4", "a file the killed export wrote is not put back by export --undo",
                             file=self.rel(path), undo_run=run,
                             detail="the undo restored another run's files" if report and path not in
                             report["restored"] else "the undo left it as the killed export wrote it",
                             key=("4", "killed export not undone", self.cycle.index, path))

    def check_restored(self, report: dict) -> None:
        run = next((r for r in self.runs() if r["id"] == report["run"]), None)
        inv = self.run_invocation(run) if run else None
        if inv is None:
            self.observe("undo of an export this soak cannot place", json.dumps(report)[:200])
            return
        for path in report["restored"]:
            now = kl.file_digest(Path(path).read_bytes()) if os.path.exists(path) else None
            if now != inv.pre.get(path):
                self.violate("4", "export --undo reports a file restored that is not as it was before the export",
                             file=self.rel(path), undo_run=report["run"],
                             detail="deleted" if now is None else ("it did not exist before" if path not in inv.pre
                                                                  else "content differs"),
                             key=("4", "restored differs", self.cycle.index, path))

    def recover_undo(self, profile: str, result: Result, runs_before: dict, pre_undo: dict[str, str]) -> None:
        if not result.killed:
            self.expect_exit(result, (0, 2))
            report = json.loads(result.out) if result.rc in (0, 2) and result.out.strip() else None
        else:
            undone = [r for r in self.runs() if r.get("undone_at") and not runs_before.get(r["id"])]
            if undone:
                report = {"run": undone[0]["id"], "restored": []}
            else:
                again = self.cli(profile, ["export", "--undo", "--json"])
                self.expect_exit(again, (0, 2))
                report = json.loads(again.out) if again.rc in (0, 2) and again.out.strip() else None
                if report and any("changed since" in s["reason"] for s in report["skipped"]):
                    self.observe("an undo run again after a kill skips the files the killed one had restored",
                                 json.dumps(report["skipped"][0])[:300])
        if report is None:
            return
        self.check_restored(report)
        run = next((r for r in self.runs() if r["id"] == report["run"]), None)
        inv = self.run_invocation(run) if run else None
        if inv is None:
            return
        now = self.snapshot()
        for path in sorted(set(inv.pre) | set(inv.post)):
            if inv.pre.get(path) == inv.post.get(path) or _temporary(path):
                continue  # not written by that export
            if pre_undo.get(path) != inv.post.get(path):
                continue  # changed since: undo leaves it alone, as it should
            if now.get(path) != inv.pre.get(path):
                self.violate("4", "after export --undo (killed, then run again) a file of that export is not back",
                             file=self.rel(path), undo_run=report["run"],
                             key=("4", "undo incomplete", self.cycle.index, path))

    def recover_edit(self, profile: str, plan: dict, result: Result, before: dict[int, bool], state: dict) -> None:
        if not result.killed:
            self.apply_edits(profile, before, state)
            return
        committed = [e for e in self.edit_history(profile) if e["edit"] not in before]
        done = {source for e in committed for source in _sources(e)}
        left = [s for s in plan["sources"] if s not in done]
        if left:
            again = self.cli(profile, plan["args"])
            if again.rc != 0 and done:
                self.observe("running a half-done merge again stops at its first source, already merged",
                             f"{again.line}: {again.err.strip()[:200]}")
                committed = [e for e in self.edit_history(profile) if e["edit"] not in before]
                left = [s for s in plan["sources"] if s not in {x for e in committed for x in _sources(e)}]
                if left:
                    self.cli(profile, ["keywords", "merge", *left, "--into", plan["into"]])
            elif again.rc != 0:
                self.observe("keyword edit run again after a kill failed", f"{again.line}: {again.err.strip()[:200]}")
        self.apply_edits(profile, before, state)

    def recover_keyword_undo(self, profile: str, plan: dict, result: Result, before: dict[int, bool],
                             state: dict) -> None:
        target = plan["target"]
        if result.killed and target is not None and not self.edit_ids(profile).get(target):
            again = self.cli(profile, ["keywords", "undo", str(target)])
            self.expect_exit(again, (0,))
        elif not result.killed:
            self.expect_exit(result, (0,))
        self.apply_edits(profile, before, state)

    # -- the checks -----------------------------------------------------------------------------
    def rel(self, path: str) -> str:
        try:
            return os.path.relpath(path, self.lib.root)
        except ValueError:
            return path

    def check_database(self) -> None:
        try:
            conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
            try:
                rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            rows = [f"cannot open: {exc}"]
        if rows != ["ok"]:
            self.violate("1", "PRAGMA integrity_check is not ok", detail="; ".join(rows)[:300])

    def check_files(self) -> None:
        for path, expected in self.images.items():
            if not os.path.exists(path):
                self.violate("2", "image file missing", file=self.rel(path))
                continue
            try:
                digest = kl.pixel_hash(path)
            except Exception as exc:  # noqa: BLE001 - any decoder error is the finding
                data = kl.file_digest(Path(path).read_bytes())
                self.violate("2", "image does not decode fully", file=self.rel(path),
                             detail=f"{type(exc).__name__}: {exc}"[:200], key=("2", "decode", path, data))
                continue
            if digest != expected:
                self.violate("2", "image pixels changed", file=self.rel(path), key=("2", "pixels", path, digest))
        for path, expected in self.raws.items():
            data = Path(path).read_bytes() if os.path.exists(path) else b""
            if kl.file_digest(data) != expected:
                self.violate("2", "RAW file changed", file=self.rel(path), key=("2", "raw", path, kl.file_digest(data)))
        for inside, outside in self.lib.hardlinks:
            if not os.path.exists(outside) or not os.path.exists(inside) or not os.path.samefile(inside, outside):
                self.violate("2", "hard link broken: the library file and its other link are two files now",
                             file=self.rel(inside), key=("2", "hardlink", inside))
        for folder, _, names in os.walk(self.lib.root):
            for name in names:
                if not name.lower().endswith(".xmp"):
                    if _temporary(name) and name not in self.temporaries:
                        self.temporaries.add(name)
                        self.observe("temporary file of a killed write left in the library (a scan removes"
                                     " it after an hour)", name)
                    continue
                path = os.path.join(folder, name)
                data = Path(path).read_bytes()
                try:
                    kl.sidecar_values(data)
                except Exception as exc:  # noqa: BLE001
                    self.violate("2", "sidecar is not well-formed XML", file=self.rel(path),
                                 detail=str(exc)[:200], key=("2", "xml", path, kl.file_digest(data)))
                    continue
                markers = self.sidecars_at_start.get(path)
                if markers:
                    missing = kl.markers_missing(data, markers)
                    if missing:
                        self.violate("2", "sidecar lost what another tool wrote in it", file=self.rel(path),
                                     detail=", ".join(missing), key=("2", "markers", path, tuple(missing)))
        for path in self.sidecars_at_start:
            if not os.path.exists(path):
                self.violate("2", "another tool's sidecar was deleted", file=self.rel(path), key=("2", "gone", path))

    def check_ledger(self, state: dict, tool_edits: list) -> None:
        tool = {(photo, keyword): target for photo, target, keyword in tool_edits}
        for profile, photos in self.ledger.items():
            for photo, tags in photos.items():
                info = state[profile].get(photo)
                if info is None or info.get("unreadable"):
                    continue
                for tag, expected in list(tags.items()):
                    has = tag in info["tags"]
                    key = (profile, photo, tag)
                    if expected == "present" and not has:
                        if key not in self.cycle.reported:
                            removed = info["removed"].get(tag)
                            what = ("a keyword another tool added is not imported by the scan"
                                    if (photo, tag) in tool else "keyword lost from the history")
                            self.violate("3", what, photo=self.rel(photo), keyword=tag, profile_of=profile,
                                         removed=_removal(removed), file=self.rel(tool[(photo, tag)])
                                         if (photo, tag) in tool else None, ledger=self.why.get(key))
                        self.expect(profile, photo, tag, "either", "after the violation above")
                    elif expected == "absent" and has:
                        if key not in self.cycle.reported:
                            self.violate("3", "removed keyword back in the history", photo=self.rel(photo),
                                         keyword=tag, profile_of=profile, source=info["tags"][tag],
                                         since=info["times"].get(tag), ledger=self.why.get(key))
                        self.expect(profile, photo, tag, "either", "after the violation above")

    def check_required(self) -> None:
        held = self.photo_keywords()
        for photo, keywords in self.required.items():
            for keyword in sorted(keywords):
                if held[photo].holds(keyword):
                    continue
                if not self.confirm_with_exiftool(photo, keyword):
                    self.observe("exiftool reads a keyword the soak's own reader does not", f"{photo}: {keyword}")
                    continue
                files = kl.photo_files(photo, self.photos[photo], self.photos)
                self.violate("3", "keyword another tool wrote is gone from the photo's files", photo=self.rel(photo),
                             keyword=keyword, files=", ".join(self.rel(f) for f in files))
                keywords.discard(keyword)

    def check_export(self, profile: str, result: Result, before: dict, after: dict, before_scan: dict,
                     state: dict) -> None:
        failed, exported = set(), set()
        try:
            for entry in json.loads(result.out) if result.out.strip() else []:
                if entry.get("status") == "failed":
                    failed.add(entry["photo"])
                else:
                    exported.add(entry["photo"])
        except (json.JSONDecodeError, KeyError, TypeError):
            self.observe("export --json output unreadable", result.out[:200])
        # The scan right after a completed export changes no history.
        for who in PROFILES:
            for photo in self.photos:
                b, a = before_scan[who][photo], state[who][photo]
                if b.get("unreadable") or a.get("unreadable"):
                    continue
                for tag in sorted(set(b["tags"]) - set(a["tags"])):
                    self.cycle.reported.add((who, photo, tag))
                    self.violate("3c", "the scan after a completed export dropped a keyword", photo=self.rel(photo),
                                 keyword=tag, profile_of=who, removed=_removal(a["removed"].get(tag)))
                for tag in sorted(set(a["removed"]) - set(b["removed"])):
                    if a["removed"][tag]["by"] == "another tool" and tag not in b["tags"]:
                        self.violate("3c", "the scan after a completed export records a removal by another tool",
                                     photo=self.rel(photo), keyword=tag, profile_of=who)
                if who == profile and photo in exported:  # the export reconciled it: the scan finds nothing new
                    # (a photo it did not export, re-read because its files changed, brings in every
                    # keyword of its files that the profile neither has nor removed: by design)
                    for tag in sorted(set(a["tags"]) - set(b["tags"])):
                        self.violate("3c", "the scan after a completed export imported a keyword into the"
                                     " exporting profile", photo=self.rel(photo), keyword=tag, profile_of=who,
                                     source=a["tags"][tag])
        # The files hold every keyword of the exporting profile, and keep every keyword any
        # profile has that they held before the export.
        for photo in self.photos:
            if photo in failed or self.status.get(photo) not in ("ok", "warning"):
                continue
            mine = before_scan[profile][photo]["tags"]
            for tag in sorted(mine):
                if not after[photo].holds(tag) and self.confirm_with_exiftool(photo, tag):
                    self.violate("3c", "export did not write a keyword of the exporting profile into the files",
                                 photo=self.rel(photo), keyword=tag, profile_of=profile,
                                 key=("3c", "not written", photo, tag, self.cycle.index // 25))
            for who in PROFILES:
                for tag in sorted(before_scan[who][photo]["tags"]):
                    if before[photo].holds(tag) and not after[photo].holds(tag) and \
                            self.confirm_with_exiftool(photo, tag):
                        self.violate("3c", "export removed from the files a keyword a profile still has",
                                     photo=self.rel(photo), keyword=tag, profile_of=who)

    # -- the whole soak ---------------------------------------------------------------------------
    def measure(self) -> None:
        """Each kind once to completion: its typical duration, for the kill times."""
        runs = []
        for _ in range(5):  # start-up: the interpreter and tagassist's imports, before any work
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "tagassist", "--version"], capture_output=True, env=self.env)
            runs.append(time.perf_counter() - began)
        self.startup = sorted(runs)[2]
        for i, kind in enumerate(KINDS):
            self.last_state = None
            began = time.perf_counter()
            self.run_cycle(-(len(KINDS) - i), kind, kill=False)
            print(f"warm-up {kind:26} {self.durations[kind]:.2f} s  (cycle {time.perf_counter() - began:.1f} s)",
                  file=sys.stderr, flush=True)

    def run(self) -> int:
        started = time.perf_counter()
        self.setup()
        self.measure()
        kills, index = 0, 0
        order: list[str] = []
        truncated = False
        while kills < self.args.kills:
            if time.perf_counter() - started > self.args.time_limit:
                truncated = True
                break
            if not order:
                order = list(KINDS)
                self.rng.shuffle(order)
            kind = order.pop()
            index += 1
            if index % 20 == 0 or self.code == "live":
                self.stop_helper()  # a fresh one now and then (with --code live: the code as it is now)
            began = time.perf_counter()
            try:
                self.run_cycle(index, kind, kill=True)
            except KeyboardInterrupt:
                print("interrupted: reporting the cycles done", file=sys.stderr)
                self.interrupted = True
                break
            kills = sum(self.stats[k]["kills"] for k in KINDS)
            last = self.last_cycle
            what = f"killed at {last.killed_at_ms:4} ms" if last.killed else "finished first"
            print(f"{utc().strftime('%H:%M:%S')} cycle {index:4} {kind:26} {what}"
                  f"  {time.perf_counter() - began:4.1f} s  kills {kills}  violations {len(self.violations)}",
                  file=sys.stderr, flush=True)
        self.seconds = time.perf_counter() - started
        self.truncated = truncated or self.interrupted
        return 1 if self.violations else 0


def _temporary(path: str) -> bool:
    """A write's temporary file (".NAME.tagassist-XXXXXXXX.tmp"), not a file of the library."""
    name = os.path.basename(path)
    return name.startswith(".") and ".tagassist-" in name and name.endswith(".tmp")


def _sources(edit: dict) -> list[str]:
    """The keywords an edit renamed or merged ("from": one name, or a list for a merge)."""
    value = edit.get("from")
    return [value] if isinstance(value, str) else list(value or [])


def _removal(entry: dict | None) -> str | None:
    if not entry:
        return None
    return f"removed by {entry['by']} at {entry['time']}" + (" (still in files)" if entry.get("still_in_files") else "")


def git_state() -> dict:
    def git(*args):
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip()

    return {"head": git("rev-parse", "--short", "HEAD"), "changed": git("status", "--short", "tagassist").splitlines()}


def report(soak: Soak, args) -> dict:
    rows = []
    for kind in KINDS:
        s = soak.stats[kind]
        ms = soak.kill_ms[kind]
        rows.append({"kind": kind, "kills": s["kills"], "killed_after_work_began": s["work done"],
                     "finished_before_kill": s["missed"],
                     "typical_s": round(soak.durations.get(kind, 0), 2),
                     "kill_ms_min": min(ms) if ms else None, "kill_ms_max": max(ms) if ms else None,
                     **{f"v{i}": s[f"v{i}"] for i in INVARIANTS}})
    per_invariant = Counter(v["invariant"] for v in soak.violations)
    distinct = Counter((v["invariant"], v["what"]) for v in soak.violations)
    return {"seed": args.seed, "kills_requested": args.kills, "kills": sum(r["kills"] for r in rows),
            "truncated_by_time_limit": soak.truncated, "seconds": round(soak.seconds, 1), "cpu_count": os.cpu_count(),
            "startup_s": round(soak.startup, 3), "code": soak.code, "code_revision": soak.code_revision,
            "git": git_state(),
            "keyword_writer": soak.lib.keyword_writer, "exiftool": soak.exiftool is not None,
            "rows": rows, "violations_per_invariant": {i: per_invariant.get(i, 0) for i in INVARIANTS},
            "distinct": [{"invariant": i, "what": w, "count": n} for (i, w), n in sorted(distinct.items())],
            "violations": soak.violations,
            "observations": [{"what": w, "count": n, "example": soak.examples[w]}
                             for w, n in soak.observations.most_common()],
            "cycles": soak.trace,
            "library": str(soak.lib.root) if args.keep else None}


def print_table(data: dict) -> None:
    head = (f"{'command (killed)':26} {'kills':>5} {'in work':>7} {'done 1st':>8} {'typ. s':>6} {'kill ms':>11}"
            + "".join(f" {'v' + i:>4}" for i in INVARIANTS))
    print(head)
    print("-" * len(head))
    for r in data["rows"]:
        span = f"{r['kill_ms_min']}-{r['kill_ms_max']}" if r["kill_ms_min"] is not None else "-"
        print(f"{r['kind']:26} {r['kills']:>5} {r['killed_after_work_began']:>7} {r['finished_before_kill']:>8}"
              f" {r['typical_s']:>6} {span:>11}"
              + "".join(f" {r['v' + i]:>4}" for i in INVARIANTS))
    total = {k: sum(r[k] for r in data["rows"])
             for k in ("kills", "killed_after_work_began", "finished_before_kill")}
    print(f"{'total':26} {total['kills']:>5} {total['killed_after_work_began']:>7} {total['finished_before_kill']:>8}"
          f" {'':>6} {'':>11}"
          + "".join(f" {data['violations_per_invariant'][i]:>4}" for i in INVARIANTS))
    print()
    print("in work: kills after which the killed command had written a file or committed a change;"
          " done 1st: the command finished before its kill came (not counted as a kill)")
    print("invariants: 1 database integrity, 2 files decode/unchanged pixels/XML/kept contents,"
          " 3 no keyword lost, 3c export+scan, 4 export --undo, 5 no Traceback")
    print(f"{data['kills']} kills in {data['seconds']} s (seed {data['seed']}, {data['cpu_count']} CPUs, code"
          f" {_code_name(data)}, HEAD {data['git']['head']},"
          f" {len(data['git']['changed'])} changed file(s) in tagassist/)"
          + ("; STOPPED by --time-limit" if data["truncated_by_time_limit"] else ""))
    if data["distinct"]:
        print("\ndistinct violations:")
        for d in data["distinct"]:
            first = next(v for v in data["violations"] if (v["invariant"], v["what"]) == (d["invariant"], d["what"]))
            where = ", ".join(f"{k}={first[k]}" for k in ("photo", "file", "keyword", "profile_of") if first.get(k))
            cycle = first.get("cycle")
            cycle = f"warm-up {cycle}" if isinstance(cycle, int) and cycle < 0 else f"cycle {cycle}"
            print(f"  [{d['invariant']}] x{d['count']} {d['what']}\n      first: {cycle}"
                  f" ({first.get('kind')}, {'killed' if first.get('killed') else 'not killed'}) {where}")
    if data["observations"]:
        print("\nobservations (not violations):")
        for o in data["observations"]:
            print(f"  x{o['count']} {o['what']}\n      e.g. {o['example'][:240]}")


def _code_name(data: dict) -> str:
    code = data["code"]
    if data.get("code_revision"):
        return f"tagassist/ of commit {data['code_revision']}"
    if code == "live":
        return "the checkout, live"
    if code.startswith(tempfile.gettempdir()) and code.endswith("/code"):
        return "a copy of the checkout's tagassist/ taken at the start"
    return code


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kill_run", description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=200, help="SIGKILLs to deliver (default 200)")
    parser.add_argument("--seed", type=int, default=2112)
    parser.add_argument("--time-limit", type=float, default=900, metavar="S",
                        help="stop after this many seconds even if fewer kills were delivered (default 900)")
    parser.add_argument("--code", default="copy", metavar="copy|live|REV|DIR",
                        help="copy: run a copy of the checkout's tagassist/ taken at the start (default); live: the"
                             " checkout as it is at each command; REV: tagassist/ of that git revision (HEAD: the"
                             " last commit, without edits in progress); DIR: a folder holding a tagassist/")
    parser.add_argument("--keep", action="store_true", help="keep the temporary library and database")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    soak = Soak(args)
    try:
        status = soak.run()
        data = report(soak, args)
    finally:
        soak.stop_helper()
        if soak.exiftool is not None:
            soak.exiftool.close()
        if not args.keep:
            shutil.rmtree(soak.scratch, ignore_errors=True)
        else:
            print(f"kept: {soak.scratch}", file=sys.stderr)
    print_table(data)
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2, ensure_ascii=False))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
