"""A numpy reference of MediaPipe's pre/post-processing for the palm, hand-landmark and full-range
face nets, independent of the model repository's Python models.

Copied, with type hints added and the demo left out, from the project's shared reference decoder
(`../shared/models/tools/reference_decode.py`, written by us for the conversion of the nets
from mediapipe==0.10.14 and checked against MediaPipe itself: 12 of 12 hands, palm score within
0.0011, landmarks within 0.8 px; see `../shared/models/README.md`). Written in plain loops on
purpose: it must not share code with `model_repository/*_post/1/model.py`.

Conventions: images are HxWx3 uint8 RGB. A detection is a dict with 'score', 'box' =
[xmin, ymin, w, h] and 'kps' = [[x, y], ...], normalised.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

Detection = dict[str, Any]
Rect = tuple[float, float, float, float, float]  # centre x, y, w, h (normalised), rotation

PALM: dict[str, Any] = dict(
    size=192, range=(0.0, 1.0), num_layers=4, strides=[8, 16, 16, 16],
    interpolated_scale_aspect_ratio=1.0, num_boxes=2016, num_keypoints=7, scale=192.0,
    min_score=0.5, nms_iou=0.3,
)  # fmt: skip
FACE: dict[str, Any] = dict(
    size=192, range=(-1.0, 1.0), num_layers=1, strides=[4],
    interpolated_scale_aspect_ratio=0.0, num_boxes=2304, num_keypoints=6, scale=192.0,
    min_score=0.6, nms_iou=0.3,
)  # fmt: skip
HAND: dict[str, Any] = dict(
    size=224, range=(0.0, 1.0), presence_thresh=0.5, rot_start_kp=0, rot_end_kp=2,
    rot_target_deg=90.0, roi_scale=2.6, roi_shift_x=0.0, roi_shift_y=-0.5, normalize_z=0.4,
)  # fmt: skip


# -- warping -------------------------------------------------------------------------------
def _bilinear(img: np.ndarray, sx: np.ndarray, sy: np.ndarray, border: str) -> np.ndarray:
    """Sample img at float pixel coords (pixel (i, j) sits at (j, i)); 'zero' or 'replicate'."""
    h, w = img.shape[:2]
    x0 = np.floor(sx).astype(np.int64)
    y0 = np.floor(sy).astype(np.int64)
    fx = (sx - x0)[..., None]
    fy = (sy - y0)[..., None]
    src = img.astype(np.float32)
    out: Any = 0.0
    for dy, wy in ((0, 1.0 - fy), (1, fy)):
        for dx, wx in ((0, 1.0 - fx), (1, fx)):
            xi, yi = x0 + dx, y0 + dy
            v = src[np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
            if border != "replicate":
                inside = ((xi >= 0) & (xi < w) & (yi >= 0) & (yi < h))[..., None]
                v = np.where(inside, v, 0.0)
            out = out + wx * wy * v
    return out


def warp_rect(
    img: np.ndarray, cx: float, cy: float, w: float, h: float, rotation: float,
    out_w: int, out_h: int, border: str,
) -> np.ndarray:  # fmt: skip
    """ImageToTensorCalculator (OpenCV backend): the rotated rectangle (pixels, radians,
    clockwise on screen) mapped corner to corner onto out_w x out_h; values in [0, 255]."""
    u = np.arange(out_w, dtype=np.float64) / out_w - 0.5
    v = np.arange(out_h, dtype=np.float64) / out_h - 0.5
    uu, vv = np.meshgrid(u * w, v * h)
    c, s = math.cos(rotation), math.sin(rotation)
    return _bilinear(img, cx + c * uu - s * vv, cy + s * uu + c * vv, border)


def letterbox(img: np.ndarray, size: int, value_range: tuple[float, float]):
    """Whole image -> size x size tensor, aspect kept, centred, zero border (padding becomes
    value_range[0]). Returns (tensor, pad = (left, top, right, bottom) as fractions)."""
    h, w = img.shape[:2]
    if h / w < 1.0:
        side, pad = w, (0.0, (1.0 - h / w) / 2.0)
    else:
        side, pad = h, ((1.0 - w / h) / 2.0, 0.0)
    px = warp_rect(img, w / 2.0, h / 2.0, side, side, 0.0, size, size, "zero")
    lo, hi = value_range
    t = (px * ((hi - lo) / 255.0) + lo).astype(np.float32)
    return t, (pad[0], pad[1], pad[0], pad[1])


# -- anchors and decoding ------------------------------------------------------------------
def ssd_anchors(cfg: dict[str, Any]) -> np.ndarray:
    """SsdAnchorsCalculator, fixed anchor size, aspect ratio 1: (A, 2) centres."""
    size, strides, n = cfg["size"], cfg["strides"], cfg["num_layers"]
    anchors = []
    layer = 0
    while layer < n:
        per_cell = 0
        last = layer
        while last < len(strides) and strides[last] == strides[layer]:
            per_cell += 1
            if cfg["interpolated_scale_aspect_ratio"] > 0:
                per_cell += 1
            last += 1
        fm = math.ceil(size / strides[layer])
        for y in range(fm):
            for x in range(fm):
                for _ in range(per_cell):
                    anchors.append(((x + 0.5) / fm, (y + 0.5) / fm))
        layer = last
    a = np.array(anchors, np.float32)
    assert a.shape[0] == cfg["num_boxes"], a.shape
    return a


def decode_ssd(raw_boxes: np.ndarray, raw_scores: np.ndarray, cfg: dict[str, Any]) -> list:
    """TensorsToDetectionsCalculator for one image, in the input tensor's normalised frame."""
    anchors = ssd_anchors(cfg)
    s = cfg["scale"]
    logits = np.clip(raw_scores[:, 0].astype(np.float64), -100.0, 100.0)
    scores = 1.0 / (1.0 + np.exp(-logits))
    dets = []
    for i in np.nonzero(scores >= cfg["min_score"])[0]:
        r = raw_boxes[i]
        ax, ay = anchors[i]
        xc, yc = r[0] / s + ax, r[1] / s + ay
        w, h = r[2] / s, r[3] / s
        kps = [[r[4 + 2 * k] / s + ax, r[5 + 2 * k] / s + ay] for k in range(cfg["num_keypoints"])]
        dets.append(dict(score=float(scores[i]), box=[xc - w / 2, yc - h / 2, w, h], kps=kps))
    return dets


