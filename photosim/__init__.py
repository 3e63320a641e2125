"""Simulated photographers: rendered photos with real EXIF and XMP, for tests and benchmarks."""
