#!/usr/bin/env python3
"""Times `tokenbatch apply` against the machine's signing limit and the common alternatives.

Usage: python3 bench/benchmark.py [--sizes 10,1000,100000] [--runs 3] [--alternatives DIR] [--folder DIR]

In one run it:
- generates manifests of each size (JSON output only, and JSON plus one .env per product);
- times `tokenbatch apply --force` on each (wall time, tokens per second, peak memory), and
  `tokenbatch plan`, several runs, reporting the median time and the largest peak;
- measures the signing limit with `openssl speed -multi CORES ecdsap256`, before and after
  the runs, and divides by the higher of the two;
- runs the same job with the reference alternatives in DIR (default ../shared/bench: a bash
  loop around `openssl dgst -sign`, PyJWT, Python `cryptography` in a process pool, Node's
  `crypto`), alternating with tokenbatch so that both see the same machine;
- prints Markdown tables for docs/performance.md: the runs, and tokenbatch's peak memory
  beside the size of what it wrote.

Each run writes into a folder of its own, and the folders of one size are deleted only after
all of its runs: on ext4, creating files right after deleting 100,000 others is several times
slower (the inode allocator steps over recently freed inodes), which would punish whichever
tool runs next. --folder chooses the file system (default: the system's temporary folder);
`--folder /dev/shm` measures the same work on tmpfs, where what remains is each tool's own
cost per file.

It builds tokenbatch in release mode and installs PyJWT and cryptography into
.build/bench-venv when they are missing. The bash loop is run at 1,000 tokens at most: at
about 50 tokens a second, larger sizes would take hours.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build/release/tokenbatch")


def run(command, env=None, cwd=None):
    """Runs `command`; returns (seconds, peak resident kilobytes) of that process alone."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait4 gives this child's own resource use; getrusage(RUSAGE_CHILDREN) would give the
    # largest of all children so far.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{errors[-2000:]}")
    return seconds, usage.ru_maxrss


def manifest(size, env_files, key_path):
    lines = [
        "version: 1", "team_id: DEF123GHIJ", "keys:", "  bench:", "    kid: ABC123DEFG",
        f"    file: {key_path}", "defaults:", "  lifetime: 30d", "products:",
    ]
    for index in range(1, size + 1):
        lines += [f"  app{index}:", "    scopes: [server_api]", f"    origins: [app{index}.example.com]"]
    lines += ["outputs:", "  - format: json", "    path: tokens.json"]
    if env_files:
        lines += ["  - format: env", '    path: "env/{product}.env"']
    return "\n".join(lines) + "\n"


def ensure_python(venv):
    python = os.path.join(venv, "bin", "python3")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    if subprocess.run([python, "-c", "import jwt, cryptography"], capture_output=True).returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "--quiet", "PyJWT", "cryptography"], check=True)
    return python


def openssl_speed(cores):
    result = subprocess.run(
        ["openssl", "speed", "-seconds", "5", "-multi", str(cores), "ecdsap256"], capture_output=True, text=True)
    # The summary line: "256 bits ecdsa (nistp256)   0.0000s   0.0000s  94000.0  30000.0"
    for line in result.stdout.splitlines():
        match = re.search(r"ecdsa \(nistp256\)\s+\S+s\s+\S+s\s+([\d.]+)", line)
        if match:
            return float(match.group(1))
    raise SystemExit("could not read `openssl speed`'s result")


