"""Naming faces (issue 27): the matcher ranks the right person first with a calibrated score
and its support, the calibration fits, and unknown faces cluster biggest first."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from tests.conftest import need_shared
from tests.engine.test_faces import need_faces


def _unit(rng, n, dim=128):
    v = rng.normal(size=(n, dim))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_fit_logistic_recovers_known_parameters():
    from tagassist.engine.faces.recognition import fit_logistic

    rng = np.random.default_rng(1)
    x = rng.uniform(0.2, 1.0, 20000)
    y = rng.random(20000) < 1 / (1 + np.exp(-(12.0 - 20.0 * x)))
    a, b = fit_logistic(x, y)
    assert abs(a - 12.0) < 0.8 and abs(b + 20.0) < 1.3
    with pytest.raises(ValueError):
        fit_logistic([0.3, 0.4], [True, True])


def test_the_calibration_is_fitted_from_her_faces_only_when_there_are_enough():
    from tagassist.engine.faces.recognition import DLIB_CALIBRATION, PersonMatcher, fit_calibration

    rng = np.random.default_rng(2)
    centres = _unit(rng, 12) * 0.6  # people ~0.85 apart, their photos ~0.35 from each other
    few = {f"p{i}": list(c + _unit(rng, 2) * 0.25) for i, c in enumerate(centres[:2])}
    assert fit_calibration(few) is None
    assert PersonMatcher.fitted(few).calibration == DLIB_CALIBRATION
    many = {f"p{i}": list(c + _unit(rng, 6) * 0.25) for i, c in enumerate(centres)}
    a, b = fit_calibration(many)
    assert b < 0 and 0.3 < -a / b < 0.85  # the even chance lies between the two kinds of distance
    matcher = PersonMatcher.fitted(many)
    assert matcher.calibration_source == "her named faces"
    top = matcher.rank(centres[3] + _unit(rng, 1)[0] * 0.25, top=3)
    assert top[0].keyword == "p3" and top[0].score > 0.9 and top[0].support >= 4
    assert all(m.score < 0.1 for m in top[1:])


def test_ranking_scores_and_support():
    from tagassist.engine.faces import PersonMatcher

    rng = np.random.default_rng(3)
    anna, ben = _unit(rng, 2) * 0.6
    named = {"People|Anna": [anna + d for d in _unit(rng, 14) * 0.2],
             "People|Ben": [ben + d for d in _unit(rng, 3) * 0.2]}
    matcher = PersonMatcher(named)
    ranked = matcher.rank(anna + _unit(rng, 1)[0] * 0.2, top=5)
    assert [m.keyword for m in ranked] == ["People|Anna", "People|Ben"]
    assert ranked[0].score > 0.95 and ranked[0].support == 14
    assert ranked[1].score < 0.05 and ranked[1].support == 0
    assert len(matcher.rank(anna, top=1)) == 1
    stranger = matcher.rank(_unit(rng, 1)[0] * 0.6, top=5)  # somebody she never named
    assert all(m.score < 0.05 for m in stranger)


def test_cluster_faces_biggest_first_and_strangers_alone():
    need_faces()
    from tagassist.engine.faces import cluster_faces

    rng = np.random.default_rng(4)
    a, b, c = _unit(rng, 3) * 0.6
    faces = [b + d for d in _unit(rng, 3) * 0.15] + [a + d for d in _unit(rng, 6) * 0.15] + [c]
    labels = cluster_faces(faces)
    assert labels[3:9] == [0] * 6 and labels[:3] == [1] * 3 and labels[9] == 2
    assert cluster_faces([]) == []


def test_real_faces_are_named_by_her_photos_of_them():
    """dlib's embeddings of real photos: Grace Hopper's retouched photo is named 'Grace Hopper'
    from her other copies, not the people of another photo."""
    need_faces()
    from tagassist.engine.faces import FaceModels, PersonMatcher, detect_faces

    models = FaceModels().load()
    grace = Image.open(need_shared("photos", "coral", "grace_hopper.bmp")).convert("RGB")
    people = Image.open(need_shared("photos", "coral", "face.jpg")).convert("RGB")
    others = detect_faces(people, models)[:2]
    variants = [grace, grace.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grace.resize((300, 352))]
    named = {"Grace Hopper": [detect_faces(v, models)[0].embedding for v in variants],
             "Anna": [others[0].embedding], "Ben": [others[1].embedding]}
    matcher = PersonMatcher(named)
    query = detect_faces(ImageEnhance.Brightness(grace.rotate(4, fillcolor=(0, 0, 0))).enhance(1.3), models)[0]
    ranked = matcher.rank(query.embedding, top=3)
    assert ranked[0].keyword == "Grace Hopper" and ranked[0].score >= 0.8 and ranked[0].support == 3
    assert all(m.score < 0.2 for m in ranked[1:])
    flipped = detect_faces(people.transpose(Image.Transpose.FLIP_LEFT_RIGHT), models)
    anna = min(flipped, key=lambda f: float(np.linalg.norm(f.embedding - others[0].embedding)))
    assert matcher.rank(anna.embedding, top=1)[0].keyword == "Anna"
