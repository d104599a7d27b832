"""What reaches the worker image, read from the build files themselves (no build needed):
the package without its benchmark (orchestrator/bench, a development tool).

`scripts/deploy/podman-smoke` builds the image for real and runs `framegraph bench` in it;
the Dockerfile's own last check fails a build that the benchmark reached.
"""

from __future__ import annotations

import re
import subprocess

from .tools import ROOT

DOCKERFILE = ROOT / "docker" / "worker.Dockerfile"


def _regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go's filepath.Match, plus `**`) as a regex on a path."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def in_context(path: str, ignore: str) -> bool:
    """Does `path` reach the build context? Docker's rules: the last pattern that matches
    the path or one of its parent folders decides; `!` lets a path back in."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: k + 1]) for k in range(len(parts))]
    keep = True
    for line in ignore.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        allow = line.startswith("!")
        pattern = _regex(line.lstrip("!").strip("/"))
        if any(pattern.fullmatch(p) for p in prefixes):
            keep = allow
    return keep


def test_the_matcher_follows_dockers_rules() -> None:
    rules = "*\n!src/\nsrc/skip/\n**/__pycache__\n"
    assert in_context("src/a.py", rules) and in_context("src/x/b.py", rules)
    assert not in_context("src/skip/c.py", rules) and not in_context("docs/d.md", rules)
    assert not in_context("src/x/__pycache__/b.pyc", rules)


def test_the_build_context_has_the_package_but_not_its_benchmark() -> None:
    ignore = (ROOT / ".dockerignore").read_text()
    files = subprocess.run(
        ["git", "ls-files", "orchestrator"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    bench = [f for f in files if f.startswith("orchestrator/bench/")]
    assert bench and not any(in_context(f, ignore) for f in bench)
    rest = [f for f in files if f not in bench]
    assert all(in_context(f, ignore) for f in rest), [f for f in rest if not in_context(f, ignore)]
    assert in_context("orchestrator/cli/bench.py", ignore)  # says the benchmark is missing


def test_the_dockerfile_copies_only_the_context_and_refuses_the_benchmark() -> None:
    text = DOCKERFILE.read_text()
    copies = re.findall(r"^COPY\s+(?!--from)(.+)$", text, re.MULTILINE)
    sources = [c.split()[:-1] for c in copies]
    # the package comes in from the (filtered) context folder, never as the whole context
    assert ["orchestrator/"] in sources
    assert not any(src in (".", "./") for s in sources for src in s)
    assert "find_spec('orchestrator.bench') is not None" in text


def test_the_smoke_build_makes_its_context_as_dockerignore_does() -> None:
    smoke = (ROOT / "scripts" / "deploy" / "podman-smoke").read_text()
    assert 'rm -rf "$CTX/orchestrator/bench"' in smoke
    assert "not part of this installation" in smoke  # and checks what `bench` says
