# syntax=docker/dockerfile:1
# Triton Inference Server with Framegraph's model repository baked in at /models.
#
#   docker build -f docker/triton.Dockerfile -t REGISTRY/framegraph/triton:VERSION .
#
# Base: NVIDIA's official image, pinned (Triton 2.51, CUDA 12.6, Python 3.10, Ubuntu 22.04).
# Its native ONNX Runtime backend (CUDA / TensorRT execution providers) serves the
# `backend: "onnxruntime"` nets; its Python backend serves the post-processing models.
ARG TRITON_IMAGE=nvcr.io/nvidia/tritonserver:24.10-py3
FROM ${TRITON_IMAGE}

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="framegraph-triton" \
      org.opencontainers.image.description="Triton Inference Server with the Framegraph model repository" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"

# What the Python-backend models import: numpy only. Pinned below 2: the Python backend stub
# and our models are tested with numpy 1.26 (numpy 2 broke tensor exchange in Triton 2.51).
ARG NUMPY_VERSION=1.26.4
RUN pip3 install --no-cache-dir "numpy==${NUMPY_VERSION}" \
    && python3 -c "import numpy; assert numpy.__version__ == '${NUMPY_VERSION}'"

# The model repository: read-only data, owned by root, readable by the server's user.
COPY model_repository/ /models/

# The image's unprivileged `triton-server` user (NVIDIA's image fixes it at uid/gid 1000).
USER 1000:1000
EXPOSE 8000 8001 8002

HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/v2/health/ready', timeout=4)"]

# The base image's ENTRYPOINT (/opt/nvidia/nvidia_entrypoint.sh) stays; it execs the command.
CMD ["tritonserver", "--model-repository=/models", "--strict-readiness=true", \
     "--allow-metrics=true", "--exit-on-error=true"]
