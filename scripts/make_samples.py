"""Cut the committed sample excerpts from the OpenCV sample clips (see samples/README.md).

Usage: python scripts/make_samples.py PATH/TO/media   (the folder holding vtest.avi, Megamind.avi)
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2

# (clip, output folder, first frame, frame count, JPEG quality)
EXCERPTS = [
    ("vtest.avi", "vtest", 0, 40, 75),
    ("Megamind.avi", "megamind", 24, 96, 80),
]


def main(media: Path, out: Path) -> None:
    for clip, folder, first, count, quality in EXCERPTS:
        target = out / folder
        target.mkdir(parents=True, exist_ok=True)
        cap = cv2.VideoCapture(str(media / clip))
        cap.set(cv2.CAP_PROP_POS_FRAMES, first)
        for i in range(count):
            ok, frame = cap.read()
            if not ok:
                raise SystemExit(f"{clip}: only {i} frames after {first}")
            cv2.imwrite(str(target / f"{i:04d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
        cap.release()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).resolve().parent.parent / "samples")
