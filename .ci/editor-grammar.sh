#!/usr/bin/env bash
# The VS Code extension's TextMate grammar against its annotated samples
# (editors/vscode/tests/*.task), with vscode-tmgrammar-test from npm,
# installed under target/ (the machine's Node.js and npm).
set -euo pipefail
cd "$(dirname "$0")/.."

tools=target/tmgrammar
version=0.1.3
if [ ! -x "$tools/node_modules/.bin/vscode-tmgrammar-test" ] || [ "$(cat "$tools/version" 2>/dev/null)" != "$version" ]; then
  rm -rf "$tools"
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" "vscode-tmgrammar-test@$version"
  echo "$version" >"$tools/version"
fi
"$tools/node_modules/.bin/vscode-tmgrammar-test" --config editors/vscode/package.json \
  "editors/vscode/tests/*.task"
