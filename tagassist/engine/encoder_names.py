"""The encoders' names that code without torch needs (the library's options, model activation):
here, so that knowing a name never imports the encoders themselves (``encoders`` imports torch)."""

DEFAULT_ENCODER = "efficientnet-lite0"
FINE_TUNED_PREFIX = DEFAULT_ENCODER + "-ft-"  # + model version: the default encoder fine-tuned by the trainer
