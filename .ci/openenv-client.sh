#!/usr/bin/env bash
# The stock openenv-core clients against `taskc serve`: the plain client,
# the tool-calling client, and `openenv validate --url` (OPENENV.md's lean
# install plus what the package's CLI imports, in a virtualenv under
# target/). Needs target/release/taskc.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/openenv-venv
.ci/openenv-venv.sh

max_sessions=4
log=target/serve.log
target/release/taskc serve --port 0 --max-sessions "$max_sessions" >target/serve.out 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on \(http:\/\/.*\)$/\1/p' target/serve.out)
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "taskc serve did not start"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "taskc serve did not report its address"; exit 1; }

status=0
for client in openenv_client openenv_tools; do
  echo "-- tests/clients/$client.py"
  "$venv/bin/python" "tests/clients/$client.py" --url "$url" --taskc target/release/taskc \
    --max-sessions "$max_sessions" || status=$?
done
kill -TERM "$server"
wait "$server" || { echo "taskc serve did not shut down cleanly"; status=1; }
trap - EXIT
exit "$status"
