#!/usr/bin/env bash
# `taskc check` on N generated tasks against importing the same registry
# written as the seed's Python module, side by side. Python is timed cold
# (no bytecode cache: what importing an edited registry costs) and warm
# (.pyc cached: nothing is compiled, and nothing is validated either).
#
# usage: scripts/compare-python.sh [N]     (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=target/compare-python
rm -rf "$work"
cargo build --quiet --release --examples --bin taskc
./target/release/examples/gen_corpus "$n" "$work/tasks" >/dev/null
./target/release/taskc compile "$work/tasks" -o "$work/spec.json"
python3 scripts/python_registry.py "$work/spec.json" "$work/py"
# Freshly written files are still being flushed to disk for a while, which
# slows whatever reads them first (measured: +50% on taskc check); flush now.
sync

best() {  # best wall time of 5 runs of a command, in seconds
  python3 - "$@" <<'PY'
import subprocess, sys, time
times = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
print(f"{min(times):.3f}")
PY
}

taskc_s=$(best ./target/release/taskc check "$work/tasks")
cold_s=$(best env PYTHONDONTWRITEBYTECODE=1 python3 -B -c "import sys; sys.path.insert(0, '$work/py'); import tasks; assert len(tasks.TASKS) == $n")
# Write the bytecode cache (some machines set PYTHONDONTWRITEBYTECODE).
env -u PYTHONDONTWRITEBYTECODE python3 -c "import sys; sys.path.insert(0, '$work/py'); import tasks"
warm_s=$(best env -u PYTHONDONTWRITEBYTECODE python3 -c "import sys; sys.path.insert(0, '$work/py'); import tasks; assert len(tasks.TASKS) == $n")
bytes=$(cat "$work"/tasks/*.task | wc -c)
python3 - "$n" "$bytes" "$taskc_s" "$cold_s" "$warm_s" <<'PY'
import sys
n, size, t, cold, warm = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:])
print(f"tasks: {n}   .task bytes: {size / 1e6:.1f} MB")
print(f"taskc check           {t:7.3f} s   {size / 1e6 / t:6.1f} MB/s   {n / t:8.0f} tasks/s")
print(f"python import (cold)  {cold:7.3f} s   taskc is {cold / t:5.1f}x faster")
print(f"python import (warm)  {warm:7.3f} s   taskc is {warm / t:5.1f}x faster (cached bytecode, no validation)")
PY
