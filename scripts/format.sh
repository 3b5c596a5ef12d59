#!/usr/bin/env bash
# Formats every Swift file with the toolchain's `swift format` and the committed
# `.swift-format`, then lints strictly: any remaining finding fails.
set -euo pipefail
cd "$(dirname "$0")/.."

swift format format --in-place --recursive Package.swift Sources Tests
swift format lint --strict --recursive Package.swift Sources Tests
