"""The real Triton Inference Server from the `nvidia-pytriton` wheel, as a child process.

For development, tests and single-machine runs without Docker or a GPU: the same model
repository that NVIDIA's container serves (there with native ONNX Runtime) runs here on CPU,
its `onnxruntime` models through our Python-based backend (see `backend/install.py`).

The server must never outlive us: it is started with PR_SET_PDEATHSIG (SIGTERM, so it still
shuts down cleanly and frees its shared memory) from a thread that lives as long as the process
(the signal fires when the *thread* that forked exits), and an atexit hook stops what is left.
It runs in its own session, so a Ctrl-C in the terminal reaches only us and we stop it in order.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from orchestrator.triton.backend.install import (
    Bundle,
    BundleNotFound,
    backends_directory,
    server_environment,
)

REPOSITORY_ENV = "FRAMEGRAPH_MODEL_REPOSITORY"
_LIVE: set[EmbeddedTriton] = set()  # started and not yet stopped, for the atexit hook
# Run in the child before the server's own exec, by a small interpreter of its own: SIGTERM
# the child when its parent dies, even if that already happened. Not a `preexec_fn`: Python
# code between fork and exec in a process with other threads running (gRPC's) can deadlock
# on a lock one of them held at the fork, and did (tests, and `serve`, which starts the
# server lazily while its own gRPC server runs); without one, subprocess uses vfork.
_DIE_WITH_PARENT = """
import ctypes, os, signal, sys
if sys.platform.startswith("linux"):
    ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):
    os._exit(1)
