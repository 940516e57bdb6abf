#!/usr/bin/env bash
# `taskc lsp` driven by a real LSP client: pytest-lsp, in a virtualenv
# under target/ (redone when the package list changes). Needs
# target/release/taskc.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/lsp-venv
packages="pytest-lsp==1.0.1"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/taskc-packages" 2>/dev/null)" != "$packages" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check $packages
  echo "$packages" >"$venv/taskc-packages"
fi

TASKC="$PWD/target/release/taskc" "$venv/bin/python" -m pytest -c tests/clients/pytest.ini \
  --rootdir tests/clients -q -p no:cacheprovider tests/clients/test_lsp.py
