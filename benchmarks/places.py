"""Places from the GPS (issue 26): the first day in a new city, and nothing else worse.

    python -m benchmarks.places --seeds 101 202 --photographers 10 --photos 160 --json out.json

For each seed and simulated photographer (``photosim``) the library is rendered, scanned and
indexed and her tags typed in date order. Then, with the place signal and the GPS rule off
("before": exactly the engine without them, both patched out) and on ("after"):

    first day   every shoot in a city she never visited before (her history: the photos
                before it), each photo suggested for with -k 5: her place keyword in the top 5
                (of the photos whose truth has one), F1@5 on place keywords only, F1@5
    next        her newest ``--next`` photos as her next shoots (history: the rest), F1@5
    far         place keywords in any top 5 above whose every use lies >= 100 km away

Never worse: at most 1 photographer in 10 worse on ``next``, none by more than 0.03 F1@5,
pooled not lower. Use seeds that were not tuned on; the output says which were used.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np

from photosim.library import prepare_library, tag_history
from photosim.photographers import PLACES, _place_tag, make_photographer


@contextlib.contextmanager
def places_off():
    """The engine as it was before issue 26: no place signal, no GPS rule."""
    from tagassist.engine.signals.base import Scored
    from tagassist.engine.signals.place import GeocodedPlace

    with mock.patch.object(GeocodedPlace, "score", lambda self, scene: Scored({})), \
            mock.patch("tagassist.engine.suggest.far_places", lambda h, photo: []):
        yield


def f1(shown: list[list[str]], truths: list[set[str]]) -> float:
    """Mean F1@5 over the photos (0 where both are empty is left out)."""
    scores = []
    for tags, truth in zip(shown, truths):
        hits = len(set(tags) & truth)
        if not tags and not truth:
            continue
        p = hits / len(tags) if tags else 0.0
        r = hits / len(truth) if truth else 0.0
        scores.append(2 * p * r / (p + r) if hits else 0.0)
    return float(np.mean(scores)) if scores else float("nan")


def one(index: int, seed: int, n_photos: int, n_next: int, work: Path) -> dict:
    from tagassist.engine.suggest import Suggester
    from tagassist.engine.timeplace import haversine_km
    from tagassist.store import Store

    photographer = make_photographer(index, seed)
    place_tags = {_place_tag(photographer, q) for q in PLACES}
    db, truth, name = prepare_library(work / f"{seed}-{index}", index, n_photos, seed)
    with Store(db) as store:
        profile = store.profiles.get(name)
        encoder = store.settings.active_encoder()
        by_path = tag_history(store, profile, truth)
        photos = [by_path[item["path"]] for item in truth]
        truths = [set(item["tags"]) for item in truth]
        folders = [Path(item["path"]).parent.name for item in truth]
        cities = [folder.split(" ", 1)[1] for folder in folders]
        home = photographer.home[1]
        # first days: each shoot (folder) in a city not seen in any earlier folder
        firsts, seen = [], {home}
        for i, (folder, city) in enumerate(zip(folders, cities)):
            if city not in seen and (i == 0 or folders[i - 1] != folder) and i >= 40:
                firsts.append([j for j in range(i, len(truth)) if folders[j] == folder])
            seen.add(city)

        def run() -> dict:
            first_shown, first_truth = [], []
            for rows in firsts:
                later = {photos[j].id for j in range(rows[0], len(truth))}
                engine = Suggester(store.history, profile, encoder, exclude_photo_ids=later, calibrate=False)
                for j in rows:
                    first_shown.append([s.tag for s in engine.suggest(photos[j], 5, hide_own_tags=True)])
                    first_truth.append(truths[j])
            start = len(truth) - n_next
            engine = Suggester(store.history, profile, encoder,
                               exclude_photo_ids={p.id for p in photos[start:]}, calibrate=False)
            next_shown = [[s.tag for s in engine.suggest(p, 5, hide_own_tags=True)] for p in photos[start:]]
            far = checked = 0
            h = engine.history
            for p, shown in zip(photos[start:], next_shown):
                if p.gps_lat is None:
                    continue
                for tag in shown:
                    t = h.tag_index.get(tag)
                    if tag in place_tags and t is not None:
                        checked += 1
                        km = haversine_km(p.gps_lat, p.gps_lon, h.lats[h.tag_rows[t]], h.lons[h.tag_rows[t]])
                        far += bool(np.isfinite(km).any() and np.all(np.nan_to_num(km, nan=np.inf) >= 100))
            with_place = [(shown, t) for shown, t in zip(first_shown, first_truth) if t & place_tags]
            return {
                "first_day_photos": len(first_shown),
                "place_in_top5": (sum(bool(set(s) & t & place_tags) for s, t in with_place) / len(with_place)
                                  if with_place else float("nan")),
                "place_f1": f1([[x for x in s if x in place_tags] for s in first_shown],
                               [t & place_tags for t in first_truth]),
                "first_day_f1": f1(first_shown, first_truth),
                "next_f1": f1(next_shown, [truths[j] for j in range(start, len(truth))]),
                "far_place_suggestions": far, "place_suggestions_checked": checked,
            }

        with places_off():
            before = run()
        after = run()
    return {"seed": seed, "photographer": name, "style": "hierarchical" if photographer.hierarchical_places else "flat",
            "before": before, "after": after}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 202])
    parser.add_argument("--photographers", type=int, default=10)
    parser.add_argument("--photos", type=int, default=160)
    parser.add_argument("--next", type=int, default=40)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for seed in args.seeds:
            for index in range(args.photographers):
                row = one(index, seed, args.photos, args.next, Path(work))
                rows.append(row)
                b, a = row["before"], row["after"]
                print(f"seed {seed} {row['photographer']:8s} {row['style']:12s}"
                      f" first days {a['first_day_photos']:3d} photos:"
                      f" place in top 5 {b['place_in_top5']:.2f} -> {a['place_in_top5']:.2f},"
                      f" place F1@5 {b['place_f1']:.3f} -> {a['place_f1']:.3f},"
                      f" F1@5 {b['first_day_f1']:.3f} -> {a['first_day_f1']:.3f};"
                      f" next F1@5 {b['next_f1']:.3f} -> {a['next_f1']:.3f};"
                      f" far {b['far_place_suggestions']} -> {a['far_place_suggestions']}", flush=True)
    pooled = {side: {k: float(np.nanmean([r[side][k] for r in rows]))
                     for k in ("place_in_top5", "place_f1", "first_day_f1", "next_f1")} for side in ("before", "after")}
    worse = [r["photographer"] + f"@{r['seed']}" for r in rows if r["after"]["next_f1"] < r["before"]["next_f1"] - 1e-9]
    drop = max((r["before"]["next_f1"] - r["after"]["next_f1"] for r in rows), default=0.0)
    summary = {"seeds": args.seeds, "photographers": len(rows), "pooled": pooled, "worse_on_next": worse,
               "largest_drop_on_next": drop}
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
