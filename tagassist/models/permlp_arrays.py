"""A trained PerMLP's forward pass in numpy, for suggesting: a loaded model scores one photo
at a time on the CPU, where importing torch (2 s) would cost more than every suggestion of a
``tagassist suggest`` call. The same arithmetic as ``permlp.PerMLP.forward`` for user 0, in
float32; ``permlp.py`` stays the one the trainer fits."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

# PerMLP's state dict: name -> its shape, from the sizes in the bundle's config.
_SHAPES = {
    "feature_mean": ("feature_dim",),
    "feature_std": ("feature_dim",),
    "w_per": ("feature_dim",),
    "b_per": ("feature_dim",),
    "user.weight": ("n_users", "feature_dim"),
    "hidden_layer.weight": ("hidden", "feature_dim"),
    "hidden_layer.bias": ("hidden",),
    "out.weight": ("n_tags", "hidden"),
    "out.bias": ("n_tags",),
}


class PerMLPArrays:
    """PerMLP's weights as float32 arrays, checked as ``load_state_dict(strict=True)`` checks
    them: exactly its names, each of the shape the config's sizes give."""

    def __init__(self, config: Mapping, tensors: Mapping[str, np.ndarray]):
        sizes = {name: int(config[name]) for name in ("feature_dim", "n_users", "n_tags", "hidden")}
        if set(tensors) != set(_SHAPES):
            raise ValueError(f"expected tensors {sorted(_SHAPES)}, found {sorted(tensors)}")
        for name, dims in _SHAPES.items():
            if tensors[name].shape != tuple(sizes[d] for d in dims):
                raise ValueError(f"{name} has shape {tensors[name].shape}")
        w = {name: np.ascontiguousarray(tensors[name], dtype=np.float32) for name in _SHAPES}
        self.mean, self.std, self.w_per, self.b_per = w["feature_mean"], w["feature_std"], w["w_per"], w["b_per"]
        self.user = w["user.weight"][0]
        self.hidden_t, self.hidden_b = w["hidden_layer.weight"].T.copy(), w["hidden_layer.bias"]
        self.out_t, self.out_b = w["out.weight"].T.copy(), w["out.bias"]

    def scores(self, features: np.ndarray) -> np.ndarray:
        """(feature_dim,) -> a score per tag (PerMLP.forward for user 0)."""
        z = (np.asarray(features, dtype=np.float32) - self.mean) / self.std
        psi = np.maximum(self.b_per + self.w_per * z + self.user, 0)
        hidden = np.maximum(psi @ self.hidden_t + self.hidden_b, 0)
        return hidden @ self.out_t + self.out_b
