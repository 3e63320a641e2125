"""Inference: visual encoders, embedding index, personalized suggestions. Never imports Qt.

Below the services and ``models/``: it reads the store and the library's image decoding and
imports nothing above them. ``suggest.Suggester`` orchestrates; ``history`` holds a profile's
history as arrays; ``signals/`` holds one module per signal; ``ranker`` combines them;
``calibration`` turns scores into chances; ``bundle`` is the model file format."""
