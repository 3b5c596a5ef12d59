#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer, then under ThreadSanitizer (the signing
# pool). `scripts/sanitizers.sh [address|thread]...`; both when none is named. The binary the
# end-to-end tests start is built with the same sanitizer, so they exercise it too.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers=("$@")
((${#sanitizers[@]})) || sanitizers=(address thread)

export SWIFT_BACKTRACE=enable=no
for sanitizer in "${sanitizers[@]}"; do
  echo "== swift test --sanitize=$sanitizer"
  # A sanitizer report makes the process exit non-zero, which fails the test that ran it.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 TSAN_OPTIONS=halt_on_error=1 \
    swift test --sanitize="$sanitizer" --scratch-path ".build/sanitize-$sanitizer" 2>&1 | tail -3
  test "${PIPESTATUS[0]}" -eq 0
done
