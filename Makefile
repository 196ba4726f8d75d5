# make test: create .venv (if missing), install (with the optional Ray extra the tests use), run the test suite.
# make demo: create .venv (if missing), install, run the end-to-end MixPath experiment on the embedded
#            MNIST-5k on the CPU (ground truth, SBN/BN supernets, ranking, search, DARTS, SBN analysis)
#            and write work_dirs/demo/report.md; re-running it reuses or resumes the finished stages.
# make demo-s5: the same experiment in the DARTS space (S5, m=3: SBN/BN supernets, ranking, every searcher,
#            DARTS in its own space, the published DARTS cells as reference points) on the embedded
#            MNIST-5k, within 10 minutes on 2 CPU cores; writes work_dirs/demo_s5/report.md.
# make gpu-kit: download the packages a bare GPU machine lacks (tools/gpu_kit.txt) as Python 3.12
#            wheels into .whl/ and export the reference implementation from REFERENCE_SRC (a git
#            directory or checkout of github.com/xiaomi-automl/MixPath) into .reference/MixPath,
#            for tools/gpu_check.py (docs/benchmarks.md, "GPU check").
# make mutate: mutation testing (mutmut, installed into .venv) of the core modules, each group of
#            modules against only the tests that cover it (tools/_mutate.py; docs/mutation.md);
#            GROUPS="search nn" runs some groups; results in .mutate/.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
RAY_STAMP := $(VENV)/.ray-stamp
# a checkout or git directory of the reference implementation (none: make gpu-kit keeps .reference/)
REFERENCE_SRC ?=

.PHONY: test demo demo-s5 venv clean gpu-kit mutate

$(STAMP): setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip" "setuptools<81" wheel
	$(PY) -m pip install -q -e ".[dev,det]"
	touch $(STAMP)

venv: $(STAMP)

# the tests also run the experiment on Ray (the optional `ray` extra); the demo does not need it
$(RAY_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[ray]"
	touch $(RAY_STAMP)

test: $(RAY_STAMP)
	$(PY) -m pytest -q

demo: $(STAMP)
	$(PY) tools/experiment.py configs/experiment/demo.py

demo-s5: $(STAMP)
	$(PY) tools/experiment.py configs/experiment/s5_demo.py

mutate: $(STAMP)
	$(PY) -m pip install -q "mutmut==3.8.1"
	$(PY) tools/_mutate.py $(GROUPS)

gpu-kit:
	PYTHON=$(PYTHON) REFERENCE_SRC=$(REFERENCE_SRC) bash tools/gpu_kit.sh

clean:
	rm -rf $(VENV) work_dirs
