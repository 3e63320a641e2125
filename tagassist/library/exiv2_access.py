"""exiv2, safe from several threads: scan and index workers read RAW files in parallel, and the
app may write keywords while a scan runs.

libexiv2's XMP toolkit must be initialised once before any thread uses it, and is not
reentrant (exiv2 expects a lock from its caller, which python-exiv2 cannot pass in). Two
threads parsing at once crashed the process about one scan in six. So every use of exiv2 goes
through ``exiv2_session()``, which holds one lock: parsing takes a millisecond or two, while
decoding pixels, the slow part, happens outside it.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

_LOCK = threading.RLock()
_ready = False


@contextmanager
def exiv2_session():
    """The exiv2 module, initialised and held for this thread until the block ends."""
    global _ready
    import exiv2

    with _LOCK:
        if not _ready:
            exiv2.LogMsg.setLevel(exiv2.LogMsg.Level.mute)  # problems are reported in our own words
            exiv2.XmpParser.initialize()
            _ready = True
        yield exiv2
