"""BlazeFace short-range decoding: anchors, sigmoid scores, threshold, NMS, per-request padding.

Anchors: a 16x16 grid (stride 8) with 2 anchors per cell, then an 8x8 grid (stride 16) with
6 per cell, centred at ((x + 0.5) / g, (y + 0.5) / g), row by row. A regressor row divided by
128 gives the box centre offset (0, 1), the box size (2, 3) and six key points (4..15) as x, y
offsets from the anchor centre, all normalised to the 128x128 input. Scores are the sigmoid of
the clipped logits. NMS is MediaPipe's weighted kind by default: each kept face averages the
boxes and key points it suppresses, weighted by score ("plain" keeps the top box as it is).
"""

import json

import numpy as np
import triton_python_backend_utils as pb_utils


def anchors() -> np.ndarray:
    """(896, 2) anchor centres, normalised."""
    centres = []
    for grid, per_cell in ((16, 2), (8, 6)):
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
    if not kept_scores:
        empty = np.zeros(0, np.float32)
        return empty.reshape(0, 4), empty.reshape(0, 6, 2), empty
    return np.array(kept_boxes), np.array(kept_points), np.array(kept_scores)


class TritonPythonModel:
    def initialize(self, args):
        params = json.loads(args["model_config"]).get("parameters", {})

        def param(key, default):
            return params.get(key, {}).get("string_value", default)

        self.score_threshold = float(param("score_threshold", "0.5"))
        self.iou_threshold = float(param("iou_threshold", "0.3"))
        self.weighted = param("nms", "weighted") == "weighted"
        self.clip = float(param("score_clip", "100"))
        self.anchors = anchors()

    def decode(self, regressors: np.ndarray, logits: np.ndarray):
        """One image: (896, 16) and (896, 1) -> kept boxes (K, 4), key points (K, 6, 2), scores."""
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits[:, 0], -self.clip, self.clip)))
        keep = scores >= self.score_threshold
        raw, centre = regressors[keep] / 128.0, self.anchors[keep]
        cx, cy = raw[:, 0] + centre[:, 0], raw[:, 1] + centre[:, 1]
        half_w, half_h = raw[:, 2] / 2, raw[:, 3] / 2
        boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
        points = raw[:, 4:16].reshape(-1, 6, 2) + centre[:, None, :]
        return nms(boxes, points, scores[keep], self.iou_threshold, self.weighted)

    def respond(self, request):
        regressors = pb_utils.get_input_tensor_by_name(request, "regressors").as_numpy()
        logits = pb_utils.get_input_tensor_by_name(request, "classificators").as_numpy()
        faces = [self.decode(r, c) for r, c in zip(regressors, logits, strict=True)]
        n, width = len(faces), max((len(s) for _, _, s in faces), default=0)
        boxes = np.zeros((n, width, 4), np.float32)
        points = np.zeros((n, width, 6, 2), np.float32)
        scores = np.zeros((n, width), np.float32)
        counts = np.zeros((n, 1), np.int32)
        for row, (b, p, s) in enumerate(faces):
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
                error = pb_utils.TritonError(f"blazeface_post: {exc}")
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
        return responses
