"""Faces (issue 27): detection, recognition and speed on real photos, dlib's options side by side.

    python -m benchmarks.faces --json faces.json                 # all three parts
    python -m benchmarks.faces --parts detection --options hog:1 cnn:0

The photos come from public repositories, read at run time from git mirrors (``--mirror``, a
folder holding ``OWNER+NAME/repo`` git directories, as /work/.mirror does) or from a folder
laid out as ``--keep`` writes it (``--photos DIR``). Nothing is copied into this repository.

  detection    dlib's examples/faces (github.com/davisking/dlib, Boost licence): 9 PASCAL VOC
               2008-2011 group photos with 43 hand-labelled face boxes (training.xml and
               testing.xml). A detection is a hit at IoU >= 0.3 with an unmatched box; recall
               counts the boxes of >= 40 px (and, apart, all of them), false detections are
               those that hit no box, over all detections. Photos with no person (false
               detections only): dlib's dogs.jpg and the Coral test photos of animals, plants
               and food in ../shared/photos/coral (Open Images, CC BY 2.0, see its COPYRIGHT).
               Faces another tool named: immich-app/test-assets' metadata/faces (public
               domain), Marie and Pierre Curie with MWG and Microsoft regions, upright and
               with EXIF orientation 6, decoded as the library does and the regions turned by
               library.face_regions (optional: skipped without that mirror).
  recognition  deepface's tests/unit/dataset (github.com/serengil/deepface, MIT): identities are
               the connected components of the 'Yes' pairs of master.csv and
               face-recognition-pivot.csv; the 9 with >= 4 photos are the people evaluated
               (3 photos named, the rest asked about; ``--draws`` random choices of the 3), the
               smaller ones and face_recognition's examples/knn_examples
               (github.com/ageitgey/face_recognition, MIT) are other people she named, which
               may be confused with them. The calibration (a logistic on the statistic
               recognition.py describes) is fitted on those other people only (``--fit`` prints
               it; recognition.DLIB_CALIBRATION ships it), never on the evaluated ones.
               Shown = the top 3 with a score >= 0.5. Compared: dlib's ResNet embedding and the
               project's EfficientNet-Lite0 embedding of the face crop (cosine distance, its own
               logistic fitted the same way).
  speed        12 MP JPEGs made from the group photos (upscaled to 4000 x 3000): ``tagassist
               index`` on them (the library's indexer) against decoding each at the working
               size and finding and describing its faces, per photo, one thread (wall and CPU
               time); then the faces pass as ``tagassist index`` runs it after the embeddings
               (services.faces.find_faces on a library of those photos: store writes and
               naming included) one photo at a time, in two threads and in two processes
               (engine/faces/pool.py), each in a process of its own, ``--rounds`` times
               alternately; the index rate with faces is the index's time per photo over it
               plus the pass's. On a shared machine wall times grow with its load: CPU
               seconds per photo are the steadier measure, and the load is printed with them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.scan import peak_rss_mb

REPO = Path(__file__).resolve().parents[1]
CORAL = REPO.parent / "shared" / "photos" / "coral"
NO_PEOPLE = ["bird.bmp", "cat.bmp", "dragonfly.bmp", "hot_dog.jpg", "missvickie_potato_chips.bmp", "owl.jpg",
             "parrot.jpg", "pets.jpg", "sunflower.bmp"]
MIN_FACE = 40
SHOWN_SCORE = 0.5


def _git_files(git_dir: Path, folder: str) -> list[str]:
    out = subprocess.run(["git", "-C", str(git_dir), "ls-tree", "-r", "--name-only", "HEAD", folder],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def _git_show(git_dir: Path, path: str) -> bytes:
    return subprocess.run(["git", "-C", str(git_dir), "show", f"HEAD:{path}"], capture_output=True,
                          check=True).stdout


def extract(mirror: Path, target: Path) -> Path:
    """The benchmark's photos from the mirrors into ``target`` (dlib/, deepface/, knn/)."""
    sources = [("davisking+dlib", "examples/faces", "dlib"),
               ("serengil+deepface", "tests/unit/dataset", "deepface"),
               ("ageitgey+face_recognition", "examples/knn_examples", "knn"),
               ("immich-app+test-assets", "metadata/faces", "immich")]
    for repo, folder, name in sources:
        git_dir = mirror / repo / "repo"
        if not git_dir.exists() and name == "immich":
            continue  # optional: the named regions' check
        for path in _git_files(git_dir, folder):
            if path.lower().endswith((".jpg", ".jpeg", ".xml", ".csv")):
                out = target / name / path[len(folder) + 1:]
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(_git_show(git_dir, path))
    return target


