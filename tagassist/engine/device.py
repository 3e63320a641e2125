"""Choosing where inference runs: CUDA, then Apple MPS, then the CPU."""

from __future__ import annotations

import os

import torch


class DeviceError(ValueError):
    pass


def choose_device(preference: str | None = None) -> torch.device:
    """'auto' (default) picks the fastest available; 'cpu', 'cuda', 'cuda:1', 'mps' are honoured
    or refused with a one-line reason."""
    preference = (preference or os.environ.get("TAGASSIST_DEVICE") or "auto").lower()
    if preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if preference.startswith("cuda") and not torch.cuda.is_available():
        raise DeviceError("--device cuda: no CUDA GPU is available here (try --device cpu)")
    if preference == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise DeviceError("--device mps: Apple's Metal backend is not available here (try --device cpu)")
    try:
        return torch.device(preference)
    except RuntimeError as exc:
        raise DeviceError(f"unknown device {preference!r} (use auto, cpu, cuda or mps)") from exc


def configure_cpu_threads() -> int:
    """One intra-op thread per core: more only contend with the JPEG decoding threads."""
    threads = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    torch.set_num_threads(threads)
    return threads


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """Mixed precision on GPUs (bf16 where supported); CPUs stay in float32."""
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return None
