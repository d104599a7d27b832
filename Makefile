# The README's two commands: `make demo` (set up, then run the main job on the sample clip)
# and `make test` (set up, then the whole suite). Set-up leaves everything in .venv/.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FEATURES ?= image.quality,motion,scene.cut,persons,persons.tracks
# The sample clip at its real rate, paced like a camera.
FPS ?= 10

.PHONY: setup demo test lint clean

$(BIN)/framegraph: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[embedded,gpu,bench,dev]'
	touch $@

setup: $(BIN)/framegraph

demo: setup
	mkdir -p out
	$(BIN)/framegraph encode samples/vtest --fps $(FPS) | $(BIN)/framegraph run --features $(FEATURES) --stats out/demo-stats.json | tee out/demo.jsonl | cut -c1-200
	@echo "--- stats: out/demo-stats.json"

test: setup
	scripts/test-setup
	$(BIN)/ruff check orchestrator tests scripts
	$(BIN)/mypy orchestrator
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check orchestrator tests scripts
	$(BIN)/ruff format --check orchestrator tests scripts
	$(BIN)/mypy orchestrator

clean:
	rm -rf $(VENV) .tools out .pytest_cache .ruff_cache