def folder_size(path):
    total = 0
    for folder, _, names in os.walk(path):
        total += sum(os.lstat(os.path.join(folder, name)).st_size for name in names)
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,1000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--alternatives", default=os.path.join(os.path.dirname(ROOT), "shared", "bench"))
    parser.add_argument("--folder", default=None, help="where the outputs are written (default: the temporary folder)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    cores = os.cpu_count() or 1

    subprocess.run(["swift", "build", "-c", "release", "--product", "tokenbatch"], cwd=ROOT, check=True,
                   capture_output=True)
    python = ensure_python(os.path.join(ROOT, ".build", "bench-venv"))
    work = tempfile.mkdtemp(prefix="tokenbatch-bench-", dir=args.folder)
    key = os.path.join(work, "bench-test-key.p8")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key],
                   check=True)
    os.chmod(key, 0o600)

    limit_before = openssl_speed(cores)
    print(f"machine: {os.uname().nodename}, {cores} cores; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"openssl speed -multi {cores} ecdsap256 before the runs: {limit_before:,.0f} signatures/s\n")

    alternatives = {
        "bash + openssl": ["bash", os.path.join(args.alternatives, "a_bash_openssl.sh")],
        "PyJWT": [python, os.path.join(args.alternatives, "b_pyjwt.py")],
        "Python cryptography, pool": [python, os.path.join(args.alternatives, "c_py_mp.py")],
        "Node crypto": ["node", os.path.join(args.alternatives, "d_node.js")],
    }
    rows = []
    memory = []
    for size in sizes:
        for env_files in (False, True):
            label = "JSON + .env" if env_files else "JSON"
            path = os.path.join(work, f"m{size}{'e' if env_files else ''}.yml")
            with open(path, "w") as handle:
                handle.write(manifest(size, env_files, key))
            outputs = os.path.join(work, f"out-{size}{'e' if env_files else ''}")
            os.makedirs(outputs)
            results = {"tokenbatch": [], "tokenbatch plan": []}
            written = 0
            for attempt in range(args.runs):
                out = os.path.join(outputs, f"tokenbatch-{attempt}")
                results["tokenbatch"].append(run([BINARY, "apply", path, "--out-dir", out, "--force"], cwd=work))
                written = folder_size(out)
                # As in a pull request: no earlier run in the folder to compare with.
                unused = os.path.join(outputs, "never-applied")
                results["tokenbatch plan"].append(run([BINARY, "plan", path, "--out-dir", unused], cwd=work))
                for name, command in alternatives.items():
                    if name == "bash + openssl" and size > 1000:
                        continue
                    env = dict(os.environ, PYJWT_KEY="object")
                    if not env_files:
                        env["BENCH_NO_ENV"] = "1"
                    out = os.path.join(outputs, f"{name.split()[0]}-{attempt}")
                    results.setdefault(name, []).append(run(command + [str(size), key, out], env=env))
            shutil.rmtree(outputs)
            rows.append((size, label, results))
            peak = max(kilobytes for _, kilobytes in results["tokenbatch"])
            memory.append((size, label, peak, written))

    limit_after = openssl_speed(cores)
    limit = max(limit_before, limit_after)
    print(f"openssl speed -multi {cores} ecdsap256 after the runs: {limit_after:,.0f} signatures/s; "
          f"ratios below use {limit:,.0f}\n")
    print("| tokens | outputs | tool | median s | tokens/s | peak MB | rate ÷ openssl speed | time ÷ tokenbatch's |")
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for size, label, results in rows:
        ours = statistics.median(seconds for seconds, _ in results["tokenbatch"])
        for name, samples in results.items():
            seconds = statistics.median(sample[0] for sample in samples)
            peak = max(sample[1] for sample in samples) / 1024
            rate = size / seconds if seconds else float("inf")
            # `plan` signs nothing: only its time is worth comparing.
            share = "" if name == "tokenbatch plan" else f"{rate / limit:.2f}"
            print(f"| {size:,} | {label} | {name} | {seconds:.3f} | {rate:,.0f} | {peak:.0f} | "
                  f"{share} | {seconds / ours:.2f} |")

    print("\n| tokens | outputs | tokenbatch's peak MB | MB written | peak − first size's peak, per MB written |")
    print("| ---: | --- | ---: | ---: | ---: |")
    baseline = {label: peak for _, label, peak, _ in memory[:2]}
    for size, label, peak, written in memory:
        growth = (peak - baseline[label]) / 1024 / (written / 1e6) if written and size != sizes[0] else float("nan")
        print(f"| {size:,} | {label} | {peak / 1024:.0f} | {written / 1e6:.1f} | {growth:.2f} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
