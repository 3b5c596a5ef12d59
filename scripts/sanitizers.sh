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
  # Leak detection is off for the suite: the test runner's Foundation keeps caches alive at
  # exit that LeakSanitizer reports; tokenbatch's own binary is checked for leaks below.
  log=".build/sanitize-$sanitizer.log"
  mkdir -p .build
  if ! ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 TSAN_OPTIONS=halt_on_error=1 \
    swift test --sanitize="$sanitizer" --scratch-path ".build/sanitize-$sanitizer" >"$log" 2>&1; then
    # The failing tests and the sanitizer's reports, then the end; the whole log stays in $log.
    grep -E -A 12 '✘|ERROR: AddressSanitizer|WARNING: ThreadSanitizer' "$log" | head -200
    tail -5 "$log"
    exit 1
  fi
  tail -1 "$log"

  if [[ $sanitizer == address ]]; then
    echo "== tokenbatch under LeakSanitizer"
    binary=".build/sanitize-address/debug/tokenbatch"
    scratch=$(mktemp -d)
    sed "s#example-keys/#$PWD/manifests/example-keys/#" manifests/example.yml > "$scratch/example.yml"
    cp Tests/fixtures/diagnostics/TB033-origin-syntax.yml "$scratch/broken.yml"
    # Each command that succeeds or fails on purpose; any leak report exits with 23.
    leak_check() {
      local status=0
      ASAN_OPTIONS=detect_leaks=1:exitcode=23 "$binary" "$@" >/dev/null 2>"$scratch/stderr" || status=$?
      if ((status == 23)); then
        cat "$scratch/stderr"
        echo "leak in: tokenbatch $*" >&2
        exit 1
      fi
    }
    leak_check apply "$scratch/example.yml" --out-dir "$scratch/out" --now 2026-12-01T00:00:00Z
    leak_check apply "$scratch/example.yml" --out-dir "$scratch/out" --now 2026-12-01T00:00:00Z --force
    leak_check plan "$scratch/example.yml" --out-dir "$scratch/out" --format json
    leak_check plan "$scratch/broken.yml"
    leak_check verify "$scratch/example.yml" --out-dir "$scratch/out" --now 2026-12-02T00:00:00Z
    leak_check inspect "$scratch/out/geocoder.env"
    leak_check public-key "$scratch/example.yml" --format jwks
    leak_check keygen "$scratch/keygen-test-key.p8"
    rm -rf "$scratch"
    echo "no leaks"
  fi
done
