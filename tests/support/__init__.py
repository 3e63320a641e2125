"""Helpers the tests share (not fixtures of one file, and not benchmarks)."""
