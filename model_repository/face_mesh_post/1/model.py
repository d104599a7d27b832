"""Face mesh outputs: 1404 numbers -> 468 x (x, y, z) in crop pixels; presence logit -> sigmoid."""

import numpy as np
import triton_python_backend_utils as pb_utils


def sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -100.0, 100.0)))).astype(np.float32)


class TritonPythonModel:
    def respond(self, request):
        mesh = pb_utils.get_input_tensor_by_name(request, "mesh").as_numpy()
        logit = pb_utils.get_input_tensor_by_name(request, "presence_logit").as_numpy()
        landmarks = np.ascontiguousarray(mesh.reshape(-1, 468, 3), dtype=np.float32)
        presence = sigmoid(logit.reshape(-1, 1))
        return pb_utils.InferenceResponse(output_tensors=[
            pb_utils.Tensor("landmarks", landmarks),
            pb_utils.Tensor("presence", presence),
        ])

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                responses.append(self.respond(request))
            except Exception as exc:  # one bad request fails alone
                error = pb_utils.TritonError(f"face_mesh_post: {exc}")
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
        return responses