def _iou(a: list[float], b: list[float]) -> float:
    ax1, ay1, aw, ah = a
    bx1, by1, bw, bh = b
    ix = max(0.0, min(ax1 + aw, bx1 + bw) - max(ax1, bx1))
    iy = max(0.0, min(ay1 + ah, by1 + bh) - max(ay1, by1))
    union = aw * ah + bw * bh - ix * iy
    return ix * iy / union if union > 0 else 0.0


def weighted_nms(dets: list[Detection], iou_thresh: float) -> list[Detection]:
    """NonMaxSuppressionCalculator, WEIGHTED: the best remaining detection and every remaining
    one overlapping it by more than iou_thresh are averaged (corners, key points) by score."""
    rest = sorted(dets, key=lambda d: -d["score"])
    out = []
    while rest:
        top = rest[0]
        cand = [d for d in rest if _iou(d["box"], top["box"]) > iou_thresh]
        rest = [d for d in rest if _iou(d["box"], top["box"]) <= iou_thresh]
        ws = np.array([d["score"] for d in cand])
        corners = np.array([[d["box"][0], d["box"][1], d["box"][0] + d["box"][2],
                             d["box"][1] + d["box"][3]] for d in cand])  # fmt: skip
        c = (corners * ws[:, None]).sum(0) / ws.sum()
        k = (np.array([d["kps"] for d in cand]) * ws[:, None, None]).sum(0) / ws.sum()
        out.append(dict(score=top["score"], box=[c[0], c[1], c[2] - c[0], c[3] - c[1]],
                        kps=k.tolist()))  # fmt: skip
    return out


