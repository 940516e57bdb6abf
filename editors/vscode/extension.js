// Starts `taskc lsp` for .task files (the path is the `taskc.path` setting).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate() {
  const command = vscode.workspace.getConfiguration("taskc").get("path") || "taskc";
  client = new LanguageClient(
    "taskc",
    "taskc",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "task" }] },
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
