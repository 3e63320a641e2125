"""Model code shared by the engine (inference) and the trainer (fitting). Never imports Qt."""
