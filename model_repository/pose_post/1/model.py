"""BlazePose outputs: keep the 33 body keypoints of 39, turn their logits into probabilities.

Columns are (x, y, z, visibility, presence); x, y, z stay in crop pixels, visibility and
presence go through a sigmoid as MediaPipe does. The last 6 rows are auxiliary ROI points.
"""

import json

import numpy as np
import triton_python_backend_utils as pb_utils

BODY_POINTS = 33


def sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -100.0, 100.0)))).astype(np.float32)


class TritonPythonModel:
    def initialize(self, args):
        params = json.loads(args["model_config"]).get("parameters", {})
        activation = params.get("presence_activation", {}).get("string_value", "none")
        self.presence_sigmoid = activation == "sigmoid"

    def respond(self, request):
        raw = pb_utils.get_input_tensor_by_name(request, "landmarks").as_numpy()
        flag = pb_utils.get_input_tensor_by_name(request, "pose_flag").as_numpy()
        keypoints = raw.reshape(-1, 39, 5)[:, :BODY_POINTS].astype(np.float32)
        keypoints[:, :, 3:5] = sigmoid(keypoints[:, :, 3:5])
        presence = flag.reshape(-1, 1).astype(np.float32)
        if self.presence_sigmoid:
            presence = sigmoid(presence)
        return pb_utils.InferenceResponse(output_tensors=[
            pb_utils.Tensor("keypoints", np.ascontiguousarray(keypoints)),
            pb_utils.Tensor("presence", presence),
        ])

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                responses.append(self.respond(request))
            except Exception as exc:  # one bad request fails alone
                error = pb_utils.TritonError(f"pose_post: {exc}")
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
        return responses
