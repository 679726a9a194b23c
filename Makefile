# DocVault Ingest. `make run` starts the appliance on ./inbox and ./outbox;
# `make test` runs the tests. Both install what is missing first.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench setup system clean

run: setup
	$(VENV)/bin/docvault up

test: setup
	@sh docker/install-system-packages.sh --test
	$(PY) -m pytest $(PYTEST_ARGS)

# OCRmyPDF, the reference the appliance bench compares against, is installed for the
# bench only; without root the bench says loudly that its column is missing.
bench: setup
	@sh docker/install-system-packages.sh --bench || echo "!! OCRmyPDF could not be installed: the bench reports it MISSING"
	$(PY) -m bench

setup: system $(STAMP)

# System packages (tesseract with eng deu fra spa ita osd, poppler, redis): the same
# script builds the Docker image.
system:
	@sh docker/install-system-packages.sh

$(STAMP): setup.cfg pyproject.toml
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || sh docker/install-system-packages.sh --debian-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) *.egg-info
