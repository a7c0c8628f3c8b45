# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs into
# .venv first (once; again only when pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SCENE  := examples/living_room/layout.json:living_room
DEMO_ROOM := out/demo_room

.PHONY: demo test bench bench-llm install clean

# Open3D (ray casting, point clouds) loads the system's libusb-1.0: install it when `import open3d` fails
# (as root, with apt; CI runs as root on a fresh clone), else say what to install.
OPEN3D_SYSTEM_LIBS = $(BIN)/python -c 'import open3d' 2>/dev/null || { command -v apt-get >/dev/null \
	&& { apt-get update -qq && apt-get install -y -qq libusb-1.0-0; } \
	|| { echo "Open3D needs the system library libusb-1.0: install it (Debian/Ubuntu: apt-get install -y libusb-1.0-0)"; exit 1; }; }

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo needs the core and the video stack (COLMAP on the CPU, OpenCV); the tests also run the
# detectors (ultralytics, torch on the CPU), the viewer, Ray and parquet.
$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[video]'
	@$(OPEN3D_SYSTEM_LIBS)
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,perception,depth,video,viewer,ray,bench,service]'
	@$(OPEN3D_SYSTEM_LIBS)
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
	@echo
	@echo "The whole pipeline on a short video: a generated room (RGB only, with its detections sidecar),"
	@echo "cameras and depth by structure from motion (COLMAP), objects lifted and fused, metric scale from"
	@echo "typical object sizes. Ground truth is in $(DEMO_ROOM)/ground_truth.json."
	@test -f $(DEMO_ROOM)/video.mp4 || $(BIN)/python -m sagent.tools.synthetic $(DEMO_ROOM) --seed 2 --frames 48 --video
	@for question in "How long is the bed?" "How big is this room?" "Which is closer to the bed, the sofa or the door?"; do \
		echo "Q: $$question"; \
		$(BIN)/sagent ask --cache-dir out/cache $(DEMO_ROOM)/video.mp4 "$$question" || exit 1; \
	done

# The tests run in one process per core (pytest-xdist), one thread each (two processes each running
# a core's worth of BLAS/OpenMP threads took 117 s where this takes 94), a file's tests in one process
# so a module's shared fixtures (one COLMAP run, one Ray start) are made once.
# `make test TEST_WORKERS=0` runs them all in this process.
TEST_WORKERS ?= auto
ONE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

test: $(VENV)/.test
	$(ONE_THREAD) $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: $(VENV)/.test
	$(BIN)/python benchmarks/bench_layout_qa.py
	$(BIN)/python benchmarks/bench_agent.py
	$(BIN)/python benchmarks/bench_render.py
	$(BIN)/python benchmarks/bench_perception.py
	$(BIN)/python benchmarks/bench_video.py
	$(BIN)/python benchmarks/bench_scale_priors.py
	$(BIN)/python benchmarks/bench_viewer.py
	$(BIN)/python benchmarks/bench_eval.py
	$(BIN)/python benchmarks/bench_stream.py --frames 500
	$(BIN)/python benchmarks/bench_stream.py --frames 1000

# A local small model (Gemma-3-270M GGUF) served by llama-cpp-python: builds its own environment the
# first time (10-20 min on 2 cores), then about 30 min for 60 questions in three configurations.
bench-llm: $(VENV)/.test
	$(BIN)/python benchmarks/bench_local_llm.py --configs off,on,votes3 --max-repairs 0 --timeout 90 --budget 1500
	$(BIN)/python benchmarks/bench_local_llm.py --section local_llm_frame --set dev --configs frame --max-repairs 1 --timeout 90 --budget 1800
	$(BIN)/python benchmarks/bench_local_llm.py --set everyday --configs on,frame --max-repairs 1 --timeout 90 --budget 2700

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
