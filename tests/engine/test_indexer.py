"""The indexing pipeline: decoding on threads ahead of the model stores what decoding one photo
after another would, a photo that cannot be decoded is reported and passed over, a cancel does
not wait for a decode, and the cores are shared as what is free allows."""

import functools
import threading

import numpy as np
import pytest
import torch

from tagassist.engine import cores
from tagassist.engine.content_words import content_encoder_id, content_probabilities
from tagassist.engine.encoders import load_encoder
from tagassist.engine.indexer import Indexer
from tagassist.services.indexing import decode_for, decode_photo, library_indexer, note_undecodable
from tagassist.services.scanning import Scanner


@pytest.fixture(scope="module")
def lite0():
    return load_encoder("efficientnet-lite0")


@pytest.fixture
def photos(store, sample_copy):
    """The sample library's first photos, scanned and without a vector."""
    Scanner(store, store.profiles.get()).run([sample_copy])
    return store.embeddings.photos_without_embedding("efficientnet-lite0")[:10]


@pytest.fixture
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_the_pipeline_stores_the_embeddings_of_one_photo_after_another(store, lite0, photos, one_thread):
    indexer = library_indexer(store, lite0, batch_size=4, decode_workers=3, torch_threads=1)
    assert indexer.run(photos).indexed == len(photos)
    expected, logits = [], []
    for start in range(0, len(photos), 4):  # the same batches, decoded in turn on this thread
        embedding, logit = indexer.embed(torch.stack([decode_for(lite0, p) for p in photos[start:start + 4]]))
        expected.append(embedding)
        logits.append(logit)
    hashes = [p.content_hash for p in photos]
    stored = store.embeddings.embeddings(lite0.id, hashes)
    np.testing.assert_allclose(np.stack([stored[h] for h in hashes]), np.concatenate(expected), rtol=0, atol=1e-6)
    content = store.embeddings.embeddings(content_encoder_id(lite0.id), hashes)
    np.testing.assert_allclose(np.stack([content[h] for h in hashes]),
                               content_probabilities(np.concatenate(logits)), rtol=0, atol=1e-6)


def test_a_corrupt_photo_in_the_middle_is_reported_and_the_others_indexed(store, lite0, photos):
    broken = photos[5]
    with open(broken.pixels_path, "wb") as f:
        f.write(b"\xff\xd8 not a JPEG any more " * 200)
    summary = library_indexer(store, lite0, batch_size=4, decode_workers=2).run(photos)
    assert summary.indexed == len(photos) - 1 and not summary.cancelled
    assert [path for path, _ in summary.failed] == [broken.path] and summary.failed[0][1]
    assert store.photos.get(broken.id).status == "error"
    stored = store.embeddings.embeddings(lite0.id, [p.content_hash for p in photos])
    assert set(stored) == {p.content_hash for p in photos if p is not broken}


def test_a_cancel_while_a_photo_decodes_returns_without_waiting_for_it(store, lite0, photos):
    slow, gate, waiting, passed = photos[5], threading.Event(), threading.Event(), threading.Event()

    def decode(photo, long_side):  # the library's decoding, held up on one photo
        if photo.id == slow.id:
            waiting.set()
            gate.wait(60)
            passed.set()
        return decode_photo(photo, long_side)

    indexer = Indexer(store.embeddings, lite0, decode=decode, on_undecodable=functools.partial(note_undecodable, store),
                      batch_size=2, decode_workers=2, torch_threads=1)
    run = indexer.index(photos)
    try:
        for progress in run:
            if waiting.is_set() and progress.path is None and progress.done:
                break  # a heartbeat while the slow photo decodes: the app's Job checks cancel here
        run.close()
        assert not passed.is_set(), "the cancel waited for the decode"
        assert indexer.summary.cancelled and 2 <= progress.done < len(photos)
        # what was reported done is stored, and nothing else
        stored = store.embeddings.embeddings(lite0.id, [p.content_hash for p in photos])
        assert set(stored) == {p.content_hash for p in photos[:progress.done]}
    finally:
        gate.set()
    rest = photos[progress.done:]
    assert library_indexer(store, lite0, batch_size=4).run(rest).indexed == len(rest)  # the next run goes on


def test_decoders_and_torch_share_the_free_cores():
    assert cores.plan(2, accelerated=False) == (1, 1)
    assert cores.plan(1, accelerated=False) == (1, 1)  # never zero threads
    assert cores.plan(8, accelerated=False) == (3, 5)
    assert cores.plan(16, accelerated=True) == (15, 1)  # the device runs the model; cores decode
    assert 1 <= cores.CoreMeter().free(least_interval=0.05) <= cores.allowed_cores()


def test_a_core_kept_busy_by_another_process_is_not_counted_free(tmp_path):
    import subprocess
    import sys

    meter = cores.CoreMeter()
    if meter._reading() is None or meter.cores < 2:
        pytest.skip("needs /proc/stat and two cores")
    idle = meter.free(least_interval=1.0)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        meter.free(least_interval=0.3)  # from the hog's start on
        loaded = meter.free(least_interval=1.0)
    finally:
        busy.kill()
        busy.wait()
    assert loaded <= max(1, idle - 1)
