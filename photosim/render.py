"""Procedural scenes: small images whose pixels differ by what they show.

They are not photographs, but each scene has its own colours, layout and texture, so visual
features separate them the way they separate real beaches from real forests.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFilter

SCENES = ("beach", "forest", "city", "night", "food", "dog", "mountain", "flowers")


def _gradient(draw: ImageDraw.ImageDraw, box, top, bottom) -> None:
    x0, y0, x1, y1 = box
    for y in range(y0, y1):
        t = (y - y0) / max(1, y1 - y0 - 1)
        draw.line([(x0, y), (x1, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))


def _jitter(rng: random.Random, colour, amount=18):
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


BASE_SIZE = (480, 320)


def render(scene: str, seed: int, size: tuple[int, int] = BASE_SIZE) -> Image.Image:
    """The scene drawn at 480x320 (or 320x480 for portrait sizes), then resized to ``size``."""
    base = BASE_SIZE if size[0] >= size[1] else BASE_SIZE[::-1]
    image = _draw(scene, seed, base).filter(ImageFilter.GaussianBlur(0.6))
    return image if image.size == size else image.resize(size, Image.Resampling.BICUBIC)


def _draw(scene: str, seed: int, size: tuple[int, int]) -> Image.Image:
    rng = random.Random(f"{scene}:{seed}")
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = int(h * rng.uniform(0.35, 0.55))
    if scene == "beach":
        _gradient(draw, (0, 0, w, horizon), _jitter(rng, (110, 170, 230)), _jitter(rng, (200, 225, 245)))
        _gradient(draw, (0, horizon, w, int(h * 0.7)), _jitter(rng, (20, 100, 160)), _jitter(rng, (60, 150, 190)))
        _gradient(draw, (0, int(h * 0.7), w, h), _jitter(rng, (230, 210, 160)), _jitter(rng, (210, 185, 130)))
        r = rng.randint(12, 28)
        cx, cy = rng.randint(r, w - r), rng.randint(r, horizon - r)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_jitter(rng, (255, 230, 150), 10))
    elif scene == "forest":
        autumn = rng.random() < 0.5
        _gradient(draw, (0, 0, w, h), _jitter(rng, (150, 190, 150)), _jitter(rng, (60, 90, 40)))
        for _ in range(rng.randint(14, 26)):
            x = rng.randint(0, w)
            tw = rng.randint(6, 16)
            draw.rectangle([x, int(h * 0.4), x + tw, h], fill=_jitter(rng, (90, 60, 35)))
            leaf = (200, 110, 30) if autumn else (40, 120, 40)
            cy = rng.randint(int(h * 0.1), int(h * 0.5))
            draw.ellipse([x - 30, cy - 35, x + tw + 30, cy + 35], fill=_jitter(rng, leaf, 30))
    elif scene == "city":
        _gradient(draw, (0, 0, w, h), _jitter(rng, (170, 200, 230)), _jitter(rng, (220, 220, 210)))
        x = 0
        while x < w:
            bw, bh = rng.randint(40, 90), rng.randint(int(h * 0.3), int(h * 0.85))
            ochre = _jitter(rng, (205, 160, 100), 30)
            draw.rectangle([x, h - bh, x + bw, h], fill=ochre)
            for wy in range(h - bh + 10, h - 10, 22):
                for wx in range(x + 6, x + bw - 10, 16):
                    draw.rectangle([wx, wy, wx + 7, wy + 12], fill=(70, 55, 45))
            x += bw + rng.randint(0, 6)
    elif scene == "night":
        _gradient(draw, (0, 0, w, h), (8, 10, 30), (25, 20, 45))
        for _ in range(rng.randint(120, 220)):
            x, y = rng.randint(0, w), rng.randint(int(h * 0.3), h)
            r = rng.randint(1, 4)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=_jitter(rng, (255, 200, 90), 40))
    elif scene == "food":
        draw.rectangle([0, 0, w, h], fill=_jitter(rng, (120, 80, 50)))
        cx, cy, r = w // 2, h // 2, int(min(w, h) * 0.42)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(245, 245, 240))
        for _ in range(rng.randint(5, 12)):
            fx, fy = cx + rng.randint(-r // 2, r // 2), cy + rng.randint(-r // 2, r // 2)
            fr = rng.randint(10, 30)
            colour = rng.choice([(200, 40, 30), (240, 190, 60), (60, 140, 50), (150, 90, 40)])
            draw.ellipse([fx - fr, fy - fr, fx + fr, fy + fr], fill=_jitter(rng, colour))
    elif scene == "dog":
        _gradient(draw, (0, 0, w, h), _jitter(rng, (180, 200, 160)), _jitter(rng, (110, 150, 80)))
        fur = _jitter(rng, (170, 120, 60), 25)
        bx, by = rng.randint(w // 4, w // 2), rng.randint(h // 2, int(h * 0.7))
        draw.ellipse([bx - 90, by - 45, bx + 90, by + 45], fill=fur)
        draw.ellipse([bx + 60, by - 95, bx + 140, by - 15], fill=fur)
        draw.ellipse([bx + 100, by - 70, bx + 112, by - 58], fill=(20, 15, 10))
        for lx in (-70, -30, 30, 70):
            draw.rectangle([bx + lx, by + 20, bx + lx + 16, by + 90], fill=fur)
    elif scene == "mountain":
        _gradient(draw, (0, 0, w, h), _jitter(rng, (120, 160, 220)), _jitter(rng, (230, 235, 240)))
        for layer in range(3):
            base = _jitter(rng, (90 + 30 * layer, 100 + 30 * layer, 120 + 25 * layer), 10)
            points = [(0, h)]
            for x in range(0, w + 60, 60):
                points.append((x, int(h * (0.35 + 0.15 * layer)) + rng.randint(-40, 40)))
            points.append((w, h))
            draw.polygon(points, fill=base)
    elif scene == "flowers":
        _gradient(draw, (0, 0, w, h), _jitter(rng, (80, 150, 60)), _jitter(rng, (40, 100, 30)))
        for _ in range(rng.randint(20, 40)):
            x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(8, 20)
            petal = rng.choice([(240, 60, 90), (250, 220, 50), (250, 250, 250), (170, 80, 200)])
            draw.ellipse([x - r, y - r, x + r, y + r], fill=_jitter(rng, petal))
            draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=(240, 200, 40))
    else:
        raise ValueError(f"unknown scene {scene!r}")
    return image