# -- detection ---------------------------------------------------------------------------------

def ground_truth(folder: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """file -> face boxes (left, top, width, height) from dlib's training.xml and testing.xml."""
    truth = {}
    for name in ("training.xml", "testing.xml"):
        for image in ET.parse(folder / name).getroot().iter("image"):
            boxes = [(int(b.get("left")), int(b.get("top")), int(b.get("width")), int(b.get("height")))
                     for b in image.iter("box") if b.get("ignore") != "1"]
            truth[image.get("file")] = boxes
    return truth


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    return inter / (aw * ah + bw * bh - inter) if inter else 0.0


def region_truth(path: Path):
    """The photo upright as the library decodes it, and the face boxes another tool wrote into
    it (MWG and Microsoft regions, turned to the displayed photo by library.face_regions)."""
    from tagassist.library.exif import read_exif
    from tagassist.library.face_regions import read_faces
    from tagassist.library.imaging import decode_rgb

    with open(path, "rb") as f:
        orientation = read_exif(f).orientation
    with Image.open(path) as image:
        packet, stored = image.info.get("xmp"), image.size
    boxes = [r.box for r in read_faces(packet, orientation, stored) if r.box is not None] if packet else []
    return decode_rgb(path, orientation, 4096), boxes


def regions_found(models, upsample: int, folder: Path) -> tuple[int, int, int]:
    """(faces found, faces, false detections) on photos whose regions another tool wrote."""
    from tagassist.engine.faces.detector import detect_faces

    found = total = false = 0
    for path in sorted(folder.glob("*.jpg")):
        image, boxes = region_truth(path)
        matched = set()
        for face in detect_faces(image, models, upsample=upsample):
            best = max(((face.box.iou(b), i) for i, b in enumerate(boxes) if i not in matched), default=(0, -1))
            if best[0] >= 0.3:
                matched.add(best[1])
            else:
                false += 1
        found, total = found + len(matched), total + len(boxes)
    return found, total, false


def bench_detection(photos: Path, options: list[tuple[str, int]]) -> list[dict]:
    from tagassist.engine.faces.detector import FaceModels, detect_faces

    truth = ground_truth(photos / "dlib")
    negatives = [photos / "dlib" / "dogs.jpg", *(CORAL / n for n in NO_PEOPLE if (CORAL / n).exists())]
    rows = []
    for kind, upsample in options:
        models = FaceModels(detector=kind).load()
        found = found_all = big = total = false = detections = 0
        seconds = []
        for name, boxes in truth.items():
            image = Image.open(photos / "dlib" / name).convert("RGB")
            started = time.perf_counter()
            faces = detect_faces(image, models, upsample=upsample)
            seconds.append(time.perf_counter() - started)
            w, h = image.size
            dets = sorted(faces, key=lambda f: -f.score)
            matched = set()
            for face in dets:
                box = (face.box.x * w, face.box.y * h, face.box.w * w, face.box.h * h)
                best = max(((iou(box, b), i) for i, b in enumerate(boxes) if i not in matched), default=(0, -1))
                if best[0] >= 0.3:
                    matched.add(best[1])
                else:
                    false += 1
            detections += len(dets)
            total += len(boxes)
            found_all += len(matched)
            big += sum(1 for b in boxes if min(b[2], b[3]) >= MIN_FACE)
            found += sum(1 for i in matched if min(boxes[i][2], boxes[i][3]) >= MIN_FACE)
        negative_false = 0
        for path in negatives:
            image = Image.open(path).convert("RGB")
            started = time.perf_counter()
            negative_false += len(detect_faces(image, models, upsample=upsample))
            seconds.append(time.perf_counter() - started)
        rows.append({
            "option": f"{kind}, upsample {upsample}", "faces_40px": big, "recall_40px": found / big,
            "faces_all": total, "recall_all": found_all / total, "detections": detections,
            "false": false, "false_rate": false / max(1, detections),
            "no_people_photos": len(negatives), "false_on_no_people": negative_false,
            "ms_per_photo": 1000 * statistics.median(seconds),
            "model_mb": (os.path.getsize(models.verified_path("mmod_human_face_detector.dat")) / 1e6
                         if kind == "cnn" else 0.0),
        })
        r = rows[-1]
        regions = ""
        if (photos / "immich").is_dir():
            r["region_faces_found"], r["region_faces"], r["region_false"] = regions_found(
                models, upsample, photos / "immich")
            regions = (f"; Immich's named regions (upright and orientation 6) {r['region_faces_found']}/"
                       f"{r['region_faces']}, false {r['region_false']}")
        print(f"  {r['option']:<18} recall >=40 px {found}/{big} ({r['recall_40px']:.0%}), all {found_all}/{total};"
              f" false {false}/{detections} ({r['false_rate']:.1%}), {negative_false} on"
              f" {len(negatives)} photos without people; {r['ms_per_photo']:.0f} ms/photo{regions}", flush=True)
    return rows


# -- recognition -------------------------------------------------------------------------------

def identities(folder: Path) -> list[list[str]]:
    """deepface's people: connected components of the 'Yes' pairs, biggest first."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for name in ("master.csv", "face-recognition-pivot.csv"):
        with open(folder / name, newline="") as f:
            for row in csv.DictReader(f):
                a, b = (os.path.basename(row["file_x"]), os.path.basename(row["file_y"]))
                decision = row.get("Decision") or row.get("decision")
                find(a), find(b)
                if decision == "Yes" and (folder / a).exists() and (folder / b).exists():
                    parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        if (folder / x).exists():
            groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


def knn_people(folder: Path) -> dict[str, list[Path]]:
    """face_recognition's knn_examples: train/NAME/*, and the test photos whose name says who."""
    people = {d.name: sorted(d.iterdir()) for d in sorted((folder / "train").iterdir()) if d.is_dir()}
    for name, person in (("alex_lacamoire1.jpg", "alex_lacamoire"), ("obama1.jpg", "obama"),
                         ("johnsnow_test1.jpg", "kit_harington")):
        if (folder / "test" / name).exists():
            people[person].append(folder / "test" / name)
    return people


class Embedders:
    """dlib's embedding of a photo's largest face, and Lite0's of the same face's crop."""

    def __init__(self):
        from tagassist.engine.faces.detector import FaceModels

        self.models = FaceModels().load()
        self.lite0 = None

    def faces(self, path: Path):
        from tagassist.engine.faces.detector import detect_faces

        image = Image.open(path)
        from PIL import ImageOps

        image = ImageOps.exif_transpose(image).convert("RGB")
        faces = detect_faces(image, self.models)
        if not faces:
            return None
        face = max(faces, key=lambda f: f.box.w * f.box.h)
        return image, face

    def lite0_embedding(self, image: Image.Image, box) -> np.ndarray:
        import torch

        from tagassist.engine.encoders import load_encoder

        if self.lite0 is None:
            torch.set_num_threads(1)
            self.lite0 = load_encoder("efficientnet-lite0", "cpu")
        w, h = image.size
        cx, cy = (box.x + box.w / 2) * w, (box.y + box.h / 2) * h
        side = 1.5 * max(box.w * w, box.h * h)  # the face with its hair and chin
        crop = image.crop((round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2)))
        with torch.inference_mode():
            embedding, _ = self.lite0.model(self.lite0.preprocess(crop)[None])
        return embedding[0].numpy().astype(np.float32)


