# make test: create .venv (if missing), install, run the test suite.
# make demo: create .venv (if missing), install, train the S4 supernet (Shadow BN) on the embedded
#            MNIST-5k on the CPU and score a few sampled architectures with it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_DIR := work_dirs/demo_s4

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
	$(PY) tools/train.py configs/supernet/s4_nb101_mnist5k.py --work-dir $(DEMO_DIR) --resume
	$(PY) tools/evaluate.py configs/supernet/s4_nb101_mnist5k.py --checkpoint $(DEMO_DIR)/epoch_30.pth \
		--num-random 6 --arch S4:1000 --arch S4:2000 --arch S4:3000 --arch S4:1230

clean:
	rm -rf $(VENV) work_dirs
