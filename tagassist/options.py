"""Every option a user can set, declared once: its name, default, choices, where it is kept
(its scope), the title the Settings dialog shows and the help the CLI prints, as Picard
declares its options with ``Option(...)``.

Everything else reads this registry: the CLI's flags (``add_argument``), the Settings dialog
(``in_dialog``), the settings file's fields and validation (``tagassist.settings``), the
library's options in its database (``tagassist.services.library``), the environment
(``Option.env``) and the trainer's arguments. A value nobody gave comes from the environment
where the option names a variable, else from its default (``Option.resolve``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Where an option's value is kept.
SCOPES = {
    "app": "this user's settings file (settings.json): the desktop app's own choices",
    "library": "the library's database: the same for every program and user that opens it",
    "profile": "one photographer of the library",
    "run": "one command or one retrain: given each time, never kept",
}

# value -> what the Settings dialog says
DEVICES = {"auto": "the fastest available (CUDA, then Apple MPS, then CPU)", "cpu": "CPU", "cuda": "NVIDIA CUDA GPU",
           "mps": "Apple GPU (MPS)"}
THEMES = {"system": "as the system", "light": "light", "dark": "dark"}
# How new sidecars are named: Lightroom and Capture One write IMG_1234.xmp (one for a RAW+JPEG
# pair); darktable and digiKam write one per file, IMG_1234.CR2.xmp and IMG_1234.JPG.xmp.
# Where an export writes, by the program that reads the keywords (tagassist/library/photo_files.py):
# 'auto' keeps the files the photo already has in step and, for a photo without a sidecar,
# writes where Lightroom reads.
SIDECAR_STYLES = {"auto": "Where its keywords are already (else as Lightroom reads)",
                  "lightroom": "Lightroom Classic: inside JPEGs, IMG.xmp for RAW",
                  "darktable": "darktable: IMG.CR2.xmp", "digikam": "digiKam: IMG.CR2.xmp with its tag list"}
RAW_JPEG = {"pair": "One photo (the RAW, shown by its JPEG)", "separate": "Two photos"}
FACES = {"on": "Find faces and name them from your people keywords", "off": "Off"}
# What an export does with the faces she named (tagassist/services/face_export.py).
WRITE_FACES = {"on": "Written into the files with the keywords", "off": "Left out of the files"}
# What an export does with the place a photo's GPS names (tagassist/services/location_export.py).
WRITE_LOCATION = {"off": "Left as the files have it", "on": "City, state and country from the GPS, where empty"}
# 'head': the personalized model on cached embeddings (seconds); 'full': also fine-tunes the
# visual encoder and re-indexes (minutes, best on a GPU); 'cnn-permlp': the paper's small CNN
# from scratch (research, the trainer only).
TRAIN_MODES = {"head": "Retrain on my tags", "full": "Retrain deeply (also tune the visual encoder)"}
TRAINER_MODES = (*TRAIN_MODES, "cnn-permlp")


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    scope: str  # one of SCOPES
    title: str  # the Settings dialog's label
    help: str  # the CLI's help, and the dialog's tooltip
    choices: Mapping[str, str] | None = None  # value -> the words the dialog shows
    bounds: tuple[float, float] | None = None  # the lowest and the highest number the dialog and the file take
    step: float = 1  # a number's step in the dialog
    unit: str = ""  # shown after a number in the dialog
    empty: str = ""  # what an empty text means (the dialog's placeholder)
    env: str | None = None  # the environment variable that gives the value where none is given
    flag: str | None = None  # the CLI's flag (None: not on the command line)
    strict: bool = True  # the CLI refuses values not in ``choices`` (False: the engine judges them, e.g. cuda:1)
    dialog: bool = True  # shown in the Settings dialog (app and library options)
    kind: type | None = None  # the value's type where the default (None) does not say it

    @property
    def type(self) -> type:
        return self.kind or type(self.default)

    def valid(self, value: Any) -> bool:
        """Whether ``value`` may be kept for this option (a settings file's value, a dialog's)."""
        if not isinstance(value, self.type) or (isinstance(value, bool) and self.type is not bool):
            return False
        if self.choices is not None and value not in self.choices:
            return False
        return self.bounds is None or self.bounds[0] <= value <= self.bounds[1]

    def from_env(self) -> Any:
        """The environment's value, or None where it gives none."""
        raw = os.environ.get(self.env) if self.env else None
        return self.type(raw) if raw else None

    def resolve(self, given: Any = None) -> Any:
        """The value in force: the one given, else the environment's, else the default."""
        if given is not None:
            return given
        from_env = self.from_env()
        return self.default if from_env is None else from_env


def _registry(*options: Option) -> dict[str, Option]:
    for option in options:
        assert option.scope in SCOPES, option
    return {option.name: option for option in options}