def _evaluate(matcher_cls, named: dict, queries: list[tuple[str, np.ndarray]], calibration, metric: str) -> dict:
    matcher = matcher_cls(named, calibration, metric)
    in_top3 = wrong_shown = right_shown = confident = confident_right = 0
    for person, embedding in queries:
        ranked = matcher.rank(embedding, top=3) if embedding is not None else []
        in_top3 += any(m.keyword == person for m in ranked)
        shown = [m for m in ranked if m.score >= SHOWN_SCORE]
        right_shown += any(m.keyword == person for m in shown)
        wrong_shown += any(m.keyword != person for m in shown)
        for m in shown:
            if m.score >= 0.8:
                confident += 1
                confident_right += m.keyword == person
    n = len(queries)
    return {"queries": n, "in_top3": in_top3 / n, "right_shown": right_shown / n, "wrong_shown": wrong_shown / n,
            "scores_0_8": confident, "right_at_0_8": confident_right / confident if confident else float("nan")}


def _mean(values: list[float]) -> float:
    """The mean of the values that are numbers (nan when none is: no score reached 0.8)."""
    finite = [v for v in values if v == v]
    return float(np.mean(finite)) if finite else float("nan")


def bench_recognition(photos: Path, draws: int) -> dict:
    from tagassist.engine.faces import recognition

    embedders = Embedders()
    people = {f"deepface-{i}": [photos / "deepface" / f for f in group]
              for i, group in enumerate(identities(photos / "deepface"))}
    people.update({f"knn-{name}": paths for name, paths in knn_people(photos / "knn").items()})
    faces: dict[str, list[dict]] = {}
    missed = []
    for person, paths in people.items():
        for path in paths:
            got = embedders.faces(path)
            if got is None:
                missed.append(path.name)
                continue
            image, face = got
            faces.setdefault(person, []).append({"photo": path.name, "dlib": face.embedding,
                                                 "lite0": embedders.lite0_embedding(image, face.box)})
    evaluated = [p for p in people if p.startswith("deepface-") and len(people[p]) >= 4]
    others = [p for p in faces if p not in evaluated]
    result = {"people_evaluated": len(evaluated), "photos_evaluated": sum(len(people[p]) for p in evaluated),
              "other_people": len(others), "no_face_found": missed, "draws": draws, "options": {}}
    for option, metric in (("dlib ResNet", "euclidean"), ("EfficientNet-Lite0 crop", "cosine")):
        key = "dlib" if option.startswith("dlib") else "lite0"
        fit_named = {p: [f[key] for f in faces[p]] for p in others}
        stats, same = recognition.calibration_examples(fit_named, metric)
        calibration = recognition.fit_logistic(stats, same)
        rows = []
        rng = np.random.default_rng(0)
        for _ in range(draws):
            named = {p: [f[key] for f in faces[p]] for p in others}
            queries = []
            for p in evaluated:
                # a photo whose face was not found is a photo the person is not suggested for
                order = rng.permutation(len(people[p]))
                chosen = {people[p][i].name for i in order[:3]}
                named[p] = [f[key] for f in faces.get(p, []) if f["photo"] in chosen]
                queries += [(p, f[key]) for f in faces.get(p, []) if f["photo"] not in chosen]
                queries += [(p, None)] * sum(1 for path in people[p] if path.name in missed and path.name not in chosen)
            rows.append(_evaluate(recognition.PersonMatcher, named, queries, calibration, metric))
        summary = {k: _mean([r[k] for r in rows]) for k in rows[0]}
        summary["calibration"] = calibration
        summary["calibration_pairs"] = {"same": int(sum(same)), "different": int(len(same) - sum(same))}
        result["options"][option] = summary
        print(f"  {option:<24} in top 3 {summary['in_top3']:.1%}; shown (score >= {SHOWN_SCORE}): right"
              f" {summary['right_shown']:.1%}, a wrong name {summary['wrong_shown']:.1%}; scores >= 0.8:"
              f" {summary['scores_0_8']:.0f} per draw, right {summary['right_at_0_8']:.1%};"
              f" logistic a={calibration[0]:.2f} b={calibration[1]:.2f}", flush=True)
    result["shipped_dlib_calibration"] = recognition.DLIB_CALIBRATION
    return result


