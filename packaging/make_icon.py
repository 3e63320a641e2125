"""Draws resources/icons/tagassist.png (512 px) and tagassist.ico: a luggage tag on a rounded square.

Kept as code so the icon can be changed in review; PyInstaller turns the PNG into the .ico
(Windows) and .icns (macOS) it needs, with Pillow."""

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 512
OUT = Path(__file__).resolve().parents[1] / "resources" / "icons" / "tagassist.png"


def draw() -> Image.Image:
    scale = 4  # drawn large, then downsampled: smooth edges without an anti-aliasing API
    s = SIZE * scale
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0.04 * s, 0.04 * s, 0.96 * s, 0.96 * s), radius=0.2 * s, fill=(38, 84, 124, 255))
    tag = [(0.22, 0.30), (0.58, 0.30), (0.80, 0.50), (0.58, 0.70), (0.22, 0.70)]
    pen.polygon([(x * s, y * s) for x, y in tag], fill=(255, 196, 61, 255))
    r = 0.055 * s
    pen.ellipse((0.62 * s - r, 0.50 * s - r, 0.62 * s + r, 0.50 * s + r), fill=(38, 84, 124, 255))
    for i, y in enumerate((0.43, 0.50, 0.57)):  # three "keyword" lines on the tag
        pen.rounded_rectangle((0.29 * s, (y - 0.018) * s, (0.50 - 0.05 * i) * s, (y + 0.018) * s),
                              radius=0.018 * s, fill=(38, 84, 124, 255))
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    icon = draw()
    icon.save(OUT, optimize=True)
    # The Windows installer's own icon (the app's .ico PyInstaller makes from the PNG).
    icon.save(OUT.with_suffix(".ico"), sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(OUT)
