"""Indexing a panorama keeps to a bounded memory: ``tagassist index`` in a process of its own
over a PNG that is 240 megapixels large and a few hundred kilobytes small."""

import os
import struct
import subprocess
import sys
import zlib

import pytest

from tagassist.services.scanning import Scanner
from tagassist.store import Store

PANORAMA = (20000, 12000)  # 240 MP: 960 MB as Pillow holds it decoded whole

PROBE = """
import sys
from tagassist.cli import main
code = main(["--db", sys.argv[1], "index", "--device", "cpu"])
status = open("/proc/self/status").read()
print("PEAK", code, next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1])
"""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def solid_png(path, size, colour) -> None:
    """An RGB PNG of one colour, written row block by row block (never whole in memory)."""
    width, height = size
    deflate = zlib.compressobj(1)
    block = (b"\x00" + bytes(colour) * width) * 100
    parts = [deflate.compress(block) for _ in range(height // 100)] + [deflate.flush()]
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(_chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b""))


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak RSS read from /proc")
def test_indexing_a_240_megapixel_png_stays_under_a_gigabyte(tmp_path):
    folder = tmp_path / "panoramas"
    folder.mkdir()
    solid_png(folder / "pano.png", PANORAMA, (90, 140, 200))
    db = tmp_path / "lib.sqlite"
    with Store(db) as store:
        Scanner(store, store.profiles.get()).run([folder])
    done = subprocess.run([sys.executable, "-c", PROBE, str(db)], capture_output=True, text=True, timeout=600)
    _, code, peak_kb = next(line for line in done.stdout.splitlines() if line.startswith("PEAK")).split()
    assert code == "0", done.stderr[-2000:]
    assert int(peak_kb) / 1024 <= 1024, f"peak RSS {int(peak_kb) / 1024:.0f} MB"
    with Store(db) as store:
        assert not store.embeddings.photos_without_embedding(store.settings.active_encoder())