# -- speed -------------------------------------------------------------------------------------

def make_12mp(photos: Path, target: Path, count: int) -> list[Path]:
    """``count`` 12 MP JPEGs (4000 x 3000) upscaled from dlib's group photos, with camera-like
    noise so they compress like photographs."""
    target.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    sources = sorted(ground_truth(photos / "dlib"))
    made = []
    for i in range(count):
        image = Image.open(photos / "dlib" / sources[i % len(sources)]).convert("RGB")
        big = np.asarray(image.resize((4000, 3000), Image.Resampling.BICUBIC), dtype=np.float32)
        noisy = np.clip(big + rng.normal(0, 6, big.shape).astype(np.float32), 0, 255).astype(np.uint8)
        path = target / f"IMG_{i:04}.jpg"
        Image.fromarray(noisy).save(path, "JPEG", quality=90)
        made.append(path)
    return made


def time_faces(library: Path, sides: list[int]) -> dict:
    """Per working size: decoding each photo at that size, detection alone, and detection with
    the embeddings, mean ms per photo, one thread; and this process's peak RSS (run in a process
    of its own, so it is the faces' memory alone)."""
    from tagassist.engine.faces.detector import WORKING_SIDE, FaceModels, detect_faces
    from tagassist.library.imaging import decode_rgb

    paths = sorted(library.glob("*.jpg"))
    models = FaceModels().load()
    rows = []
    for side in sides:
        decode_s, detect_s, faces_s, counts = [], [], [], []
        cpu = {"decode": 0.0, "detect": 0.0, "faces": 0.0}
        for path in paths:
            started, cpu_started = time.perf_counter(), time.process_time()
            image = decode_rgb(path, None, side)
            decoded, cpu_decoded = time.perf_counter(), time.process_time()
            assert detect_faces(image, models, working_side=side, max_faces=0) == []  # detection alone
            detected, cpu_detected = time.perf_counter(), time.process_time()
            counts.append(len(detect_faces(image, models, working_side=side)))
            decode_s.append(decoded - started)
            detect_s.append(detected - decoded)
            faces_s.append(time.perf_counter() - detected)
            cpu["decode"] += cpu_decoded - cpu_started
            cpu["detect"] += cpu_detected - cpu_decoded
            cpu["faces"] += time.process_time() - cpu_detected
        rows.append({"working_side": side, "default": side == WORKING_SIDE,
                     "decode_ms": 1000 * statistics.mean(decode_s), "detect_ms": 1000 * statistics.mean(detect_s),
                     "faces_ms": 1000 * statistics.mean(faces_s), "faces_per_photo": statistics.mean(counts),
                     **{f"{k}_cpu_ms": 1000 * v / len(paths) for k, v in cpu.items()}})
    return {"rows": rows, "peak_rss_mb": peak_rss_mb()}


