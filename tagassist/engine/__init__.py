"""Inference: visual encoders, embedding index, personalized suggestions. Never imports Qt.

Below the services and ``models/``, beside the store and the library, importing none of them:
it reads a tagging history through ``source.HistorySource`` (the store's ``history`` offers it,
and so does the evaluator's folksonomy reader), and the indexer is handed how photos are decoded.
``suggest.Suggester`` orchestrates; ``history`` holds a profile's history as arrays;
``signals/`` holds one module per signal; ``ranker`` combines them; ``calibration`` turns
scores into chances; ``bundle`` is the model file format."""
