# make test: create .venv (if missing), install, run the test suite.
# make demo: create .venv (if missing), install, run the end-to-end MixPath experiment on the embedded
#            MNIST-5k on the CPU (ground truth, SBN/BN supernets, ranking, search, DARTS, SBN analysis)
#            and write work_dirs/demo/report.md; re-running it reuses or resumes the finished stages.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: test demo venv clean

$(STAMP): setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip" "setuptools<81" wheel
	$(PY) -m pip install -q -e ".[dev,det]"
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

demo: $(STAMP)
	$(PY) tools/experiment.py configs/experiment/demo.py

clean:
	rm -rf $(VENV) work_dirs
