"""Hand landmarks: 63 numbers -> 21 x (x, y, z) in crop pixels; presence and handedness.

Landmark order (MediaPipe): wrist; thumb CMC, MCP, IP, tip; then MCP, PIP, DIP, tip for the
index, middle, ring and pinky fingers. x, y are pixels of the 224x224 rotated crop (they may fall
outside it), z is relative depth at about 0.4x the x scale (wrist 0, negative nearer).
Handedness is the net's own score, unchanged: MediaPipe's probability of its label "Left",
documented for mirrored (selfie) images.
"""

import json

import numpy as np
import triton_python_backend_utils as pb_utils


def sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -100.0, 100.0)))).astype(np.float32)


class TritonPythonModel:
    def initialize(self, args):
        params = json.loads(args["model_config"]).get("parameters", {})
        activation = params.get("presence_activation", {}).get("string_value", "none")
        self.presence_sigmoid = activation == "sigmoid"

    def respond(self, request):
        raw = pb_utils.get_input_tensor_by_name(request, "landmarks").as_numpy()
        presence = pb_utils.get_input_tensor_by_name(request, "presence").as_numpy()
        handedness = pb_utils.get_input_tensor_by_name(request, "handedness").as_numpy()
        landmarks = np.ascontiguousarray(raw.reshape(-1, 21, 3), dtype=np.float32)
        presence = presence.reshape(-1, 1).astype(np.float32)
        if self.presence_sigmoid:
            presence = sigmoid(presence)
        return pb_utils.InferenceResponse(output_tensors=[
            pb_utils.Tensor("landmarks", landmarks),
            pb_utils.Tensor("presence", presence),
            pb_utils.Tensor("handedness", handedness.reshape(-1, 1).astype(np.float32)),
        ])

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                responses.append(self.respond(request))
            except Exception as exc:  # one bad request fails alone
                error = pb_utils.TritonError(f"hand_landmark_post: {exc}")
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
        return responses
