"""Compose samples/far_faces/astronauts.jpg: six small copies of one public-domain portrait.

A test image for faces at distance: a 640x480 scene in which each face is 30-50 px wide, the
size BlazeFace short-range misses and the full-range detector is meant for. The portrait is
scikit-image's `astronaut` (Eileen Collins, NASA, public domain); the scene is our own
composition: head-and-shoulders crops scaled to six face sizes on a smooth, deterministic
background, so the output is the same on every run.

scikit-image is needed only to run this script, not by the project. In a throwaway environment:

    python -m venv /tmp/skimage && /tmp/skimage/bin/pip install scikit-image
    /tmp/skimage/bin/python scripts/make_far_faces.py

(it brings numpy and Pillow along, which is all the script uses besides).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "samples" / "far_faces" / "astronauts.jpg"
SIZE = (640, 480)
# In the 512x512 original the face box (full-range detector) is about 104 px wide at x 174,
# y 68; this window keeps head and shoulders around it.
PORTRAIT = (96, 16, 352, 336)  # left, top, right, bottom
FACE_IN_PORTRAIT = 104.0
# (face width in px, centre of the tile in the scene): two rows of three, sizes mixed.
PLACES = [
    (30, (110, 140)),
    (46, (320, 130)),
    (38, (530, 145)),
    (42, (105, 345)),
    (34, (315, 355)),
    (50, (525, 340)),
]


def background(rng: np.random.Generator) -> Image.Image:
    """A vertical grey-blue gradient with soft blotches: plain, but not flat."""
    w, h = SIZE
    t = np.linspace(0.0, 1.0, h)[:, None, None]
    top, bottom = np.array([150, 160, 175]), np.array([95, 100, 110])
    base = np.broadcast_to(top * (1 - t) + bottom * t, (h, w, 3))
    noise = rng.normal(0.0, 20.0, (h // 16, w // 16))
    blotches = Image.fromarray(np.clip(noise + 128, 0, 255).astype(np.uint8)).resize(
        SIZE, Image.BICUBIC
    )
    blotches = blotches.filter(ImageFilter.GaussianBlur(12))
    pixels = base + (np.asarray(blotches, np.float64) - 128.0)[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def compose(portrait: np.ndarray) -> Image.Image:
    scene = background(np.random.default_rng(2026))
    crop = Image.fromarray(portrait).crop(PORTRAIT)
    for face, (cx, cy) in PLACES:
        k = face / FACE_IN_PORTRAIT
        tile = crop.resize((round(crop.width * k), round(crop.height * k)), Image.LANCZOS)
        scene.paste(tile, (cx - tile.width // 2, cy - tile.height // 2))
    return scene


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    from skimage import data  # only here: see the module docstring

    args.output.parent.mkdir(parents=True, exist_ok=True)
    compose(data.astronaut()).save(args.output, quality=90)
    print(args.output)


if __name__ == "__main__":
    main()
