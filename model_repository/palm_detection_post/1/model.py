"""MediaPipe SSD decoding (palm detector, full-range face detector): anchors, sigmoid scores,
threshold, weighted NMS, per-request padding.

One file serves both detectors (palm_detection_post and face_detection_full_range_post hold
identical copies; a repository test keeps them so): what differs is the anchor layout, given
by the config's `anchor_grids` ("24:2,12:6" = a 24x24 grid with 2 anchors per cell, then a
12x12 grid with 6), and `input_size`. Anchors are centred at ((x + 0.5) / g, (y + 0.5) / g),
row by row, w = h = 1. A regressor row divided by `input_size` gives the box centre offset
(0, 1), the box size (2, 3) and K key points (4..) as x, y offsets from the anchor centre, all
normalised to the square input. NMS is MediaPipe's weighted kind by default: each kept
detection averages the box corners and key points of every candidate overlapping it by more
than `iou_threshold` (itself included), weighted by score, and keeps the top score ("plain"
keeps the top detection as it is).
"""

import json

import numpy as np
import triton_python_backend_utils as pb_utils


def anchors(grids: str) -> np.ndarray:
    """(A, 2) anchor centres, normalised, for a layout like "24:2,12:6"."""
    centres = []
    for layer in grids.split(","):
        grid, per_cell = (int(v) for v in layer.split(":"))
        ys, xs = np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij")
        cell = np.stack([(xs + 0.5) / grid, (ys + 0.5) / grid], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(cell, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


def iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """IoU of one xyxy box with (K, 4) boxes."""
    x1 = np.maximum(box[0], others[:, 0])
    y1 = np.maximum(box[1], others[:, 1])
    x2 = np.minimum(box[2], others[:, 2])
    y2 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def nms(boxes, keypoints, scores, threshold: float, weighted: bool):
    """Greedy NMS over candidates sorted by score; returns kept (boxes, keypoints, scores)."""
    order = np.argsort(-scores, kind="stable")
    boxes, keypoints, scores = boxes[order], keypoints[order], scores[order]
    kept_boxes, kept_points, kept_scores = [], [], []
    remaining = np.arange(len(scores))
    while remaining.size:
        top = remaining[0]
        overlap = iou(boxes[top], boxes[remaining]) > threshold
        overlap[0] = True  # the top box always joins its own cluster (even if degenerate)
        cluster = remaining[overlap]
        if weighted:
            w = scores[cluster][:, None]
            kept_boxes.append((boxes[cluster] * w).sum(axis=0) / w.sum())
            kept_points.append((keypoints[cluster] * w[:, :, None]).sum(axis=0) / w.sum())
        else:
            kept_boxes.append(boxes[top])
            kept_points.append(keypoints[top])
        kept_scores.append(scores[top])
        remaining = remaining[~overlap]
    k = keypoints.shape[1]
    if not kept_scores:
        empty = np.zeros(0, np.float32)
        return empty.reshape(0, 4), empty.reshape(0, k, 2), empty
    return np.array(kept_boxes), np.array(kept_points), np.array(kept_scores)


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        params = config.get("parameters", {})

        def param(key, default=None):
            value = params.get(key, {}).get("string_value", default)
            if value is None:
                raise ValueError(f"{config['name']}: parameter {key!r} is required")
            return value

        self.name = config["name"]
        self.score_threshold = float(param("score_threshold", "0.5"))
        self.iou_threshold = float(param("iou_threshold", "0.3"))
        self.weighted = param("nms", "weighted") == "weighted"
        self.clip = float(param("score_clip", "100"))
        self.size = float(param("input_size"))
        self.anchors = anchors(param("anchor_grids"))
        rows = {i["name"]: int(i["dims"][0]) for i in config["input"]}["regressors"]
        if rows != len(self.anchors):  # a wrong layout would decode garbage silently
            raise ValueError(
                f"{self.name}: anchor_grids make {len(self.anchors)} anchors, the net {rows}"
            )

    def decode(self, regressors: np.ndarray, logits: np.ndarray):
        """One image: (A, 4 + 2K) and (A, 1) -> kept boxes (D, 4), key points (D, K, 2), scores."""
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits[:, 0], -self.clip, self.clip)))
        keep = scores >= self.score_threshold
        raw, centre = regressors[keep] / self.size, self.anchors[keep]
        cx, cy = raw[:, 0] + centre[:, 0], raw[:, 1] + centre[:, 1]
        half_w, half_h = raw[:, 2] / 2, raw[:, 3] / 2
        boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
        points = raw[:, 4:].reshape(len(raw), (raw.shape[1] - 4) // 2, 2) + centre[:, None, :]
        return nms(boxes, points, scores[keep], self.iou_threshold, self.weighted)

    def respond(self, request):
        regressors = pb_utils.get_input_tensor_by_name(request, "regressors").as_numpy()
        logits = pb_utils.get_input_tensor_by_name(request, "classificators").as_numpy()
        found = [self.decode(r, c) for r, c in zip(regressors, logits, strict=True)]
        n, width = len(found), max((len(s) for _, _, s in found), default=0)
        k = (regressors.shape[-1] - 4) // 2
        boxes = np.zeros((n, width, 4), np.float32)
        points = np.zeros((n, width, k, 2), np.float32)
        scores = np.zeros((n, width), np.float32)
        counts = np.zeros((n, 1), np.int32)
        for row, (b, p, s) in enumerate(found):
            boxes[row, : len(s)], points[row, : len(s)], scores[row, : len(s)] = b, p, s
            counts[row, 0] = len(s)
        return pb_utils.InferenceResponse(output_tensors=[
            pb_utils.Tensor("boxes", boxes),
            pb_utils.Tensor("keypoints", points),
            pb_utils.Tensor("scores", scores),
            pb_utils.Tensor("count", counts),
        ])

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                responses.append(self.respond(request))
            except Exception as exc:  # one bad request fails alone
                error = pb_utils.TritonError(f"{self.name}: {exc}")
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
        return responses
