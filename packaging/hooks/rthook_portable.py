# PyInstaller runtime hook: portable mode. With a file named "portable" beside the executable
# (e.g. on a USB stick), the library database, settings, models and caches live in "data/" and
# "cache/" beside it instead of the user's profile, so nothing is left on the host computer.
import os
import sys
from pathlib import Path

_home = Path(sys.executable).resolve().parent
if sys.platform == "darwin" and _home.name == "MacOS":  # inside tagassist.app/Contents/MacOS
    _home = _home.parents[2]
if (_home / "portable").exists():
    os.environ.setdefault("TAGASSIST_DATA_DIR", str(_home / "data"))
    os.environ.setdefault("TAGASSIST_CACHE_DIR", str(_home / "cache"))
    os.environ.setdefault("TORCH_HOME", str(_home / "cache" / "torch"))  # optional backbones' weights
