"""Source of the Python-based `onnxruntime` Triton backend (copied into a backends directory).

A package only so that `model.py` ships with the distribution; nothing imports it: it runs inside
Triton's Python backend stub, where `triton_python_backend_utils` exists.
"""
