"""torchvision backbones through torchvision's own pretrained-weights API.

Weights come from torchvision's download cache (``$TORCH_HOME/hub/checkpoints``): online users
get them on first use; offline users can put the file there. torchvision checks each file's
hash prefix as it loads it.
"""

from __future__ import annotations

import torch
from torch import nn

from .errors import EncoderUnavailable


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
    try:
        state = weights.get_state_dict(progress=False, check_hash=True)
    except Exception as exc:  # no network, no cached file, or a corrupt download
        raise EncoderUnavailable(
            f"{name}: pretrained weights unavailable ({type(exc).__name__}); put "
            f"{weights.url.rsplit('/', 1)[-1]} in $TORCH_HOME/hub/checkpoints or go online"
        ) from exc
    model = models.get_model(name, weights=None)
    model.load_state_dict(state, strict=True)
    transforms = weights.transforms()
    return _split(name, model), transforms.crop_size[0], tuple(transforms.mean), tuple(transforms.std)
