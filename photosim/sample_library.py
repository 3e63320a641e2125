"""The sample library shipped in ``resources/sample-library``: one photographer, six shoots.

Regenerate with ``python -m photosim.sample_library resources/sample-library``.
The output is deterministic, so regenerating changes no file unless this script changed.

The photographer (Maya) has habits a generic tagger would not guess: a trip tag per journey
('Roma2024'), her dog's name ('Pixel'), hierarchical places, 'golden hour' rather than
'sunset'. The last photos of some shoots carry no keywords yet: those are what the demo
suggests tags for.
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

from .metadata import Shot, save_jpeg, write_sidecar
from .render import render


@dataclass
class Shoot:
    folder: str
    start: datetime
    gps: tuple[float, float] | None
    camera: tuple[str, str, str | None]
    photos: list[tuple[str, list[str] | None]]  # scene, keywords (None: not tagged yet)


X_T4 = ("FUJIFILM", "X-T4", "XF16-55mmF2.8 R LM WR")
PIXEL_PHONE = ("Google", "Pixel 7", None)

SHOOTS = [
    Shoot("2024-05 Rome", datetime(2024, 5, 11, 9, 30), (41.8986, 12.4769), X_T4, [
        ("city", ["Places|Italy|Rome", "Roma2024", "architecture", "street"]),
        ("city", ["Places|Italy|Rome", "Roma2024", "architecture"]),
        ("food", ["Places|Italy|Rome", "Roma2024", "food", "trattoria"]),
        ("city", ["Places|Italy|Rome", "Roma2024", "street", "people"]),
        ("night", ["Places|Italy|Rome", "Roma2024", "night", "city lights"]),
        ("city", ["Places|Italy|Rome", "Roma2024", "architecture", "golden hour"]),
        ("food", ["Places|Italy|Rome", "Roma2024", "food", "gelato"]),
        ("city", None),
        ("night", None),
    ]),
    Shoot("2024-07 Algarve", datetime(2024, 7, 20, 18, 0), (37.0891, -8.6680), X_T4, [
        ("beach", ["Places|Portugal|Algarve", "beach", "sea", "golden hour"]),
        ("beach", ["Places|Portugal|Algarve", "beach", "family"]),
        ("beach", ["Places|Portugal|Algarve", "beach", "sea"]),
        ("food", ["Places|Portugal|Algarve", "food", "seafood"]),
        ("beach", ["Places|Portugal|Algarve", "beach", "golden hour", "silhouette"]),
        ("beach", None),
    ]),
    Shoot("2024-08 Home", datetime(2024, 8, 3, 10, 0), (52.5200, 13.4050), PIXEL_PHONE, [
        ("dog", ["Pixel", "dog", "home"]),
        ("dog", ["Pixel", "dog", "garden"]),
        ("flowers", ["garden", "flowers", "macro"]),
        ("dog", ["Pixel", "dog", "portrait"]),
        ("food", ["food", "homemade", "kitchen"]),
        ("flowers", ["garden", "flowers"]),
        ("dog", None),
    ]),
    Shoot("2024-10 Black Forest", datetime(2024, 10, 12, 8, 15), (47.9990, 8.1050), X_T4, [
        ("forest", ["Places|Germany|Black Forest", "hiking", "forest", "autumn"]),
        ("forest", ["Places|Germany|Black Forest", "forest", "autumn", "trees"]),
        ("mountain", ["Places|Germany|Black Forest", "hiking", "landscape"]),
        ("forest", ["Places|Germany|Black Forest", "forest", "trees", "fog"]),
        ("mountain", ["Places|Germany|Black Forest", "landscape", "golden hour"]),
        ("dog", ["Pixel", "dog", "hiking"]),
        ("forest", None),
    ]),
    Shoot("2025-01 Alps", datetime(2025, 1, 18, 11, 0), (47.4210, 10.9850), X_T4, [
        ("mountain", ["Places|Germany|Zugspitze", "mountains", "snow", "landscape"]),
        ("mountain", ["Places|Germany|Zugspitze", "mountains", "snow"]),
        ("mountain", ["Places|Germany|Zugspitze", "mountains", "landscape", "golden hour"]),
        ("mountain", None),
    ]),
    Shoot("2025-02 Berlin nights", datetime(2025, 2, 7, 20, 30), (52.5163, 13.3777), PIXEL_PHONE, [
        ("night", ["Places|Germany|Berlin", "night", "city lights", "long exposure"]),
        ("night", ["Places|Germany|Berlin", "night", "city lights"]),
        ("city", ["Places|Germany|Berlin", "architecture", "street"]),
        ("night", None),
    ]),
]


def build(target: Path) -> int:
    if target.exists():
        shutil.rmtree(target)
    count = 0
    for shoot_index, shoot in enumerate(SHOOTS):
        folder = target / shoot.folder
        folder.mkdir(parents=True)
        make, model, lens = shoot.camera
        for i, (scene, keywords) in enumerate(shoot.photos):
            taken = shoot.start + timedelta(minutes=37 * i + (i % 3) * 11)
            gps = None
            if shoot.gps:  # photos of a shoot spread over a few hundred metres
                gps = (shoot.gps[0] + 0.0011 * ((i * 7) % 5 - 2), shoot.gps[1] + 0.0013 * ((i * 3) % 5 - 2))
            shot = Shot(
                taken_at=taken,
                make=make,
                model=model,
                lens=lens,
                focal_length=(16, 23, 35, 55)[i % 4],
                f_number=(2.8, 4.0, 5.6, 8.0)[i % 4],
                exposure=Fraction(1, (60, 125, 250, 500)[i % 4]),
                iso=(200, 400, 800, 3200)[(i + shoot_index) % 4],
                gps=gps,
            )
            size = (320, 480) if i % 5 == 4 else (480, 320)  # some portrait-format photos
            path = folder / f"{'IMG' if make == 'Google' else 'DSCF'}{1000 + 100 * shoot_index + i}.jpg"
            save_jpeg(render(scene, seed=shoot_index * 100 + i, size=size), path, shot, quality=78)
            if keywords:
                write_sidecar(path, keywords, digikam_style=(shoot_index == 2))
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    print(f"{build(args.target)} photos written to {args.target}")


if __name__ == "__main__":
    main()
