"""A profile's trained models as the photographer sees them: a list that starts at version 0,
the untrained engine, and activation or rollback that always has a way back.

Version 0 is what tagassist suggests with no trained model: its signals alone. It is active
when no model is, rollback from the oldest model reaches it, and it can always be activated
again. A model is activated only if its bundle verifies (checksum and load); a bundle that
does not is never shown as the one in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store import Profile, Store

UNTRAINED = "0"


@dataclass(frozen=True)
class ModelRow:
    version: str
    active: bool  # the one suggestions use now (a broken active bundle is not: see ``problem``)
    created_at: str | None
    metrics: dict = field(default_factory=dict)
    sha256: str | None = None
    path: str | None = None
    problem: str | None = None  # why the bundle cannot be used

    def as_json(self) -> dict:
        return {"version": self.version, "active": self.active, "created_at": self.created_at,
                "metrics": self.metrics, "sha256": self.sha256, "path": self.path, "problem": self.problem}

    @property
    def describe(self) -> str:
        """One line of what this version is, for the list."""
        if self.version == UNTRAINED:
            return "the untrained engine: your history, the photo's content and context, no trained model"
        m = self.metrics
        if self.problem:
            return f"cannot be used: {self.problem}"
        if "before_f1_at_5" in m:
            quality = f"held-out F1@5 {m['before_f1_at_5']:.3f} -> {m['after_f1_at_5']:.3f}"
        else:  # a cnn-permlp model: its own held-out quality
            quality = f"held-out F1@5 of the model alone {m.get('model_f1_at_5', 0):.3f}"
        learned = ", with your own weighing of the signals" if m.get("learned_ranker") else ""
        return f"{quality}  ({m.get('train_photos', '?')} photos{learned})"


def model_rows(store: Store, profile: Profile) -> list[ModelRow]:
    """Newest first, then version 0. Exactly one row is active: the model suggestions use."""
    records = store.models.of(profile)
    problems = {r["version"]: _problem(r) for r in records}
    flagged = next((i for i, r in enumerate(records) if r["active"]), None)
    # a broken active bundle falls back to the newest earlier one that loads, as suggestions do
    in_use = next((i for i in range(flagged, len(records)) if problems[records[i]["version"]] is None), None) \
        if flagged is not None else None
    rows = [ModelRow(r["version"], i == in_use, r["created_at"], r["metrics"], r["sha256"], r["path"],
                     problems[r["version"]]) for i, r in enumerate(records)]
    return rows + [ModelRow(UNTRAINED, in_use is None, None)]


def activate(store: Store, profile: Profile, version: str) -> None:
    """Make ``version`` the one suggestions use; refuses a bundle that does not verify."""
    if version == UNTRAINED:
        store.models.deactivate(profile)
        _leave_fine_tuned_encoder(store)
        return
    record = next((r for r in store.models.of(profile) if r["version"] == version), None)
    if record is None:
        raise LookupError(f"profile {profile.name!r} has no model {version!r} ('tagassist models' lists them)")
    problem = _problem(record)
    if problem:
        raise LookupError(f"model {version} cannot be activated: {problem}")
    store.models.activate(profile, version)


def rollback(store: Store, profile: Profile) -> str:
    """Activate the version before the one in use (the untrained engine after the oldest
    model); returns it."""
    rows = model_rows(store, profile)
    current = next(i for i, r in enumerate(rows) if r.active)
    earlier = next((r for r in rows[current + 1:] if r.problem is None), None)
    if earlier is None:
        raise LookupError("the untrained engine (version 0) is in use already: there is nothing earlier")
    activate(store, profile, earlier.version)
    return earlier.version


def _problem(record: dict) -> str | None:
    from ..models.bundle import BundleError, load_bundle

    try:
        load_bundle(record["path"], record["sha256"], arrays=True)  # verified and readable; no torch
    except BundleError as exc:
        return str(exc)
    return None


def _leave_fine_tuned_encoder(store: Store) -> None:
    """The untrained engine sees photos through the encoder as shipped, not one a deep
    retrain fine-tuned, when the library still has its embeddings."""
    from ..engine.encoder_names import DEFAULT_ENCODER, FINE_TUNED_PREFIX

    fine_tuned = (store.settings.active_encoder() or "").startswith(FINE_TUNED_PREFIX)
    if fine_tuned and store.embeddings.has_embeddings(DEFAULT_ENCODER):
        store.settings.set_active_encoder(DEFAULT_ENCODER)
