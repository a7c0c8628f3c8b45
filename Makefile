# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs into
# .venv first (once; again only when pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SCENE  := examples/living_room/layout.json:living_room

.PHONY: demo test bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo needs the core only; the tests also run the detectors (ultralytics, torch on the CPU).
$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,perception,video]'
	touch $@ $(VENV)/.core

install: $(VENV)/.test

demo: $(VENV)/.core
	@while IFS= read -r question; do \
		echo "Q: $$question"; \
		$(BIN)/sagent ask --no-cache --layout $(SCENE) "$$question" || exit 1; \
		echo; \
	done < examples/living_room/questions.txt
	@echo "The program behind an answer:"
	$(BIN)/sagent ask --no-cache --layout $(SCENE) --verbose "Which is closer to the sofa, the lamp or the door?"

test: $(VENV)/.test
	$(BIN)/python -m pytest -q

bench: $(VENV)/.test
	$(BIN)/python benchmarks/bench_layout_qa.py
	$(BIN)/python benchmarks/bench_agent.py
	$(BIN)/python benchmarks/bench_render.py
	$(BIN)/python benchmarks/bench_perception.py
	$(BIN)/python benchmarks/bench_video.py
	$(BIN)/python benchmarks/bench_scale_priors.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
