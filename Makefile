# DocVault Ingest. `make run` starts the appliance on ./inbox and ./outbox;
# `make test` runs the tests. Both install what is missing first.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench setup system clean image image-test image-export

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

# The Docker image, built here without Docker Hub (docs/deploy.md): ARCH=amd64, or armv7
# for a 32-bit ARM NAS (emulated with qemu on a PC). docker/host-setup.sh (as root)
# installs Docker, debootstrap and, for armv7, qemu. EXTRA_CA_CERT=/path/ca.pem: a CA that
# pip in the build must trust (a proxy that re-signs HTTPS); never kept in the image.
ARCH ?= amd64

image:
	sh docker/build-local.sh $(ARCH)

image-test:
	sh docker/image-test.sh $(ARCH)

# For `docker load` on the NAS (Container Station): docvault-ingest-$(ARCH).tar.gz.
image-export:
	docker image inspect docvault-ingest:$(ARCH) >/dev/null 2>&1 || sh docker/build-local.sh $(ARCH)
	docker save docvault-ingest:$(ARCH) | gzip > docvault-ingest-$(ARCH).tar.gz.part
	mv docvault-ingest-$(ARCH).tar.gz.part docvault-ingest-$(ARCH).tar.gz
	@ls -l docvault-ingest-$(ARCH).tar.gz

clean:
	rm -rf $(VENV) *.egg-info
