"""Self-training with knowledge distillation (the SIMR idea of the hashtag paper) for a
profile's model: the freshly trained model is the teacher; it labels the library's photos the
photographer has not tagged, and a student of the same shape learns from her tags (BPR, with
her rejections as hard negatives) and from the teacher's soft targets on those photos:
    L = L_BPR + alpha * T^2 * KL( softmax(teacher / T) || softmax(student / T) )
The student is kept only if its F1@5 on the held-out photos beats the teacher's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from tagassist.models.permlp import PerMLP, bpr_loss

from .control import checkpoint
from .early_stopping import EarlyStopping


def distil(
    teacher: PerMLP,
    features: torch.Tensor,
    unlabelled: torch.Tensor,
    train_rows: np.ndarray,
    positive_batch: Callable[[np.ndarray], tuple[torch.Tensor, torch.Tensor]],
    validate: Callable[[PerMLP], float],
    *,
    epochs: int = 40,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    temperature: float = 2.0,
    alpha: float = 1.0,
    patience: int = 8,
    seed: int = 0,
    device="cpu",
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[PerMLP, float]:
    """(student, its held-out F1@5). ``positive_batch(rows)`` gives the padded positives and
    negatives of those training rows; ``validate(model)`` its held-out F1@5."""
    teacher.eval()
    student = copy.deepcopy(teacher).train()  # starts where the teacher is: distillation refines it
    optimiser = torch.optim.AdamW(student.parameters(), lr=learning_rate, weight_decay=1e-4)
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        soft = F.softmax(teacher(unlabelled.to(device), torch.zeros(len(unlabelled), dtype=torch.long, device=device))
                         / temperature, 1)
    stopping = EarlyStopping([student], patience)
    stopping.update(validate(student))
    for _ in range(epochs):
        rng.shuffle(train_rows)
        for start in range(0, len(train_rows), batch_size):
            checkpoint(should_stop)
            rows = train_rows[start : start + batch_size]
            pos, neg = positive_batch(rows)
            users = torch.zeros(len(rows), dtype=torch.long, device=device)
            loss = bpr_loss(student(features[rows].to(device), users), pos, neg)
            pick = torch.randint(len(unlabelled), (len(rows),), generator=generator)
            student_log = F.log_softmax(student(unlabelled[pick].to(device), users) / temperature, 1)
            loss = loss + alpha * temperature**2 * F.kl_div(student_log, soft[pick], reduction="batchmean")
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        if stopping.update(validate(student)):
            break
    stopping.restore()
    return student.eval(), stopping.best
