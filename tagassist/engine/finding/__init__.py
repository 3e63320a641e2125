"""Finding the rest: which photos of her library should carry a keyword too, best first, each
with a calibrated score and a reason, re-ranked after each of her decisions (issue 24).

The inverse of ``suggest``'s question, on the same history (read through ``HistorySource``)
and embeddings: ``PhotoSet`` holds the library's photos as arrays, ``TaggedLibrary`` her tags
over them (once per profile), ``KeywordFinder`` one keyword's ranking. Qt-free and store-free:
the service hands the embeddings in.
"""

from .finder import Candidate, KeywordFinder, NoExamples
from .photoset import PhotoSet
from .tagged import TaggedLibrary, in_family

__all__ = ["Candidate", "KeywordFinder", "NoExamples", "PhotoSet", "TaggedLibrary", "in_family"]