# In the Settings dialog's order.
OPTIONS = _registry(
    Option("device", "auto", "app", "Inference device",
           "where the visual encoder and training run: auto (the fastest available), cpu, cuda (cuda:1, ...) or mps",
           choices=DEVICES, env="TAGASSIST_DEVICE", flag="--device", strict=False),
    Option("encoder", None, "library", "Visual encoder",
           "the visual encoder that indexes the library's photos, and whose embeddings its suggestions use"
           " (default: the library's, efficientnet-lite0 until a deep retrain tunes it)", flag="--encoder", kind=str),
    Option("thumbnail_dir", "", "app", "Thumbnail folder", "where thumbnails are cached",
           empty="the user cache folder"),
    Option("thumbnail_cache_mb", 2000, "app", "Thumbnail cache size", "the most the thumbnail cache keeps, in MB",
           bounds=(100, 100_000), unit=" MB"),
    Option("suggestion_count", 9, "app", "Suggestions shown",
           "how many suggestions per photo (the app shows at most 9, one per number key)", bounds=(1, 9), flag="-k"),
    Option("confidence_threshold", 0.0, "app", "Hide suggestions scoring below",
           "suggestions scoring below this are not shown", bounds=(0.0, 0.95), step=0.05),
    Option("write_on_accept", False, "app", "Keywords in files",
           "Write keywords into XMP sidecars as soon as they change"),
    Option("sidecar_style", "auto", "app", "Write keywords for",
           "for which program: auto (the files that hold the photo's keywords already; where there is no sidecar,"
           " as Lightroom reads), lightroom (inside JPEGs, IMG.xmp for RAW), darktable or digikam (IMG.CR2.xmp"
           " beside each file); existing sidecars are always kept in step, and a RAW file is never written",
           choices=SIDECAR_STYLES, flag="--style"),
    Option("raw_jpeg", "pair", "library", "RAW + JPEG of one shot",
           "a RAW file and the JPEG shot with it: one photo (pair) or two; remembered for the library",
           choices=RAW_JPEG, flag="--raw-jpeg"),
    Option("write_faces", "on", "library", "Faces in files",
           "export writes the names you give faces into the photos' files, where Lightroom and digiKam read them"
           " (MWG face regions and PersonInImage); regions other programs wrote are kept", choices=WRITE_FACES),
    Option("write_location", "off", "library", "Location in files",
           "export writes the city, state, country and country code of each photo's GPS position (named offline"
           " from GeoNames) where Lightroom's map module writes them, only into files that name no place or"
           " still hold the one tagassist wrote; export --location does so for one run", choices=WRITE_LOCATION),
    Option("faces", "on", "library", "Faces",
           "find faces when indexing (offline: nothing leaves this computer) and name them from your people"
           " keywords and the face regions Lightroom, digiKam or Picasa wrote; off: no faces are looked for",
           choices=FACES, flag="--faces", env="TAGASSIST_FACES"),
    Option("theme", "system", "app", "Theme", "the app's colours", choices=THEMES),
    Option("profile", "default", "app", "Photographer",
           "the photographer whose history is used: the app and the CLI both work as the one the settings keep",
           flag="--profile", dialog=False),
    Option("train_mode", "head", "run", "Retrain",
           "head: the personalized model on cached embeddings (seconds); full: also fine-tune the visual encoder on"
           " your photos and re-index (minutes; best on a GPU)", choices=TRAIN_MODES, flag="--mode", dialog=False),
    Option("self_train", False, "run", "Also learn from untagged photos",
           "also learn from your untagged photos, labelled by the model itself (kept only if it helps)",
           flag="--self-train", dialog=False),
)


def in_scope(scope: str) -> list[Option]:
    return [option for option in OPTIONS.values() if option.scope == scope]


def in_dialog() -> list[Option]:
    """The options the Settings dialog edits, in its order: the app's and the library's."""
    return [o for o in OPTIONS.values() if o.dialog and o.scope in ("app", "library")]


def add_argument(parser: argparse.ArgumentParser, name: str, *flags: str, **overrides) -> argparse.Action:
    """The option as a CLI flag on ``parser`` (``args.<name>``): its help, choices and default
    from the registry. A library option is None when not given (the library keeps its own);
    another takes the environment's value, else its default. ``overrides`` go to argparse."""
    option = OPTIONS[name]
    settings: dict[str, Any] = {"dest": name, "help": option.help}
    if option.type is bool:
        settings["action"] = "store_true"
    else:
        default = None if option.scope == "library" else option.resolve()
        settings.update(type=option.type, default=default, metavar=name.split("_")[-1].upper())
        if option.choices is not None and option.strict:
            settings.update(choices=list(option.choices), metavar=None)
        if default is not None:
            where = f", or ${option.env} where set" if option.env else ""
            settings["help"] += f" (default: {option.default}{where})"
    settings.update(overrides)
    return parser.add_argument(*(flags or (option.flag,)), **settings)
