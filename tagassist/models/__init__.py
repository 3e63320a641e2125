"""The photographer's trained model: its architecture (``permlp``) and its use as one more
suggestion signal (``scoring``: the active model of a profile, with the weight and ranker
chosen for it). It builds on the engine (the bundle format, the ranker) and the store; the
engine never imports it: it takes a model scorer as any callable. Never imports Qt."""
