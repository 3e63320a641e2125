"""Helpers the tests share (not fixtures of one file). Simulated photos and libraries come from
the top-level ``photosim`` package, which the benchmarks use too; tests never import ``benchmarks``."""
