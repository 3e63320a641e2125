"""The small CNN of CNN-PerMLP (Nguyen et al., "Personalized Deep Learning for Tag
Recommendation"): 3 convolution and 2 max-pooling layers, trained from scratch on random
patches; at inference the scores of 3 patches per image are averaged (Section 4.1)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SmallCNN(nn.Module):
    embedding_dim = 256
    num_classes = 0
    patch_size = 96

    def __init__(self, embedding_dim: int = 256):
        super().__init__()
        self.embedding_dim = embedding_dim
        self.conv1 = nn.Conv2d(3, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.conv3 = nn.Conv2d(64, 128, 3, padding=1)
        self.project = nn.Linear(128, embedding_dim)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        return F.relu(self.project(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, None]:
        """x: (batch, 3, H, W) with H, W >= patch size; returns the mean over 3 patches
        (left/top, centre, right/bottom along the long side) as in the paper."""
        h, w = x.shape[-2:]
        p = self.patch_size
        if w >= h:
            offsets = [(0, (h - p) // 2), ((w - p) // 2, (h - p) // 2), (w - p, (h - p) // 2)]
        else:
            offsets = [((w - p) // 2, 0), ((w - p) // 2, (h - p) // 2), ((w - p) // 2, h - p)]
        patches = [x[..., top : top + p, left : left + p] for left, top in offsets]
        embeddings = torch.stack([self.features(patch) for patch in patches]).mean(0)
        return embeddings, None
