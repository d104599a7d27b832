"""Models as data: each Triton ensemble a feature calls, declared once beside that feature.

A `Model` names the ensemble, says how its input is made from a frame (`FrameInput`) or from
regions of it (`CropInput`), and lists the outputs the worker reads. Everything that needs to
know the models (the plan's input nodes, the embedded server's model list, the start-up
contract check, the benchmark, the tests) reads them from the features that declare them.
"""

from orchestrator.models.inputs import CropInput, FrameInput, Letterbox
from orchestrator.models.model import Infer, Model, Outputs, TensorSpec
from orchestrator.models.pixels import Pixels, reduction

__all__ = [
    "CropInput",
    "FrameInput",
    "Infer",
    "Letterbox",
    "Model",
    "Outputs",
    "Pixels",
    "TensorSpec",
    "reduction",
]
