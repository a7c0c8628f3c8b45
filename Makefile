# Two commands on a fresh machine: `make demo` and `make test`. Both install what they need
# into .venv first (once; again only when pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SCENE  := examples/living_room/layout.json:living_room

.PHONY: demo test bench install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(STAMP)
	@while IFS= read -r question; do \
		echo "Q: $$question"; \
		$(BIN)/sagent ask --layout $(SCENE) "$$question" || exit 1; \
		echo; \
	done < examples/living_room/questions.txt
	@echo "The program behind an answer:"
	$(BIN)/sagent ask --layout $(SCENE) --verbose "Which is closer to the sofa, the lamp or the door?"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_layout_qa.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
