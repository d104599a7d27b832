# syntax=docker/dockerfile:1
# The framegraph stream worker: `framegraph serve` reading frames on stdin.
#
#   docker build -f docker/worker.Dockerfile -t REGISTRY/framegraph/worker:VERSION .
#   framegraph encode video.mp4 | docker run -i --rm -p 8080:8080 REGISTRY/framegraph/worker:VERSION \
#       serve --host 0.0.0.0 --port 8080 --triton-url TRITON_HOST:8001
#
# PYTHON_IMAGE: any Debian-based image with python3 (3.10+) and its venv module; the default is
# the official slim image, pinned. Offline builds: put wheels in docker/wheels/ and pass
# --build-arg PIP_NO_INDEX=1 (scripts/deploy/podman-smoke does).
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG PIP_NO_INDEX
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_FIND_LINKS=/wheels
WORKDIR /src
COPY docker/wheels/ /wheels/
COPY pyproject.toml README.md ./
# orchestrator/bench (the benchmark, a development tool) is not in the context: .dockerignore.
COPY orchestrator/ orchestrator/
# The base install (no extras): the worker talks to a Triton server of its own deployment.
# The last check fails the build if the benchmark reached the image after all.
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-compile . \
    && /opt/venv/bin/python -m compileall -q /opt/venv \
    && /opt/venv/bin/pip check \
    && /opt/venv/bin/python -c "import orchestrator.cli.main" \
    && /opt/venv/bin/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('orchestrator.bench') is not None)"

FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="framegraph-worker" \
      org.opencontainers.image.description="Framegraph stream worker: live video analytics on demand" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --gid 10001 framegraph \
    && useradd --no-log-init --uid 10001 --gid 10001 \
       --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin framegraph
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /tmp
USER 10001:10001
EXPOSE 8080
# For `serve` (the Kubernetes chart uses its own probes on /healthz and /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
ENTRYPOINT ["framegraph"]
CMD ["--help"]