PASS_MODES = {"one": "one photo at a time", "threads": "two threads", "processes": "two processes"}


def time_pass(library: Path, mode: str) -> dict:
    """The faces pass as ``tagassist index`` runs it after the embeddings, on a fresh library
    of ``library``'s photos, one photo at a time or two in threads or processes: wall and CPU
    seconds per photo (every thread's and child process's), faces found, and the peak RSS of
    this process and of its largest child."""
    import resource

    from tagassist.engine.faces import FaceModels, pool
    from tagassist.services import faces
    from tagassist.services.scanning import Scanner
    from tagassist.store import Store

    pool.WORKERS = 1 if mode == "one" else 2
    pool.PROCESSES_FROM = 1 if mode == "processes" else 10 ** 9
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "faces.sqlite") as store:
        profile = store.profiles.get()
        Scanner(store, profile).run([str(library)])
        models = FaceModels().load()
        usage = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        before, started = [resource.getrusage(u) for u in usage], time.perf_counter()
        last = list(faces.find_faces(store, profile, models=models))[-1]
        wall, after = time.perf_counter() - started, [resource.getrusage(u) for u in usage]
    cpu = sum(a.ru_utime - b.ru_utime + a.ru_stime - b.ru_stime for a, b in zip(after, before))
    return {"mode": mode, "photos": last.done, "faces": last.found, "wall_s_per_photo": wall / last.done,
            "cpu_s_per_photo": cpu / last.done, "peak_rss_mb": peak_rss_mb(),
            "child_peak_rss_mb": after[1].ru_maxrss / 1024, "load_average": os.getloadavg()[0]}


