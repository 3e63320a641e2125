"""Simulated photographers: seeded, with the habits that make tagging personal.

Each photographer has
  - a language and a personal word for each concept (synonyms, spelling: 'golden hour' or
    'sunset', 'Strand' or 'beach'), used consistently, as people do;
  - places as GPS clusters, named their way ('Places|Portugal|Lisbon' or just 'Lisbon');
  - trips and events whose tag is tied to the date, not the pixels ('Lisboa2023');
  - favourite tags added to many photos whatever they show ('fuji', 'film look');
  - an uneven tagging habit: some photos get one keyword, some six.
Shoots have a date, a place, a camera and a mix of scenes; a scene's pixels come from
``render`` and decide its content words. ``write_library`` renders the photos as JPEGs with
real EXIF (date, camera, GPS) and returns each photo's true keywords, in date order.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

from .metadata import Shot, save_jpeg
from .render import SCENES, render

# Concepts a scene shows, and each language's words for them (first = the usual choice).
CONCEPTS = {
    "beach": ["sea", "beach", "sand"], "forest": ["forest", "trees", "hiking"],
    "city": ["architecture", "street", "city"], "night": ["night", "city lights", "long exposure"],
    "food": ["food", "dinner", "restaurant"], "dog": ["dog", "pet", "walk"],
    "mountain": ["mountains", "landscape", "snow"], "flowers": ["flowers", "macro", "garden"],
}
WORDS = {
    "en": {"sea": ["sea", "ocean"], "beach": ["beach"], "sand": ["sand"], "forest": ["forest", "woods"],
           "trees": ["trees"], "hiking": ["hiking", "hike"], "architecture": ["architecture"],
           "street": ["street", "streetphotography"], "city": ["city", "urban"], "night": ["night", "nightshot"],
           "city lights": ["city lights"], "long exposure": ["long exposure", "longexposure"],
           "food": ["food", "foodporn"], "dinner": ["dinner"], "restaurant": ["restaurant"], "dog": ["dog", "doggo"],
           "pet": ["pet"], "walk": ["walk"], "mountains": ["mountains", "alps"], "landscape": ["landscape"],
           "snow": ["snow"], "flowers": ["flowers", "blossom"], "macro": ["macro", "close-up"], "garden": ["garden"]},
    "de": {"sea": ["Meer"], "beach": ["Strand"], "sand": ["Sand"], "forest": ["Wald"], "trees": ["Bäume"],
           "hiking": ["Wandern"], "architecture": ["Architektur"], "street": ["Straße", "Strasse"], "city": ["Stadt"],
           "night": ["Nacht"], "city lights": ["Lichter"], "long exposure": ["Langzeitbelichtung"], "food": ["Essen"],
           "dinner": ["Abendessen"], "restaurant": ["Restaurant"], "dog": ["Hund"], "pet": ["Haustier"],
           "walk": ["Spaziergang"], "mountains": ["Berge"], "landscape": ["Landschaft"], "snow": ["Schnee"],
           "flowers": ["Blumen"], "macro": ["Makro"], "garden": ["Garten"]},
    "fr": {"sea": ["mer"], "beach": ["plage"], "sand": ["sable"], "forest": ["forêt"], "trees": ["arbres"],
           "hiking": ["randonnée"], "architecture": ["architecture"], "street": ["rue"], "city": ["ville"],
           "night": ["nuit"], "city lights": ["lumières"], "long exposure": ["pose longue"], "food": ["cuisine"],
           "dinner": ["dîner"], "restaurant": ["restaurant"], "dog": ["chien"], "pet": ["animal"], "walk": ["balade"],
           "mountains": ["montagne"], "landscape": ["paysage"], "snow": ["neige"], "flowers": ["fleurs"],
           "macro": ["macro"], "garden": ["jardin"]},
}
PLACES = [  # (country, city, lat, lon)
    ("Portugal", "Lisbon", 38.7223, -9.1393), ("Italy", "Rome", 41.8986, 12.4769),
    ("France", "Paris", 48.8566, 2.3522), ("Germany", "Berlin", 52.5200, 13.4050),
    ("Switzerland", "Zermatt", 46.0207, 7.7491), ("Spain", "Seville", 37.3891, -5.9845),
    ("Norway", "Bergen", 60.3913, 5.3221), ("Austria", "Vienna", 48.2082, 16.3738),
]
PLACE_SCENES = {"Zermatt": ["mountain", "forest", "night"], "Bergen": ["mountain", "beach", "city"]}
CAMERAS = [("FUJIFILM", "X-T4", "XF16-55mmF2.8 R LM WR"), ("SONY", "ILCE-7M3", "FE 24-70mm F2.8 GM"),
           ("Apple", "iPhone 14", None), ("Canon", "EOS R6", "RF24-105mm F4 L IS USM")]
FAVOURITES = ["film look", "fuji", "bw", "favourite", "travel", "portfolio", "instagram", "35mm"]


@dataclass
class Photographer:
    name: str
    language: str
    hierarchical_places: bool
    words: dict[str, str]  # concept -> her word
    concept_weights: dict[str, float]  # how likely she writes each concept when it shows
    favourites: dict[str, float]  # tag -> probability per photo
    mean_tags: float  # her tagging habit: how many content words on average
    home: tuple[str, str, float, float]
    cameras: list[tuple[str, str, str | None]]
    seed: int
    shoots: list[dict] = field(default_factory=list)
    names_places: bool = True  # a place keyword on photos away (and some at home)
    names_events: bool = True  # a trip's or an event's keyword


def make_photographer(index: int, seed: int = 0) -> Photographer:
    rng = random.Random(seed * 1000 + index)
    language = ["en", "de", "fr", "en"][index % 4]
    words = {concept: rng.choice(choices) for concept, choices in WORDS[language].items()}
    concept_weights = {concept: rng.uniform(0.2, 1.0) for concept in words}
    favourites = {tag: rng.uniform(0.15, 0.6) for tag in rng.sample(FAVOURITES, rng.randint(1, 3))}
    return Photographer(
        name=["maya", "jonas", "camille", "sam"][index % 4] + (str(index // 4) if index >= 4 else ""),
        language=language, hierarchical_places=rng.random() < 0.5, words=words, concept_weights=concept_weights,
        favourites=favourites, mean_tags=rng.uniform(1.5, 3.5), home=rng.choice(PLACES),
        cameras=rng.sample(CAMERAS, 2), seed=seed * 1000 + index,
    )


def _place_tag(p: Photographer, place) -> str:
    country, city = place[0], place[1]
    return f"Places|{country}|{city}" if p.hierarchical_places else city


def plan_shoots(p: Photographer, n_photos: int) -> list[dict]:
    """Shoots in date order until ``n_photos``: trips away (with a trip tag) and days at home."""
    rng = random.Random(p.seed + 1)
    day = datetime(2023, 1, 14, 9, 0)
    shoots, total = [], 0
    while total < n_photos:
        away = rng.random() < 0.5
        place = rng.choice([q for q in PLACES if q != p.home]) if away else p.home
        scenes = PLACE_SCENES.get(place[1], rng.sample(SCENES, 3))
        if not away:
            scenes = rng.sample(["dog", "flowers", "food", "city", "forest"], 3)
        size = min(rng.randint(8, 30), n_photos - total)
        event = (f"{place[1]}{day.year}" if away
                 else rng.choice(["birthday", "weekend"]) if rng.random() < 0.3 else None)
        shoots.append({"start": day, "place": place, "scenes": scenes, "size": size, "event": event,
                       "camera": p.cameras[0] if away else p.cameras[1]})
        total += size
        day += timedelta(days=rng.randint(5, 40), hours=rng.randint(-2, 2))
    return shoots


def photo_tags(p: Photographer, shoot: dict, scene: str, rng: random.Random) -> list[str]:
    named = p.names_places and (shoot["place"] != p.home or rng.random() < 0.3)
    tags = [_place_tag(p, shoot["place"])] if named else []
    if shoot["event"] and p.names_events:
        tags.append(shoot["event"])
    concepts = sorted(CONCEPTS[scene], key=lambda c: -p.concept_weights[c])
    wanted = max(1, min(len(concepts), round(rng.gauss(p.mean_tags, 1.0))))
    for concept in concepts[:wanted]:
        if rng.random() < 0.35 + 0.65 * p.concept_weights[concept]:
            tags.append(p.words[concept])
    tags += [tag for tag, chance in p.favourites.items() if rng.random() < chance]
    return list(dict.fromkeys(tags)) or [p.words[concepts[0]]]


def tag_odds(p: Photographer, shoot: dict, scene: str, samples: int = 4000) -> dict[str, float]:
    """How likely each tag is on a photo of this shoot and scene: the generator's own odds,
    estimated by running it (no suggester can know more than this)."""
    rng = random.Random(0)
    counts: Counter = Counter()
    for _ in range(samples):
        counts.update(photo_tags(p, shoot, scene, rng))
    return {tag: n / samples for tag, n in counts.most_common()}


def write_library(p: Photographer, root: str | Path, n_photos: int,
                  on_photo: Callable[[int, int], None] | None = None) -> list[dict]:
    """Renders the photographer's photos under ``root`` (one folder per shoot, no keywords in
    the files) and returns [{"path", "taken_at", "scene", "tags", "odds"}] in date order
    ("odds": ``tag_odds``, the ten likeliest). ``on_photo(done, total)`` hears each photo written."""
    root = Path(root)
    rng = random.Random(p.seed + 2)
    odds: dict[tuple[int, str], dict[str, float]] = {}
    truth = []
    for number, shoot in enumerate(plan_shoots(p, n_photos)):
        folder = root / f"{shoot['start']:%Y-%m-%d} {shoot['place'][1]}"
        folder.mkdir(parents=True, exist_ok=True)
        lat, lon = shoot["place"][2], shoot["place"][3]
        for i in range(shoot["size"]):
            scene = rng.choice(shoot["scenes"])
            when = shoot["start"] + timedelta(minutes=7 * i + rng.randint(0, 5))
            make, model, lens = shoot["camera"]
            shot = Shot(taken_at=when, make=make, model=model, lens=lens,
                        focal_length=rng.choice([16.0, 23.0, 35.0, 55.0]), f_number=rng.choice([2.8, 4.0, 5.6, 8.0]),
                        exposure=Fraction(1, rng.choice([60, 125, 250, 1000])),
                        iso=rng.choice([100, 200, 400, 1600]),
                        gps=(lat + rng.gauss(0, 0.003), lon + rng.gauss(0, 0.003)) if model != "EOS R6" else None)
            path = folder / f"IMG_{number:03d}{i:03d}.jpg"
            save_jpeg(render(scene, seed=p.seed * 100_000 + number * 1000 + i, size=(320, 224)), path, shot)
            if (number, scene) not in odds:
                odds[number, scene] = dict(list(tag_odds(p, shoot, scene).items())[:10])
            truth.append({"path": str(path), "taken_at": when.isoformat(), "scene": scene,
                          "tags": photo_tags(p, shoot, scene, rng), "odds": odds[number, scene]})
            if on_photo:
                on_photo(len(truth), n_photos)
    return truth
