"""FER outputs: probabilities (renormalised against rounding) and the argmax label.

The network ends in a softmax already; dividing by the row sum only removes float drift so
that consumers can rely on the seven values summing to 1.
"""

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def respond(self, request):
        scores = pb_utils.get_input_tensor_by_name(request, "scores").as_numpy()
        probabilities = np.clip(scores, 0.0, None).astype(np.float32)
        probabilities /= np.maximum(probabilities.sum(axis=1, keepdims=True), 1e-12)
        label = np.argmax(probabilities, axis=1).astype(np.int32).reshape(-1, 1)
        return pb_utils.InferenceResponse(output_tensors=[
            pb_utils.Tensor("probabilities", probabilities),
            pb_utils.Tensor("label", label),
        ])

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                responses.append(self.respond(request))
            except Exception as exc:  # one bad request fails alone
                error = pb_utils.TritonError(f"fer_post: {exc}")
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
        return responses
