"""Every tag model by name: the baselines of the papers, the papers' models, and ``engine``,
what tagassist itself suggests."""

from __future__ import annotations

from collections.abc import Callable

from .model_api import TagModel


def _baseline(variant: str) -> Callable[..., TagModel]:
    def make(**params) -> TagModel:
        from .baselines import MostPopular, RecencyMostPopular

        cls = RecencyMostPopular if variant.startswith("bll") else MostPopular
        return cls(**{"variant": variant, **params})

    return make


def _lazy(module: str, cls: str) -> Callable[..., TagModel]:
    def make(**params) -> TagModel:
        return getattr(__import__(f"trainer.{module}", fromlist=[cls]), cls)(**params)

    return make


MODELS: dict[str, Callable[..., TagModel]] = {
    **{name: _baseline(name) for name in ("mp", "mp-u", "mp-i", "mp-ui", "bll-u", "bll-ui")},
    "pitf": _lazy("pitf", "PITF"),
    "fm": _lazy("pitf", "FM"),
    "cnn-permlp": _lazy("permlp_model", "CNNPerMLP"),
    "altreco": _lazy("altreco", "ALTReco"),
    "graphnet": _lazy("graphnet", "GraphNet"),
    "multitask": _lazy("multitask", "CollaborativeMultitask"),
    "simr": _lazy("simr", "SIMR"),
    "engine": _lazy("engine_model", "EngineModel"),
}
LEARNED = ("pitf", "fm", "cnn-permlp", "altreco", "graphnet", "multitask", "simr", "engine")
# The papers' models are scored by the evaluator from a source install; the installers leave
# these modules out (packaging/tagassist.spec): the app trains and evaluates without them.
RESEARCH_MODULES = ("pitf", "permlp_model", "altreco", "graphnet", "multitask", "simr", "neural")
NEURAL = ("cnn-permlp", "altreco", "graphnet", "multitask", "simr")


def make_model(name: str, **params) -> TagModel:
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r} (known: {', '.join(MODELS)})")
    try:
        return MODELS[name](**params)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.removeprefix("trainer.") in RESEARCH_MODULES:
            raise KeyError(f"{name} is a research model, not part of this installation: evaluate it from a source"
                           " install of tagassist") from None
        raise
