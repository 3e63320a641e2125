"""Every tag model by name: the baselines of the papers, the papers' models, and ``engine``,
what tagassist itself suggests.

The papers' models live in ``trainer.research``, which the installers leave out as a folder
(``packaging/tagassist.spec``); they are imported only when asked for by name, and where the
folder is missing, asking for one says so in one line."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from .model_api import TagModel


def _baseline(variant: str) -> Callable[..., TagModel]:
    def make(**params) -> TagModel:
        from .baselines import MostPopular, RecencyMostPopular

        cls = RecencyMostPopular if variant.startswith("bll") else MostPopular
        return cls(**{"variant": variant, **params})

    return make


def _engine(**params) -> TagModel:
    from .engine_model import EngineModel

    return EngineModel(**params)


RESEARCH_PACKAGE = "trainer.research"  # the papers' models: source installs only


def _research(module: str, cls: str) -> Callable[..., TagModel]:
    def make(**params) -> TagModel:
        return getattr(import_module(f"{RESEARCH_PACKAGE}.{module}"), cls)(**params)

    return make


MODELS: dict[str, Callable[..., TagModel]] = {
    **{name: _baseline(name) for name in ("mp", "mp-u", "mp-i", "mp-ui", "bll-u", "bll-ui")},
    "pitf": _research("pitf", "PITF"),
    "fm": _research("pitf", "FM"),
    "cnn-permlp": _research("permlp_model", "CNNPerMLP"),
    "altreco": _research("altreco", "ALTReco"),
    "graphnet": _research("graphnet", "GraphNet"),
    "multitask": _research("multitask", "CollaborativeMultitask"),
    "simr": _research("simr", "SIMR"),
    "engine": _engine,
}
LEARNED = ("pitf", "fm", "cnn-permlp", "altreco", "graphnet", "multitask", "simr", "engine")
NEURAL = ("cnn-permlp", "altreco", "graphnet", "multitask", "simr")


def make_model(name: str, **params) -> TagModel:
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r} (known: {', '.join(MODELS)})")
    try:
        return MODELS[name](**params)
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == RESEARCH_PACKAGE or exc.name.startswith(RESEARCH_PACKAGE + ".")):
            raise KeyError(f"{name} is a research model, not part of this installation: evaluate it from a source"
                           " install of tagassist") from None
        raise