def remove_letterbox(dets: list[Detection], pad: tuple[float, ...]) -> list[Detection]:
    """DetectionLetterboxRemovalCalculator: tensor-normalised -> image-normalised."""
    left, top, right, bottom = pad
    sx, sy = 1.0 - left - right, 1.0 - top - bottom
    out = []
    for d in dets:
        x, y, w, h = d["box"]
        e = dict(d)
        e["box"] = [(x - left) / sx, (y - top) / sy, w / sx, h / sy]
        e["kps"] = [[(kx - left) / sx, (ky - top) / sy] for kx, ky in d["kps"]]
        out.append(e)
    return out


# -- hands ---------------------------------------------------------------------------------
def normalize_radians(a: float) -> float:
    return a - 2 * math.pi * math.floor((a + math.pi) / (2 * math.pi))


def transform_rect(rect: Rect, w_img: int, h_img: int, scale: float, shift_x: float,
                   shift_y: float) -> Rect:  # fmt: skip
    xc, yc, w, h, rot = rect
    if rot == 0.0:
        xc += w * shift_x
        yc += h * shift_y
    else:
        xc += (w_img * w * shift_x * math.cos(rot) - h_img * h * shift_y * math.sin(rot)) / w_img
        yc += (w_img * w * shift_x * math.sin(rot) + h_img * h * shift_y * math.cos(rot)) / h_img
    long_side = max(w * w_img, h * h_img)
    return (xc, yc, long_side / w_img * scale, long_side / h_img * scale, rot)


def palm_to_hand_rect(det: Detection, w_img: int, h_img: int, cfg: dict[str, Any] = HAND) -> Rect:
    """PalmDetectionDetectionToRoi: rotation from key point 0 (wrist) to 2 (middle MCP), target
    90 degrees; shift -0.5 of the box height towards the fingers; square of 2.6x the long side."""
    x, y, w, h = det["box"]
    x0, y0 = det["kps"][cfg["rot_start_kp"]][0] * w_img, det["kps"][cfg["rot_start_kp"]][1] * h_img
    x1, y1 = det["kps"][cfg["rot_end_kp"]][0] * w_img, det["kps"][cfg["rot_end_kp"]][1] * h_img
    target = math.radians(cfg["rot_target_deg"])
    rot = normalize_radians(target - math.atan2(-(y1 - y0), x1 - x0))
    rect = (x + w / 2, y + h / 2, w, h, rot)
    return transform_rect(rect, w_img, h_img, cfg["roi_scale"], cfg["roi_shift_x"],
                          cfg["roi_shift_y"])  # fmt: skip


def hand_crop(img: np.ndarray, rect: Rect, cfg: dict[str, Any] = HAND) -> np.ndarray:
    """224x224 float tensor in [0, 1] of the rotated hand ROI (border replicate)."""
    h_img, w_img = img.shape[:2]
    xc, yc, w, h, rot = rect
    px = warp_rect(img, xc * w_img, yc * h_img, w * w_img, h * h_img, rot, cfg["size"],
                   cfg["size"], "replicate")  # fmt: skip
    lo, hi = cfg["range"]
    return (px * ((hi - lo) / 255.0) + lo).astype(np.float32)


def project_landmarks(lm: np.ndarray, rect: Rect, cfg: dict[str, Any] = HAND) -> np.ndarray:
    """(21, 3) crop-pixel landmarks -> x, y normalised to the image, z as MediaPipe reports it."""
    xc, yc, w, h, rot = rect
    x = lm[:, 0] / cfg["size"] - 0.5
    y = lm[:, 1] / cfg["size"] - 0.5
    c, s = math.cos(rot), math.sin(rot)
    nx = (c * x - s * y) * w + xc
    ny = (s * x + c * y) * h + yc
    nz = lm[:, 2] / cfg["size"] / cfg["normalize_z"] * w
    return np.stack([nx, ny, nz], 1)
