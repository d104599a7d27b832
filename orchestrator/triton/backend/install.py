"""Find the Triton server bundled in `nvidia-pytriton` and build a backends directory for it.

The wheel ships the server, its libraries, the Python backend and one backend stub per Python
version, but no ONNX Runtime backend. We never modify site-packages: the backends directory is
built once under the user's cache, keyed by the Python version, the wheel's version and a hash
of our backend source, and holds

    python/       libtriton_python.so, triton_python_backend_utils.py and the stub for this Python
    onnxruntime/  model.py (the Python-based backend in this package)

It is built in a private temporary directory and renamed into place, so two processes building
it at once both end up with one complete copy.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

BACKEND_SOURCE = Path(__file__).resolve().parent / "onnxruntime" / "model.py"
CACHE_ENV = "FRAMEGRAPH_CACHE_DIR"
_COMPLETE = ".complete"


class BundleNotFound(RuntimeError):
    """The `nvidia-pytriton` wheel (or a piece of it this Python needs) is not installed."""


@dataclass(frozen=True)
class Bundle:
    """Paths inside an installed `nvidia-pytriton` wheel."""

    server: Path  # the tritonserver executable
    libs: Path  # nvidia_pytriton.libs: shared libraries the server and backends link against
    python_backend: Path  # libtriton_python.so and triton_python_backend_utils.py
    stub: Path  # triton_python_backend_stub built for the running Python
    version: str  # nvidia-pytriton's version

    @classmethod
    def locate(cls) -> Bundle:
        spec = importlib.util.find_spec("pytriton")  # without importing it (and numpy with it)
        if spec is None or not spec.submodule_search_locations:
            raise BundleNotFound(
                "the embedded Triton needs the nvidia-pytriton wheel: "
                "pip install 'framegraph[embedded]' (Linux x86_64, glibc >= 2.35)"
            )
        root = Path(next(iter(spec.submodule_search_locations)))
        pyver = f"{sys.version_info.major}.{sys.version_info.minor}"
        stubs = root / "tritonserver" / "python_backend_stubs"
        bundle = cls(
            server=root / "tritonserver" / "bin" / "tritonserver",
            libs=root.parent / "nvidia_pytriton.libs",
            python_backend=root / "tritonserver" / "backends" / "python",
            stub=stubs / pyver / "triton_python_backend_stub",
            version=importlib.metadata.version("nvidia-pytriton"),
        )
        for path in (bundle.server, bundle.libs, bundle.python_backend, bundle.stub):
            if not path.exists():
                raise BundleNotFound(f"nvidia-pytriton {bundle.version} lacks {path}")
        return bundle


def cache_root() -> Path:
    """`$FRAMEGRAPH_CACHE_DIR`, else `$XDG_CACHE_HOME/framegraph`, else `~/.cache/framegraph`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "framegraph"


def _key(bundle: Bundle, source: bytes) -> str:
    digest = hashlib.sha256(source)
    digest.update(bundle.version.encode())
    digest.update(str(bundle.stub.stat().st_size).encode())
    return f"py{sys.version_info.major}{sys.version_info.minor}-{digest.hexdigest()[:16]}"


def _populate(target: Path, bundle: Bundle, source: bytes) -> None:
    python = target / "python"
    python.mkdir()
    for name in ("libtriton_python.so", "triton_python_backend_utils.py"):
        shutil.copy2(bundle.python_backend / name, python / name)
    shutil.copy2(bundle.stub, python / "triton_python_backend_stub")
    (target / "onnxruntime").mkdir()
    (target / "onnxruntime" / "model.py").write_bytes(source)
    (target / _COMPLETE).write_text(f"nvidia-pytriton {bundle.version}\n")


def backends_directory(bundle: Bundle | None = None, root: Path | None = None) -> Path:
    """The backends directory for this Python and backend source; built on first use."""
    bundle = bundle or Bundle.locate()
    root = root or cache_root() / "triton-backends"
    source = BACKEND_SOURCE.read_bytes()
    final = root / _key(bundle, source)
    if (final / _COMPLETE).exists():
        return final
    root.mkdir(parents=True, exist_ok=True)
    if final.exists():  # left half-made by something other than us: rebuild it
        shutil.rmtree(final, ignore_errors=True)
    building = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        _populate(building, bundle, source)
        try:
            os.rename(building, final)  # atomic; fails if another process got there first
        except OSError:
            if not (final / _COMPLETE).exists():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return final


def server_environment(bundle: Bundle, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the server so that its Python stubs run this very interpreter and venv.

    The stubs link against `libpython3.X.so`: with this Python's own shared library first on
    LD_LIBRARY_PATH they load the same interpreter build (not the distribution's). The stub
    finds its prefix by looking up `python3` on PATH, so this Python's bin directory goes first:
    the stubs then see the venv's site-packages (numpy<2 and onnxruntime). PYTHONPATH would not
    do: the stub ignores it.
    """
    env = dict(os.environ if base is None else base)
    libs = [str(bundle.libs)]
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        libs.insert(0, str(sysconfig.get_config_var("LIBDIR")))
    if env.get("LD_LIBRARY_PATH"):
        libs.append(env["LD_LIBRARY_PATH"])
    env["LD_LIBRARY_PATH"] = os.pathsep.join(libs)
    path = env.get("PATH", os.defpath)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), path])
    env.pop("PYTHONHOME", None)
    return env
