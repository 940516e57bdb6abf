//! Diagnostics → output: for people ([`human`], in `human.rs`) and for
//! machines (JSON, GitHub workflow commands, SARIF 2.1.0). Every
//! machine-readable entry carries code, file, line and column (1-based,
//! columns in characters) and the end of its span.

mod human;

pub use human::human;

use serde::Serialize;
use serde_json::{json, Value};

use crate::catalog;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Sources;

/// A diagnostic with its location resolved to lines and columns.
#[derive(Clone, Debug, Serialize)]
pub struct Located {
    pub code: String,
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

pub fn locate(sources: &Sources, d: &Diagnostic) -> Located {
    let file = sources.get(d.file);
    let (line, column) = file.line_col(d.span.start);
    let (end_line, end_column) = file.line_col(d.span.end);
    Located {
        code: d.code.to_owned(),
        severity: d.severity,
        file: file.name.clone(),
        line,
        column,
        end_line,
        end_column,
        message: d.message.clone(),
        label: d.label.clone(),
        help: d.help.clone(),
    }
}

/// A JSON array of located diagnostics.
pub fn json(sources: &Sources, diagnostics: &[Diagnostic]) -> Value {
    Value::Array(
        diagnostics
            .iter()
            .map(|d| serde_json::to_value(locate(sources, d)).expect("plain data serializes"))
            .collect(),
    )
}

/// GitHub Actions workflow commands, one per line:
/// `::warning file=F,line=L,col=C,endLine=..,endColumn=..,title=CODE::message`.
pub fn github(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let l = locate(sources, d);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = l.message.clone();
        if let Some(help) = &l.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&l.file),
            l.line,
            l.column,
            l.end_line,
            l.end_column,
            escape_property(&l.code),
            escape_data(&message),
        ));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log with one run of `taskc`, one rule per code.
pub fn sarif(sources: &Sources, diagnostics: &[Diagnostic]) -> Value {
    let rules = catalog::entries();
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|e| {
            let meaning = catalog::section(e.page, "What it means").unwrap_or_default();
            let mut value = json!({
                "id": e.code,
                "shortDescription": { "text": e.summary() },
                "fullDescription": { "text": catalog::one_line(meaning) },
                "help": {
                    "text": catalog::one_line(&format!(
                        "{} {}",
                        meaning,
                        catalog::section(e.page, "Why").unwrap_or_default()
                    )),
                    "markdown": e.page,
                },
                "defaultConfiguration": { "level": match e.level {
                    "allow" => "none",
                    level => level,
                } },
            });
            if let Some(name) = e.name {
                value["name"] = json!(name);
            }
            value
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let l = locate(sources, d);
            let index = rules.iter().position(|e| e.code == l.code).unwrap_or(0);
            let mut text = l.message.clone();
            if let Some(help) = &l.help {
                text.push_str(&format!(" (help: {help})"));
            }
            json!({
                "ruleId": l.code,
                "ruleIndex": index,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": l.file.replace('\\', "/") },
                        "region": {
                            "startLine": l.line,
                            "startColumn": l.column,
                            "endLine": l.end_line,
                            "endColumn": l.end_column,
                        }
                    }
                }]
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "taskc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rule_values,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}