os.execvp(sys.argv[2], sys.argv[2:])
"""


def _dying_with_parent(argv: list[str]) -> list[str]:
    """`argv` behind the wrapper (-I -S: no environment variables, no site: a bare start)."""
    return [sys.executable, "-I", "-S", "-c", _DIE_WITH_PARENT, str(os.getpid()), *argv]


_spawner: tuple[int, ThreadPoolExecutor] | None = None


def _popen(argv: list[str], **kwargs: object) -> subprocess.Popen:
    """Popen from one thread that lives as long as the process.

    PR_SET_PDEATHSIG fires when the *thread* that forked exits, so a server started from a
    short-lived thread (an executor's worker, say) would otherwise die with that thread.
    """
    global _spawner
    if _spawner is None or _spawner[0] != os.getpid():  # threads do not survive a fork
        _spawner = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="triton-spawner"))
    spawn = _spawner[1].submit(subprocess.Popen, _dying_with_parent(argv), **kwargs)  # type: ignore[arg-type]
    return spawn.result()


class TritonStartupError(RuntimeError):
    """The server exited, or was not ready in time; the message quotes the log's errors."""


_HARMLESS = ("CudaDriverHelper", "unable to create stream", "NVML", "DCGM")


def _diagnosis(log: str, tail: int = 5) -> str:
    """The error lines of a server log (minus the CPU-only noise), then its last lines."""
    lines = log.splitlines()
    errors = [
        line
        for line in lines
        if ((line[:1] == "E" and line[1:5].isdigit()) or "ERROR" in line or "UNAVAILABLE" in line)
        and not any(noise in line for noise in _HARMLESS)
    ]
    return "\n".join([*dict.fromkeys(errors[-20:]), "...", *lines[-tail:]])


def default_model_repository() -> Path:
    """`$FRAMEGRAPH_MODEL_REPOSITORY`, else `model_repository/` at the root of this checkout."""
    if os.environ.get(REPOSITORY_ENV):
        return Path(os.environ[REPOSITORY_ENV])
    return Path(__file__).resolve().parents[2] / "model_repository"


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct ports that were free a moment ago (the caller retries on a clash)."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind((host, 0))
        return [sock.getsockname()[1] for sock in socks]


class EmbeddedTriton:
    """Start, probe and stop one tritonserver; a context manager.

    `models` names what to load (ensembles bring their composing models); None loads all.
    Port 0 picks a free port. Clients use `grpc_url` ("127.0.0.1:PORT", as tritonclient
    wants it), `http_url` and `metrics_url` (with scheme).
    """

    def __init__(
        self,
        model_repository: str | Path | None = None,
        models: Sequence[str] | None = None,
        *,
        host: str = "127.0.0.1",
        http_port: int = 0,
        grpc_port: int = 0,
        metrics_port: int = 0,
        startup_timeout: float = 120.0,
        stop_timeout: float = 10.0,
        log_path: str | Path | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.model_repository = Path(model_repository or default_model_repository()).resolve()
        self.models = list(models) if models is not None else None
        self.host = host
        self._wanted_ports = {"http": http_port, "grpc": grpc_port, "metrics": metrics_port}
        self.ports = dict(self._wanted_ports)
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.extra_args = list(extra_args)
        self._own_log = log_path is None
        self.log_path = Path(log_path) if log_path else None
        self.startup_seconds: float | None = None
        self._process: subprocess.Popen | None = None

    # -- addresses ---------------------------------------------------------------------------
    @property
    def _client_host(self) -> str:
        return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)

    @property
    def grpc_url(self) -> str:
        return f"{self._client_host}:{self.ports['grpc']}"

    @property
    def http_url(self) -> str:
        return f"http://{self._client_host}:{self.ports['http']}"

    @property
    def metrics_url(self) -> str:
        return f"http://{self._client_host}:{self.ports['metrics']}/metrics"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> EmbeddedTriton:
        """Start the server and wait until it and the requested models are ready."""
        if self.running:
            return self
        if not self.model_repository.is_dir():
            raise TritonStartupError(f"model repository {self.model_repository} is not a folder")
        try:
            bundle = Bundle.locate()
        except BundleNotFound as exc:
            raise TritonStartupError(str(exc)) from None
        backends = backends_directory(bundle)
        auto = [name for name, port in self._wanted_ports.items() if port == 0]
        attempt = 0
        while True:  # ports picked for us may be taken before the server binds them: pick again
            attempt += 1
            picked = zip(auto, free_ports(len(auto), self._client_host), strict=True)
            self.ports = {**self._wanted_ports, **dict(picked)}
            try:
                self._launch(bundle, backends)
                return self
            except TritonStartupError as exc:
                if not auto or "already in use" not in str(exc) or attempt == 3:
                    raise

    def _command(self, bundle: Bundle, backends: Path) -> list[str]:
        loads = self.models if self.models is not None else ["*"]
        return [
            str(bundle.server),
            f"--model-repository={self.model_repository}",
            f"--backend-directory={backends}",
            *(f"--{kind}-address={self.host}" for kind in self.ports),
            *(f"--{kind}-port={port}" for kind, port in self.ports.items()),
            "--allow-gpu-metrics=false",
            "--pinned-memory-pool-byte-size=0",  # CPU only: no CUDA to pin memory with
            "--model-control-mode=explicit",
            *(f"--load-model={name}" for name in loads),
            "--disable-auto-complete-config",  # our configs are explicit; saves a stub per model
            f"--exit-timeout-secs={max(1, int(self.stop_timeout) - 1)}",
            *self.extra_args,
        ]

    def _launch(self, bundle: Bundle, backends: Path) -> None:
        if self._own_log:
            fd, name = tempfile.mkstemp(prefix="framegraph-triton-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        assert self.log_path is not None
        began = time.monotonic()
        with open(self.log_path, "wb") as log:
            self._process = _popen(
                self._command(bundle, backends),
                env=server_environment(bundle),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _LIVE.add(self)
        try:
            self._wait_ready(began + self.startup_timeout)
        except TritonStartupError as exc:
            self._terminate()  # and keep the log of a failed start
            text = _diagnosis(self.log_tail(400))
            raise TritonStartupError(f"{exc}; server log: {self.log_path}\n{text}") from None
        except BaseException:  # Ctrl-C during start-up
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began

    def _wait_ready(self, deadline: float) -> None:
        assert self._process is not None
        while not self._get("/v2/health/ready"):
            code = self._process.poll()
            if code is not None:
                raise TritonStartupError(f"tritonserver exited with status {code} during start-up")
            if time.monotonic() > deadline:
                raise TritonStartupError(f"tritonserver not ready after {self.startup_timeout:g} s")
            time.sleep(0.05)
        not_ready = [m for m in self.models or [] if not self._get(f"/v2/models/{m}/ready")]
        if not_ready:
            raise TritonStartupError(f"models not ready: {', '.join(not_ready)}")

    def _get(self, path: str) -> bool:
        try:
            with urllib.request.urlopen(self.http_url + path, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (if running) and remove the log file we made for it."""
        self._terminate()
        if self._own_log and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)

    def _terminate(self) -> None:
        """SIGTERM, then SIGKILL (to the server's whole process group) after the grace period."""
        process, self._process = self._process, None
        _LIVE.discard(self)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's output (start-up errors, stub tracebacks)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - 64 * 1024))
            text = log.read().decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> EmbeddedTriton:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"pid {self.pid}, grpc {self.grpc_url}" if self.running else "stopped"
        return f"EmbeddedTriton({self.model_repository}, {state})"


@atexit.register
def _stop_all() -> None:
    for server in list(_LIVE):
        server.stop()
