"""Faces found and described offline with dlib (issue 27): no Qt, no torch.

The models are dlib's own, as the ``face-recognition-models`` package ships them (CC0):

    mmod_human_face_detector.dat            the MMOD CNN detector (optional, ``detector="cnn"``)
    shape_predictor_5_face_landmarks.dat    5 landmarks: eyes' corners and nose, for alignment
    dlib_face_recognition_resnet_model_v1   the 128-d ResNet embedding (99.38 % on LFW)

The package also carries ``shape_predictor_68_face_landmarks.dat``, trained on iBUG 300-W,
whose licence excludes commercial use: it is never loaded here (it has no checksum below, and
only files with one are loaded) and the installers leave it out. The default detector is
dlib's HOG detector, compiled into dlib itself (Boost licence, trained on faces from Labeled
Faces in the Wild); on a CPU it is about 40 times as fast as the CNN (``benchmarks/faces.py``).

Every model file is checked against its SHA-256 before dlib reads it (the project's rule for
model files): a file that does not match is refused with a one-line reason.

Working size: the photo (already upright, as ``library.imaging.decode_rgb`` gives it) is
shrunk to ``WORKING_SIDE`` (768) pixels on its long side and searched with one 2x upsampling.
The HOG detector's window is 80 px, so upsampled once it finds faces of ~40 px on the working
image: 1/19 of the long side, a face of 210 px on a 12 MP photo, a head in a group of about
ten people across the frame. 1024 px would find faces of 1/25 of the long side for 1.8 times
the detection time, 512 px only faces of 1/13 (``benchmarks/faces.py`` measures the three).
Two upsamplings (20 px faces) would cost four times as much for faces too small to name
anyway (the embedding reads a 150 px chip). At most ``MAX_FACES`` faces of a photo, those the
detector is surest of, are described: dlib-bin is built without BLAS, and each embedding
takes tens of milliseconds on a CPU.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ...records import FaceBox  # the shared type: normalized 0..1, top-left origin, as displayed

# sha256 of the files in face-recognition-models 0.3.0 (identical to dlib.net's models).
MODEL_SHA256 = {
    "mmod_human_face_detector.dat": "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6",
    "shape_predictor_5_face_landmarks.dat": "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    "dlib_face_recognition_resnet_model_v1.dat": "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
}
DETECTOR_FILE = "mmod_human_face_detector.dat"
LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
EMBEDDING_FILE = "dlib_face_recognition_resnet_model_v1.dat"
DETECTORS = ("hog", "cnn")

WORKING_SIDE = 768  # long side of the image faces are searched on (see the module's notes)
MAX_FACES = 20  # faces described per photo, the surest first
UPSAMPLE = 1  # one 2x upsampling: faces of ~40 px on the working image
EMBEDDING_DIM = 128
# Quality (0..1) = confidence x size x sharpness, each 0..1:
#   confidence  logistic of the detector's score: the HOG's SVM margin (0 at its threshold,
#               2 and more for a clear frontal face), the CNN's (about 1 at its threshold)
#   size        the face's side in the working image over 80 px (capped at 1): below that the
#               150 px chip the embedding reads is upsampled from fewer pixels
#   sharpness   variance of the Laplacian of the aligned grey chip, v / (v + SHARP_HALF):
#               half at SHARP_HALF, a blurred or out-of-focus face scores low
CONFIDENCE_SCALE = {"hog": (0.0, 2.0), "cnn": (0.9, 10.0)}  # (centre, slope) of the logistic
FULL_SIZE_PX = 80.0
SHARP_HALF = 60.0


class FacesUnavailable(RuntimeError):
    """Faces cannot be found here; the message is one line for the user."""


def _dlib():
    """The dlib module; FacesUnavailable where it cannot be imported."""
    try:
        import dlib
    except ImportError as exc:
        raise FacesUnavailable(f"faces are off: dlib cannot be imported ({exc})") from exc
    return dlib


@dataclass(frozen=True, eq=False)
class DetectedFace:
    box: FaceBox
    quality: float  # 0..1, see the module's notes
    embedding: np.ndarray  # float32 (128,): dlib's ResNet; same person when the distance is < ~0.6
    score: float = 0.0  # the detector's own score, as it gave it


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def models_folder() -> Path | None:
    """The installed face_recognition_models package's model folder, found without importing
    it (its __init__ needs setuptools' pkg_resources, which a plain install lacks)."""
    try:
        spec = importlib.util.find_spec("face_recognition_models")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def faces_unavailable_reason(folder: Path | None = None) -> str | None:
    """None when faces can be found here, else why not, in one line (no model is loaded; dlib
    is imported, 30 ms, since an installed dlib may still not load)."""
    try:
        _dlib()
    except FacesUnavailable as exc:
        if isinstance(exc.__cause__, ModuleNotFoundError) and exc.__cause__.name == "dlib":
            return "faces are off: dlib is not installed (pip install dlib-bin)"
        return str(exc)
    folder = folder or models_folder()
    if folder is None:
        return "faces are off: the face models are not installed (pip install face-recognition-models)"
    for name in (LANDMARKS_FILE, EMBEDDING_FILE):
        if not (folder / name).is_file():
            return f"faces are off: the face model {name} is missing from {folder}"
    return None


class FaceModels:
    """dlib's detector, landmarks and embedding, each loaded on first use after its file's
    checksum is verified. Raises FacesUnavailable (one line) when one cannot be had. dlib's
    objects are not shared between threads: each thread that finds faces has its own."""

    def __init__(self, folder: str | Path | None = None, detector: str = "hog"):
        if detector not in DETECTORS:
            raise ValueError(f"detector must be one of {DETECTORS}, not {detector!r}")
        self.folder = Path(folder) if folder is not None else models_folder()
        self.detector_kind = detector
        self._loaded: dict[str, object] = {}
        self._lock = threading.Lock()

    def verified_path(self, name: str) -> Path:
        """The model file ``name``, its checksum verified; raises FacesUnavailable."""
        reason = faces_unavailable_reason(self.folder)
        if reason:
            raise FacesUnavailable(reason)
        expected = MODEL_SHA256.get(name)
        if expected is None:  # the 68-point model, or anything else: never loaded
            raise FacesUnavailable(f"faces: {name} is not a model tagassist loads")
        path = self.folder / name
        if not path.is_file():
            raise FacesUnavailable(f"faces are off: the face model {name} is missing from {self.folder}")
        if _file_sha256(path) != expected:
            raise FacesUnavailable(f"faces are off: the face model {path} does not match its checksum")
        return path

    def _get(self, key: str, build):
        with self._lock:
            if key not in self._loaded:
                self._loaded[key] = build()
            return self._loaded[key]

    @property
    def detector(self):
        dlib = _dlib()
        if self.detector_kind == "cnn":
            path = lambda: str(self.verified_path(DETECTOR_FILE))  # noqa: E731
            return self._get("detector", lambda: dlib.cnn_face_detection_model_v1(path()))
        return self._get("detector", dlib.get_frontal_face_detector)

    @property
    def landmarks(self):
        dlib = _dlib()
        return self._get("landmarks", lambda: dlib.shape_predictor(str(self.verified_path(LANDMARKS_FILE))))

    @property
    def embedder(self):
        dlib = _dlib()
        return self._get("embedder", lambda: dlib.face_recognition_model_v1(str(self.verified_path(EMBEDDING_FILE))))

    def load(self) -> FaceModels:
        """Load (and verify) every model now; returns self."""
        self.detector, self.landmarks, self.embedder  # noqa: B018
        return self


_default = threading.local()  # a thread's models go with it


def default_models() -> FaceModels:
    """This thread's FaceModels with the shipped models and the HOG detector."""
    if getattr(_default, "models", None) is None:
        _default.models = FaceModels()
    return _default.models


def working_image(image: Image.Image, side: int = WORKING_SIDE) -> Image.Image:
    """``image`` in RGB with at most ``side`` pixels on its long side (never enlarged)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if max(rgb.size) > side:
        scale = side / max(rgb.size)
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return rgb


def _detect(models: FaceModels, work: Image.Image, pixels: np.ndarray, upsample: int) -> list[tuple[object, float]]:
    """(dlib rectangle, score) per face found. The HOG detector reads the grey image: its
    features from one channel instead of the strongest of three cost a quarter less, and on
    104 photos it found the same 160 faces (boxes of median IoU 1.0 with those of the colour
    image, scores 0.1 lower on average; ``benchmarks/faces.py``'s detection unchanged)."""
    detector = models.detector
    if models.detector_kind == "cnn":
        return [(d.rect, float(d.confidence)) for d in detector(pixels, upsample)]
    rects, scores, _ = detector.run(np.asarray(work.convert("L")), upsample, 0.0)
    return list(zip(rects, (float(s) for s in scores)))


def _sharpness(chip: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of the chip's grey pixels."""
    grey = chip.astype(np.float32) @ np.asarray([0.299, 0.587, 0.114], dtype=np.float32)
    lap = (grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4 * grey[1:-1, 1:-1])
    return float(lap.var())


def face_quality(kind: str, score: float, side_px: float, chip: np.ndarray) -> float:
    """0..1: detector confidence x face size x sharpness (see the module's notes)."""
    centre, slope = CONFIDENCE_SCALE[kind]
    confidence = 1.0 / (1.0 + math.exp(-slope * (score - centre)))
    size = min(1.0, side_px / FULL_SIZE_PX)
    v = _sharpness(chip)
    return float(confidence * size * v / (v + SHARP_HALF))


def detect_faces(image: Image.Image, models: FaceModels | None = None, *, working_side: int = WORKING_SIDE,
                 upsample: int = UPSAMPLE, max_faces: int = MAX_FACES) -> list[DetectedFace]:
    """The faces in ``image`` (upright already: EXIF orientation applied, as
    ``library.imaging.decode_rgb`` does), best quality first, boxes normalized in that
    orientation. Raises FacesUnavailable when the models cannot be had."""
    dlib = _dlib()
    models = models or default_models()
    work = working_image(image, working_side)
    pixels = np.asarray(work)
    width, height = work.size
    found = _detect(models, work, pixels, upsample)
    if not found:
        return []
    landmarks, embedder = models.landmarks, models.embedder
    faces = []
    for rect, score in sorted(found, key=lambda d: -d[1])[:max_faces]:
        left, top = max(0, rect.left()), max(0, rect.top())
        right, bottom = min(width, rect.right() + 1), min(height, rect.bottom() + 1)
        if right <= left or bottom <= top:
            continue
        shape = landmarks(pixels, rect)
        chip = np.asarray(dlib.get_face_chip(pixels, shape, size=150, padding=0.25))
        embedding = np.asarray(embedder.compute_face_descriptor(chip), dtype=np.float32)
        box = FaceBox(left / width, top / height, (right - left) / width, (bottom - top) / height)
        side = math.sqrt(rect.width() * rect.height())
        faces.append(DetectedFace(box, face_quality(models.detector_kind, score, side, chip), embedding, score))
    faces.sort(key=lambda f: -f.quality)
    return faces
