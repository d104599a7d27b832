"""Person detections from SSDLite outputs: threshold, reorder boxes, pad per request.

SSDLite already ran NMS in its graph and sorts by score; this keeps the boxes above
`score_threshold` and turns (ymin, xmin, ymax, xmax) into (x1, y1, x2, y2), clipped to [0, 1].
A request may carry several images with different counts: rows are padded with zero boxes of
score 0 to the request's largest count, and `count` says how many are real.
"""

import json

import numpy as np
import triton_python_backend_utils as pb_utils


def persons(boxes: np.ndarray, scores: np.ndarray, threshold: float):
    """(N,100,4) yxyx boxes, (N,100) scores -> padded xyxy (N,M,4), scores (N,M), counts (N,1)."""
    keep = scores >= threshold
    counts = keep.sum(axis=1).astype(np.int32)
    width = int(counts.max()) if counts.size else 0
    out_boxes = np.zeros((len(scores), width, 4), np.float32)
    out_scores = np.zeros((len(scores), width), np.float32)
    for row in range(len(scores)):
        order = np.argsort(-scores[row][keep[row]], kind="stable")
        picked = boxes[row][keep[row]][order]
        n = len(order)
        out_boxes[row, :n] = np.clip(picked[:, [1, 0, 3, 2]], 0.0, 1.0)
        out_scores[row, :n] = scores[row][keep[row]][order]
    return out_boxes, out_scores, counts.reshape(-1, 1)


class TritonPythonModel:
    def initialize(self, args):
        params = json.loads(args["model_config"]).get("parameters", {})
        self.threshold = float(params.get("score_threshold", {}).get("string_value", "0.5"))

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                boxes = pb_utils.get_input_tensor_by_name(request, "detection_boxes").as_numpy()
                scores = pb_utils.get_input_tensor_by_name(request, "detection_scores").as_numpy()
                out_boxes, out_scores, counts = persons(boxes, scores, self.threshold)
                outputs = [
                    pb_utils.Tensor("boxes", out_boxes),
                    pb_utils.Tensor("scores", out_scores),
                    pb_utils.Tensor("count", counts),
                ]
                responses.append(pb_utils.InferenceResponse(output_tensors=outputs))
            except Exception as exc:  # one bad request fails alone
                error = pb_utils.TritonError(f"persons_post: {exc}")
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
        return responses
