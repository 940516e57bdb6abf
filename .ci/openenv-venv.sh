#!/usr/bin/env bash
# The virtualenv with the stock openenv-core (OPENENV.md's lean install plus
# what the package's CLI imports) under target/openenv-venv, made or redone
# when the package list changes. Used by .ci/openenv-client.sh and
# scripts/compare-serve.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/openenv-venv
# An existing virtualenv is redone when this list changes.
packages="openenv-core==0.3.0; websockets pydantic fastapi requests fastmcp>=3,<4; cli: typer tomli tomli-w huggingface_hub rich openai; openapi-spec-validator"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/taskc-packages" 2>/dev/null)" != "$packages" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
  "${pip[@]}" --no-deps openenv-core==0.3.0
  "${pip[@]}" websockets pydantic fastapi requests "fastmcp>=3,<4"
  # What `openenv validate` (the package's CLI) imports.
  "${pip[@]}" typer tomli tomli-w huggingface_hub rich openai
  # Checks that GET /openapi.json is a valid OpenAPI document.
  "${pip[@]}" openapi-spec-validator
  echo "$packages" >"$venv/taskc-packages"
fi
