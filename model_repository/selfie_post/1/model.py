"""Selfie segmentation: person probability in [0, 1] -> UINT8 mask, round(255 * p)."""

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def respond(self, request):
        probability = pb_utils.get_input_tensor_by_name(request, "probability").as_numpy()
        scaled = np.clip(probability[..., 0], 0.0, 1.0) * 255.0
        mask = np.ascontiguousarray(np.rint(scaled).astype(np.uint8))
        return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("mask", mask)])

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                responses.append(self.respond(request))
            except Exception as exc:  # one bad request fails alone
                error = pb_utils.TritonError(f"selfie_post: {exc}")
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
        return responses
