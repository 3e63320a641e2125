"""torchvision backbones with torchvision's pretrained ImageNet weights.

Weights come from torch's download cache (``$TORCH_HOME/hub/checkpoints``): online users get
them on first use; offline users can put the file there. Either way tagassist checks the
file's sha256 before it reads a byte of it as weights, and then reads it with
``weights_only=True``: a weight file is a pickle, and an unchecked one runs whatever code it
names (torch.hub checks a hash only while downloading, never a file already in the cache).
"""

from __future__ import annotations

import re
from pathlib import Path

import torch
from torch import nn

from .base import EncoderUnavailable, file_sha256

# sha256 of the DEFAULT weight file of each backbone, as download.pytorch.org serves it
# (torchvision names each file with the first 8 hex digits).
WEIGHT_SHA256 = {
    "resnet50-11ad3fa6.pth": "11ad3fa62ca79e40addfd354a8ec4b7c75143b3038b8d2a807fbc68deab379ca",
    "convnext_tiny-983f1562.pth": "983f1562536e84ff750a1576fb08e54de751dbf2e17c0d8a4a13704341fdcd3d",
    "mobilenet_v3_large-5c1a4163.pth": "5c1a416349c4cf298f2a6a5e2600ed0ee55e604713578f5e74e6bc8bcaef7997",
    "efficientnet_b0_rwightman-7f5810bc.pth": "7f5810bc96def8f7552d5b7e68d53c4786f81167d28291b21c0d90e1fca14934",
}


def expected_sha256(file_name: str) -> str | None:
    """The file's full sha256 where known; else the prefix its name carries (torch.hub's
    convention, for a torchvision that changes a DEFAULT); None when neither exists."""
    if file_name in WEIGHT_SHA256:
        return WEIGHT_SHA256[file_name]
    named = re.search(r"-([0-9a-f]{8,})\.[^.]+$", file_name)
    return named.group(1) if named else None


def checked_state_dict(name: str, url: str) -> dict:
    """The state dict in the cached file for ``url`` (downloaded first if absent), once its
    sha256 matches; EncoderUnavailable, in one line, for anything else."""
    file_name = url.rsplit("/", 1)[-1]
    expected = expected_sha256(file_name)
    if expected is None:
        raise EncoderUnavailable(f"{name}: no checksum known for {file_name}")
    path = Path(torch.hub.get_dir()) / "checkpoints" / file_name
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(url, str(path), hash_prefix=expected, progress=False)
        except Exception as exc:  # no network, or a corrupt download (not kept)
            raise EncoderUnavailable(
                f"{name}: pretrained weights unavailable ({type(exc).__name__}); put {file_name} in"
                f" $TORCH_HOME/hub/checkpoints or go online"
            ) from exc
    try:
        digest = file_sha256(path)
    except OSError as exc:
        raise EncoderUnavailable(f"{name}: {path} cannot be read ({exc.strerror})") from exc
    if not digest.startswith(expected):
        raise EncoderUnavailable(f"{name}: {path} does not match its checksum (not read); replace it with {url}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise EncoderUnavailable(f"{name}: {path} is not a plain weight file ({type(exc).__name__})") from exc


class _Pooled(nn.Module):
    """Wraps a torchvision classifier as (pooled embedding, ImageNet logits)."""

    def __init__(self, trunk: nn.Module, head: nn.Module, embedding_dim: int):
        super().__init__()
        self.trunk, self.head, self.embedding_dim = trunk, head, embedding_dim

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        embedding = self.trunk(x)
        return embedding, self.head(embedding)


def _split(name: str, model: nn.Module) -> _Pooled:
    if name == "resnet50":
        head, model.fc = model.fc, nn.Identity()
        return _Pooled(model, head, 2048)
    if name in ("mobilenet_v3_large", "efficientnet_b0"):
        trunk = nn.Sequential(model.features, model.avgpool, nn.Flatten(1))
        first_linear = next(m for m in model.classifier if isinstance(m, nn.Linear))
        return _Pooled(trunk, model.classifier, first_linear.in_features)
    if name == "convnext_tiny":
        norm, flatten, linear = model.classifier
        trunk = nn.Sequential(model.features, model.avgpool, norm, flatten)
        return _Pooled(trunk, linear, linear.in_features)
    raise EncoderUnavailable(f"no embedding split known for {name}")


def build(name: str) -> tuple[nn.Module, int, tuple, tuple]:
    """(model, input size, mean, std) for a torchvision backbone with its DEFAULT weights."""
    try:
        from torchvision import models
    except ImportError as exc:  # the CPU installer leaves torchvision out
        raise EncoderUnavailable(f"{name}: needs torchvision, which this installation does not include") from exc
    weights = models.get_model_weights(name).DEFAULT
    state = checked_state_dict(name, weights.url)
    model = models.get_model(name, weights=None)
    model.load_state_dict(state, strict=True)
    transforms = weights.transforms()
    return _split(name, model), transforms.crop_size[0], tuple(transforms.mean), tuple(transforms.std)
