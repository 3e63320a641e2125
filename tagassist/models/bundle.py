"""Model bundles moved to ``tagassist.engine.bundle``: the engine loads them (its encoders and
this package's scorer), so the format belongs to the lower layer. These names stay here for
the trainer and the tests that import them from here."""

from ..engine.bundle import CONFIG, FORMAT, WEIGHTS, BundleError, bundle_sha256, load_bundle, save_bundle

__all__ = ["CONFIG", "FORMAT", "WEIGHTS", "BundleError", "bundle_sha256", "load_bundle", "save_bundle"]