def _run_json(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_pass(library: Path, index_per_photo: float, rounds: int) -> list[dict]:
    """The faces pass one photo at a time, in two threads and in two processes, alternately
    ``rounds`` times, each in a process of its own; per way the medians."""
    runs: dict[str, list[dict]] = {mode: [] for mode in PASS_MODES}
    for _ in range(rounds):
        for mode in runs:
            runs[mode].append(_run_json(["-m", "benchmarks.faces", "--time-pass", str(library), "--mode", mode]))
    rows = []
    for mode, done in runs.items():
        row = {k: statistics.median(r[k] for r in done) for k in (
            "wall_s_per_photo", "cpu_s_per_photo", "peak_rss_mb", "child_peak_rss_mb", "load_average")}
        row.update(mode=mode, faces=done[0]["faces"], photos=done[0]["photos"], rounds=rounds,
                   index_with_faces_ratio=index_per_photo / (index_per_photo + row["wall_s_per_photo"]))
        rows.append(row)
        print(f"  faces pass, {PASS_MODES[mode]}: {row['cpu_s_per_photo']:.3f} CPU s and"
              f" {row['wall_s_per_photo']:.3f} s per photo ({row['faces']} faces on {row['photos']} photos),"
              f" peak RSS {row['peak_rss_mb']:.0f} MB (a child {row['child_peak_rss_mb']:.0f} MB),"
              f" load {row['load_average']:.1f}; index with faces {row['index_with_faces_ratio']:.2f} x the rate"
              f" without", flush=True)
    return rows


def bench_speed(photos: Path, count: int, work: Path, sides: list[int], rounds: int = 2) -> dict:
    library = work / "twelve-mp"
    make_12mp(photos, library, count)
    # the index rate, as tagassist index runs it, and the faces' cost, each in a process of its own
    index = _run_json([str(REPO / "benchmarks" / "index_rate.py"), "--db", str(work / "index.sqlite"),
                       "--library", str(library), "--repeat", "1"])
    faces = _run_json(["-m", "benchmarks.faces", "--time-faces", str(library), "--sides", *map(str, sides)])
    index_per_photo = 1 / index["index_per_s"]
    for r in faces["rows"]:
        per_photo = (r["decode_ms"] + r["faces_ms"]) / 1000
        r["faces_cost_vs_index"] = per_photo / index_per_photo
        r["index_with_faces_ratio"] = index_per_photo / (index_per_photo + per_photo)
        print(f"  {r['working_side']:>5} px: decode {r['decode_ms']:.0f} ms + detect {r['detect_ms']:.0f} ms, with"
              f" embeddings {r['faces_ms']:.0f} ms ({r['faces_per_photo']:.1f} faces) per photo (CPU"
              f" {r['decode_cpu_ms']:.0f} + {r['detect_cpu_ms']:.0f}, {r['faces_cpu_ms']:.0f} ms) ="
              f" {r['faces_cost_vs_index']:.2f} x the index time; index with faces"
              f" {r['index_with_faces_ratio']:.2f} x the rate without", flush=True)
    passes = bench_pass(library, index_per_photo, rounds)
    return {"photos": count, "index_per_s": index["index_per_s"], "rows": faces["rows"], "passes": passes,
            "faces_peak_rss_mb": faces["peak_rss_mb"], "load_average": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--photos", type=Path, help="a folder laid out as --keep writes it (no mirror needed)")
    parser.add_argument("--keep", type=Path, help="extract the photos here and keep them")
    parser.add_argument("--parts", nargs="+", default=["detection", "recognition", "speed"])
    parser.add_argument("--options", nargs="+", default=["hog:0", "hog:1", "cnn:0", "cnn:1"],
                        help="detector:upsample pairs to compare")
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--speed-photos", type=int, default=24)
    parser.add_argument("--sides", type=int, nargs="+", default=[512, 768, 1024], help="working sizes to time")
    parser.add_argument("--fit", action="store_true", help="print the fitted dlib calibration")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--rounds", type=int, default=2, help="faces passes per thread count, alternately")
    parser.add_argument("--time-faces", type=Path, help=argparse.SUPPRESS)  # bench_speed's child process
    parser.add_argument("--time-pass", type=Path, help=argparse.SUPPRESS)  # bench_pass's child process
    parser.add_argument("--mode", choices=PASS_MODES, default="processes", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_faces:
        print(json.dumps(time_faces(args.time_faces, args.sides)))
        return
    if args.time_pass:
        print(json.dumps(time_pass(args.time_pass, args.mode)))
        return

    from tagassist.engine.faces import faces_unavailable_reason

    reason = faces_unavailable_reason()
    if reason:
        raise SystemExit(reason)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        photos = args.photos or extract(args.mirror, args.keep or work / "photos")
        result: dict = {"photos": str(photos)}
        if "detection" in args.parts:
            print("detection (dlib examples/faces: PASCAL VOC group photos; photos without people)")
            options = [(o.split(":")[0], int(o.split(":")[1])) for o in args.options]
            result["detection"] = bench_detection(photos, options)
        if "recognition" in args.parts:
            print("recognition (deepface test photos; knn_examples as other people)")
            result["recognition"] = bench_recognition(photos, args.draws)
            if args.fit:
                print("fitted dlib calibration:", result["recognition"]["options"]["dlib ResNet"]["calibration"])
        if "speed" in args.parts:
            print(f"speed ({args.speed_photos} 12 MP JPEGs, CPU)")
            s = result["speed"] = bench_speed(photos, args.speed_photos, work, args.sides, args.rounds)
            print(f"  index {s['index_per_s']:.2f} photos/s without faces; faces' peak RSS"
                  f" {s['faces_peak_rss_mb']:.0f} MB;"
                  f" load average {s['load_average'][0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=float))


if __name__ == "__main__":
    main()
