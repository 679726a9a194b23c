#!/bin/sh
# A tesseract that says it started (one "started-<pid>" file in $DOCVAULT_TEST_STATE per
# OCR run; --version and --list-langs are no runs) and waits $DOCVAULT_TEST_DELAY seconds
# before the real work: it holds a worker mid-task long enough for the tests to signal or
# kill it, or to restart Redis.
if [ "$1" != "--version" ] && [ "$1" != "--list-langs" ]; then
    : > "$DOCVAULT_TEST_STATE/started-$$"
    sleep "${DOCVAULT_TEST_DELAY:-3}"
fi
exec tesseract "$@"
