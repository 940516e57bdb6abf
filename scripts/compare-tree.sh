#!/usr/bin/env bash
# `taskc tree check-node` on N generated JSON-lines nodes against the seed's
# `validate_node` in a Python loop over the same file, side by side (best of
# 5 runs each, the same phrases on both sides; see scripts/gen_nodes.py and
# scripts/seed_check_nodes.py).
#
# usage: scripts/compare-tree.sh [N]     (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
work=target/compare-tree
rm -rf "$work" && mkdir -p "$work"
cargo build --quiet --release --bin taskc
./target/release/taskc compile tasks -o "$work/spec.json"
python3 scripts/gen_nodes.py "$n" "$work/nodes.jsonl"
sync

best() {  # best wall time of 5 runs of a command, in seconds (exit 1 = rejections, expected)
  python3 - "$@" <<'PY'
import subprocess, sys, time
times = []
for _ in range(5):
    t = time.perf_counter()
    r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
    if r.returncode not in (0, 1):
        sys.exit(f"{sys.argv[1:]} exited with {r.returncode}")
print(f"{min(times):.3f}")
PY
}

taskc_s=$(best ./target/release/taskc tree check-node "$work/nodes.jsonl")
seed_s=$(best python3 scripts/seed_check_nodes.py "$work/spec.json" "$work/nodes.jsonl")
./target/release/taskc tree check-node "$work/nodes.jsonl" > "$work/taskc.jsonl" || true
python3 scripts/seed_check_nodes.py "$work/spec.json" "$work/nodes.jsonl" > "$work/seed.jsonl" 2>/dev/null
bytes=$(wc -c < "$work/nodes.jsonl")
taskc_rejected=$(grep -c '"accepted":false' "$work/taskc.jsonl" || true)
seed_rejected=$(grep -c '"accepted": false' "$work/seed.jsonl" || true)
python3 - "$n" "$bytes" "$taskc_s" "$seed_s" "$taskc_rejected" "$seed_rejected" <<'PY'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
t, seed = float(sys.argv[3]), float(sys.argv[4])
tr, sr = sys.argv[5], sys.argv[6]
print(f"nodes: {n}   bytes: {size / 1e6:.1f} MB")
print(f"taskc tree check-node  {t:7.3f} s   {size / 1e6 / t:6.1f} MB/s   rejected {tr}")
print(f"seed validate_node     {seed:7.3f} s   {size / 1e6 / seed:6.1f} MB/s   rejected {sr}")
print(f"taskc is {seed / t:.1f}x faster (the seed also rejects every 'Sudoku' for 'sudo':")
print("  it matches substrings of the lower-cased text; taskc matches words of the normalized text)")
PY
