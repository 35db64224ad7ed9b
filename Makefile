# Two entry points for a fresh machine (Python >= 3.11, no venv needed beforehand):
#   make demo   - run the main job end to end
#   make test   - run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench examples sweep clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,geo,distributed,scip]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) examples/koytendag/generate.py
	$(VENV)/bin/scplan run scenarios/koytendag_30x30.yaml --overwrite

# two workers (one per core; a test module stays on one worker), the 15 slowest tests listed
test: $(STAMP)
	$(PY) -m pytest -q -n auto --maxprocesses=2 --dist loadscope --durations=15

bench: $(STAMP)
	$(PY) benchmarks/bench_core.py --out benchmarks/results/core.md
	$(PY) benchmarks/bench_marxan.py --out benchmarks/results/marxan.md
	$(PY) benchmarks/bench_contiguity.py --out benchmarks/results/contiguity.md
	$(PY) benchmarks/bench_scale.py --out benchmarks/results/scale.md
	$(PY) benchmarks/bench_koytendag.py --out benchmarks/results/koytendag.md

examples: $(STAMP)
	$(PY) examples/koytendag/worked_examples.py

sweep: $(STAMP)
	$(PY) examples/koytendag/generate.py
	$(VENV)/bin/scplan sweep scenarios/sweeps/koytendag_connectivity.yaml --overwrite

clean:
	rm -rf $(VENV) build *.egg-info
