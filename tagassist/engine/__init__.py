"""Inference: visual encoders, embedding index, personalized suggestions. Never imports Qt."""
