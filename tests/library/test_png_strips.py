"""A large PNG decoded strip by strip gives the pixels of a whole decode and ``reduce``."""

import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tagassist.library import png_strips
from tagassist.library.imaging import ImageProblem, decode_rgb


def _whole(monkeypatch, path, max_side):
    """decode_rgb as it decodes a PNG too small for strips: whole, then reduced."""
    with monkeypatch.context() as patch:
        patch.setattr(png_strips, "STRIP_PIXELS", 10**12)
        assert not png_strips.suits(Image.open(path), path)
        return np.asarray(decode_rgb(path, 1, max_side, shrink=False))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def _png_with_every_filter(path, pixels: np.ndarray) -> None:
    """An RGB PNG whose rows use filter types 0-4 in turn (Pillow's encoder picks its own), so
    the rows that open each strip are filtered against rows of the strip before."""
    height, width, _ = pixels.shape
    rows, above = [], np.zeros(width * 3, np.int32)
    for y in range(height):
        x = pixels[y].reshape(-1).astype(np.int32)
        left = np.concatenate([np.zeros(3, np.int32), x[:-3]])
        upper_left = np.concatenate([np.zeros(3, np.int32), above[:-3]])
        kind = y % 5
        predicted = [0, left, above, (left + above) // 2, _paeth(left, above, upper_left)][kind]
        rows.append(bytes([kind]) + ((x - predicted) % 256).astype(np.uint8).tobytes())
        above = x
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"".join(rows), 6)
    with open(path, "wb") as f:  # IDAT in several chunks, as encoders write it
        f.write(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header))
        for start in range(0, len(idat), 50_000):
            f.write(_chunk(b"IDAT", idat[start:start + 50_000]))
        f.write(_chunk(b"IEND", b""))


@pytest.fixture
def small_strips(monkeypatch):
    """Strips of a few rows, so that images a test can afford span dozens of them."""
    monkeypatch.setattr(png_strips, "STRIP_PIXELS", 20_000)


def test_every_png_filter_across_strip_edges_decodes_as_a_whole_decode(tmp_path, small_strips, monkeypatch):
    rng = np.random.default_rng(1)
    ramp = np.linspace(0, 255, 1203, dtype=np.float32)
    pixels = (ramp[None, :, None] * 0.5 + rng.integers(0, 60, (907, 1203, 3))).astype(np.uint8)
    path = tmp_path / "filters.png"
    _png_with_every_filter(path, pixels)
    assert np.array_equal(np.asarray(Image.open(path)), pixels)  # the file is what it says
    image = Image.open(path)
    assert png_strips.suits(image, path)
    for factor in (2, 3, 7):
        side = max(image.size) // factor
        strips = decode_rgb(path, 1, side, shrink=False)
        assert np.array_equal(np.asarray(strips), _whole(monkeypatch, path, side)), factor


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "P4", "1"])
def test_each_colour_type_decodes_as_a_whole_decode(tmp_path, small_strips, monkeypatch, mode):
    rng = np.random.default_rng(2)
    base = Image.fromarray(rng.integers(0, 256, (601, 811, 3), dtype=np.uint8)).resize((811, 601))
    path = tmp_path / f"{mode}.png"
    if mode in ("P", "P4"):
        image = base.quantize(16 if mode == "P4" else 200)
        alphas = bytes(range(0, 256, 16))[:16] if mode == "P4" else None
        image.save(path, bits=4 if mode == "P4" else 8, **({"transparency": alphas} if alphas else {}))
    else:
        base.convert(mode).save(path)
    assert png_strips.suits(Image.open(path), path)
    strips = decode_rgb(path, 1, 811 // 5, shrink=False)
    assert strips.mode == "RGB" and strips.size == (163, 121)
    assert np.array_equal(np.asarray(strips), _whole(monkeypatch, path, 811 // 5))


def test_interlaced_and_16_bit_pngs_decode_whole(tmp_path, small_strips):
    Image.new("I;16", (600, 400), 4000).save(tmp_path / "deep.png")
    assert not png_strips.suits(Image.open(tmp_path / "deep.png"), tmp_path / "deep.png")
    assert decode_rgb(tmp_path / "deep.png", 1, 100, shrink=False).size == (100, 67)
    Image.new("RGB", (600, 400)).save(tmp_path / "flat.png")
    data = bytearray((tmp_path / "flat.png").read_bytes())
    data[28] = 1  # IHDR's interlace method: Adam7 (Pillow writes no interlaced PNG)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    (tmp_path / "interlaced.png").write_bytes(bytes(data))
    assert not png_strips.suits(Image.open(tmp_path / "interlaced.png"), tmp_path / "interlaced.png")


def test_a_corrupt_stream_is_an_image_problem_and_a_truncated_one_ends_black(tmp_path, small_strips):
    pixels = np.full((400, 600, 3), 200, np.uint8)
    path = tmp_path / "p.png"
    _png_with_every_filter(path, pixels)
    data = bytearray(path.read_bytes())
    broken = tmp_path / "broken.png"
    broken.write_bytes(bytes(data[:60]) + bytes(b ^ 0x5A for b in data[60:200]) + bytes(data[200:]))
    with pytest.raises(ImageProblem):
        decode_rgb(broken, 1, 100, shrink=False)
    cut = tmp_path / "cut.png"
    cut.write_bytes(bytes(data[: len(data) // 2]))
    half = np.asarray(decode_rgb(cut, 1, 100, shrink=False))
    assert half[0, 0].tolist() == [200, 200, 200] and half[-1, 0].tolist() == [0, 0, 0]
