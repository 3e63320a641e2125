"""tagassist: personalized keyword suggestions for your own photo library."""

__version__ = "0.1.0"
