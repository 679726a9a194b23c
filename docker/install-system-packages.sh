#!/bin/sh
# Installs the system packages DocVault Ingest needs, and only those missing.
# Used by the Makefile (`make run`, `make test`) and by docker/Dockerfile, so the two
# cannot drift. Needs root (or sudo) only when something is missing.
#   --debian-python  also install Python and its compiled libraries from Debian's packages
#                    (the Docker image does this: PyPI has no armv7 wheels for Pillow,
#                    PyYAML, regex, pikepdf or numpy, and building them there needs a
#                    compiler and headers; stdnum is pure Python, Debian's is tested
#                    with the rest)
#   --image          also what only the Docker image needs
#   --test           also what only the tests need (chromium: the dashboard is tested in
#                    a real headless browser)
#   --bench          also what `make bench` compares against (OCRmyPDF); never in the image
#   --print          print the package list, one a line, and install nothing
set -eu

# icc-profiles-free: the sRGB profile (Zlib licence) of the PDF/A output intent.
PACKAGES="tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra
tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-osd poppler-utils redis-server
icc-profiles-free"
DEBIAN_PYTHON="python3 python3-venv python3-pil python3-yaml python3-regex python3-pikepdf
python3-img2pdf python3-numpy python3-stdnum"
# tini: the image's PID 1, which passes SIGTERM on to the worker and reaps tesseract's
# orphans; tzdata: log times in the NAS's TZ. Dropping to PUID/PGID uses setpriv
# (util-linux) and usermod (passwd), which every Debian image has.
IMAGE="tini tzdata"
TEST="chromium"
# OCRmyPDF: the benchmark's reference for drop-to-sidecar speed; DocVault never runs it.
BENCH="ocrmypdf"

print=""
for arg in "$@"; do
    case "$arg" in
        --debian-python) PACKAGES="$PACKAGES $DEBIAN_PYTHON" ;;
        --image) PACKAGES="$PACKAGES $IMAGE" ;;
        --test) PACKAGES="$PACKAGES $TEST" ;;
        --bench) PACKAGES="$PACKAGES $BENCH" ;;
        --print) print=yes ;;
        *) echo "usage: $0 [--debian-python] [--image] [--test] [--bench] [--print]" >&2; exit 2 ;;
    esac
done
if [ -n "$print" ]; then
    # shellcheck disable=SC2086
    printf '%s\n' $PACKAGES
    exit 0
fi

missing=""
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "DocVault needs these packages, and this system has no apt-get:$missing" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "DocVault needs these packages; run as root to install them:$missing" >&2
        exit 1
    }
    SUDO="sudo"
fi
echo "Installing system packages:$missing"
$SUDO apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
