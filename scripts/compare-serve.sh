#!/usr/bin/env bash
# `taskc serve` against the same environment written in Python behind
# openenv-core's FastAPI app (scripts/python_openenv_server.py, uvicorn, one
# process as openenv's templates run it), side by side: one load generator
# (examples/loadgen.rs --url) plays the shipped tasks' gold episodes over
# WebSocket sessions on each server in turn, then the ratios.
#
# usage: scripts/compare-serve.sh [SESSIONS] [SECONDS]   (default 1,16,64,256 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
sessions=${1:-1,16,64,256}
seconds=${2:-5}
work=target/compare-serve
rm -rf "$work" && mkdir -p "$work"
cargo build --quiet --release --bin taskc --example loadgen
.ci/openenv-venv.sh
./target/release/taskc compile tasks -o "$work/spec.json"
max=$(echo "$sessions" | tr ',' '\n' | sort -n | tail -1)

servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true' EXIT
wait_for_address() {  # the `listening on http://...` line of a server's stdout
  for _ in $(seq 1 200); do
    url=$(sed -n 's/^listening on http:\/\/\(.*\)$/\1/p' "$1")
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.05
  done
  echo "the server did not start; see ${1%.out}.err" >&2
  exit 1
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/openenv-venv/bin/python scripts/python_openenv_server.py "$work/spec.json" "$port" \
  >"$work/python.out" 2>"$work/python.err" &
servers+=($!)
python_addr=$(wait_for_address "$work/python.out")
./target/release/taskc probe --format json >"$work/probe.jsonl"
target/openenv-venv/bin/python scripts/check_python_baseline.py "$work/spec.json" "$work/probe.jsonl" "ws://$python_addr/ws"
echo "== Python: openenv-core $(target/openenv-venv/bin/pip show openenv-core | sed -n 's/^Version: //p') on uvicorn, at $python_addr"
./target/release/examples/loadgen --url "ws://$python_addr/ws" --sessions "$sessions" --seconds "$seconds" \
  | tee "$work/python.md"
kill "${servers[@]}"; servers=()

./target/release/taskc serve --port 0 --max-sessions $((max + 44)) >"$work/taskc.out" 2>"$work/taskc.err" &
servers+=($!)
taskc_addr=$(wait_for_address "$work/taskc.out")
echo "== taskc serve at $taskc_addr"
./target/release/examples/loadgen --url "ws://$taskc_addr/ws" --sessions "$sessions" --seconds "$seconds" \
  | tee "$work/taskc.md"

python3 - "$work/python.md" "$work/taskc.md" <<'PY'
import sys
def rows(path):
    out = {}
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            out[int(cells[0])] = (float(cells[1]), float(cells[3]))
    return out
py, rs = rows(sys.argv[1]), rows(sys.argv[2])
print("\n| sessions | Python steps/s | taskc steps/s | taskc is | Python p99 ms | taskc p99 ms |")
print("|---:|---:|---:|---:|---:|---:|")
for n in sorted(py):
    if n in rs:
        print(f"| {n} | {py[n][0]:.0f} | {rs[n][0]:.0f} | {rs[n][0] / py[n][0]:.1f}x | {py[n][1]:.2f} | {rs[n][1]:.2f} |")
PY
