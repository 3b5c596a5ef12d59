#!/usr/bin/env bash
# Runs tokenbatch's libFuzzer targets: `scripts/fuzz.sh SECONDS [TARGET...]`.
#
# Targets: FuzzManifest (bytes -> YAML -> model -> plan -> report), FuzzKey (bytes -> PEM ->
# key, and inspect's --key reader), FuzzToken (bytes -> inspect's checks). Each runs for
# SECONDS with its corpus in .build/fuzz-corpus/TARGET, seeded from the repository's
# fixtures and from keys and tokens made here for the run (none is committed). A crash
# leaves its input in .build/fuzz-artifacts/ and makes the script fail: turn the input into a
# fixture in Tests/fixtures and fix the code.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
((${#targets[@]})) || targets=(FuzzManifest FuzzKey FuzzToken)

export TOKENBATCH_FUZZ=1 SWIFT_BACKTRACE=enable=no
for target in "${targets[@]}"; do
  swift build -c release --sanitize=fuzzer --scratch-path .build/fuzz --product "$target" >/dev/null
done

corpus=.build/fuzz-corpus
artifacts=.build/fuzz-artifacts
mkdir -p "$corpus/FuzzManifest" "$corpus/FuzzKey" "$corpus/FuzzToken" "$artifacts"
seed_scratch=$(mktemp -d)
trap 'rm -rf "$seed_scratch"' EXIT

# Seeds: every fixture manifest, the valid manifests in Fuzz/seeds (one per way of writing
# YAML that a manifest may use), the example, keys in each accepted and refused form, and
# tokens from a real apply and from the Wycheproof JWS vectors.
cp Tests/fixtures/diagnostics/*.yml Fuzz/seeds/manifest/*.yml manifests/example.yml "$corpus/FuzzManifest/"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$seed_scratch/fuzz-test-key.p8" 2>/dev/null
openssl ec -in "$seed_scratch/fuzz-test-key.p8" -out "$corpus/FuzzKey/sec1" 2>/dev/null
openssl pkey -in "$seed_scratch/fuzz-test-key.p8" -pubout -out "$corpus/FuzzKey/public" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$corpus/FuzzKey/p384" 2>/dev/null
cp "$seed_scratch/fuzz-test-key.p8" "$corpus/FuzzKey/pkcs8"
cp Tests/fixtures/diagnostics/not-a-key-test.pem "$corpus/FuzzKey/not-a-key"
python3 - "$corpus" <<'PYTHON'
import json, sys
corpus = sys.argv[1]
vectors = json.load(open("Tests/vectors/wycheproof/jws_es256_test.json"))
for group in vectors["testGroups"]:
    open(f"{corpus}/FuzzKey/jwk-{group['public']['kid']}", "w").write(json.dumps(group["public"]))
    for test in group["tests"]:
        open(f"{corpus}/FuzzToken/jws-{test['tcId']}", "w").write(test["jws"])
PYTHON
sed "s#example-keys/AuthKey_EXAMPLE123.p8#$PWD/manifests/example-keys/AuthKey_EXAMPLE123.p8#" manifests/example.yml \
  > "$seed_scratch/example.yml"
swift build -c release --product tokenbatch >/dev/null 2>&1 \
  && .build/release/tokenbatch apply "$seed_scratch/example.yml" --out-dir "$seed_scratch/out" >/dev/null 2>&1 \
  && for file in "$seed_scratch"/out/*.env; do grep -o 'eyJ[^ ]*' "$file" > "$corpus/FuzzToken/apply-$(basename "$file")"; done

status=0
for target in "${targets[@]}"; do
  dictionary=()
  [[ $target == FuzzManifest ]] && dictionary=(-dict=Fuzz/manifest.dict)
  log="$artifacts/$target.log"
  echo "== $target for ${seconds}s"
  # The fuzzer's own status counts, not only what it leaves behind: one that cannot start
  # writes no artifact either.
  fuzzer_status=0
  ".build/fuzz/release/$target" "$corpus/$target" "${dictionary[@]}" -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/$target-" -print_final_stats=1 \
    >"$log" 2>&1 || fuzzer_status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|.*deadly signal|Test unit written)' \
    "$log" || true
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if ((fuzzer_status != 0)) || ls "$artifacts/$target-"* >/dev/null 2>&1 || [[ -z $executed || $executed == 0 ]]; then
    echo "!! $target failed (status $fuzzer_status, ${executed:-no} executions); its output is in $log"
    ls "$artifacts/$target-"* 2>/dev/null || tail -20 "$log"
    status=1
  fi
done
exit $status
