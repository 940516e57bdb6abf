#!/usr/bin/env bash
# The stock openenv-core client against `taskc serve` (OPENENV.md's lean
# install, in a virtualenv under target/). Needs target/release/taskc.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/openenv-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps openenv-core==0.3.0
  "$venv/bin/pip" install --quiet --disable-pip-version-check websockets pydantic fastapi requests "fastmcp>=3,<4"
fi

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
"$venv/bin/python" tests/clients/openenv_client.py --url "$url" --taskc target/release/taskc \
  --max-sessions "$max_sessions" || status=$?
kill -TERM "$server"
wait "$server" || { echo "taskc serve did not shut down cleanly"; status=1; }
trap - EXIT
exit "$status"
