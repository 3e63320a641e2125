"""Every choice a user can make, declared once with the words the app shows for it: the CLI's
choices, the Settings dialog, the trainer's arguments and the settings file's validation all
read them from here."""

from __future__ import annotations

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
# 'head': the personalized model on cached embeddings (seconds); 'full': also fine-tunes the
# visual encoder and re-indexes (minutes, best on a GPU); 'cnn-permlp': the paper's small CNN
# from scratch (research, the trainer only).
TRAIN_MODES = {"head": "Retrain on my tags", "full": "Retrain deeply (also tune the visual encoder)"}
TRAINER_MODES = (*TRAIN_MODES, "cnn-permlp")
