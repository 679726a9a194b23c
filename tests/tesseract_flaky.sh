#!/bin/sh
# A tesseract that crashes on its first OCR run, then is the real one: for retry tests.
# The first run leaves "$DOCVAULT_TEST_STATE/crashed" behind.
if [ "$1" != "--version" ] && [ "$1" != "--list-langs" ] && [ ! -e "$DOCVAULT_TEST_STATE/crashed" ]; then
    : > "$DOCVAULT_TEST_STATE/crashed"
    echo "simulated tesseract crash" >&2
    exit 1
fi
exec tesseract "$@"
