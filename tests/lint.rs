//! Lint fixtures and outputs: each `tests/fixtures/lint/<CODE>.task` reports
//! exactly the codes annotated on its lines (`#~ CODE`); every rule has a
//! fixture and a doc; the human, JSON, GitHub and SARIF renderings are
//! snapshotted; the CLI's lint, rules and explain work end to end.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use taskc::compile::{compile_with, Compilation};
use taskc::lint::{self, Config, RULES};
use taskc::source::{self, FileId, Sources};

/// Compiles a lint fixture with every shipped file (so shared declarations
/// are used), unless it is standalone; returns the fixture's file id.
fn compile(fixture: &Path) -> (Sources, Compilation, FileId) {
    let text = std::fs::read_to_string(fixture).expect("fixture");
    let mut paths = Vec::new();
    if !text.starts_with("# fixture: standalone") {
        paths = source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/");
    }
    paths.push(fixture.to_path_buf());
    let (sources, read) = source::read_files(&paths).expect("readable");
    let compilation = compile_with(&sources, read);
    let id = FileId(sources.files.len() - 1);
    (sources, compilation, id)
}

fn lint_fixture(fixture: &Path) -> (Sources, Vec<taskc::Diagnostic>) {
    let (sources, compilation, id) = compile(fixture);
    assert!(
        compilation.diagnostics.is_empty(),
        "{} does not compile cleanly: {:?}",
        fixture.display(),
        compilation.diagnostics
    );
    let found = lint::lint(&sources, &compilation, &Config::default())
        .into_iter()
        .filter(|d| d.file == id)
        .collect();
    (sources, found)
}

fn annotations(text: &str) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find("#~ ") {
            for code in line[at + 3..].split_whitespace() {
                out.insert((i + 1, code.to_owned()));
            }
        }
    }
    out
}

fn fixture(code: &str) -> PathBuf {
    PathBuf::from(format!("tests/fixtures/lint/{code}.task"))
}

#[test]
fn every_rule_has_a_doc_and_a_fixture_that_fires() {
    for rule in RULES {
        let path = fixture(rule.code);
        assert!(
            path.exists(),
            "{} has no fixture {}",
            rule.code,
            path.display()
        );
        let (_, found) = lint_fixture(&path);
        assert!(
            found.iter().any(|d| d.code == rule.code),
            "{} never fires",
            rule.code
        );
    }
}

#[test]
fn lint_fixtures_report_exactly_their_annotations() {
    let mut failures = Vec::new();
    for rule in RULES {
        let path = fixture(rule.code);
        let (sources, found) = lint_fixture(&path);
        let expected = annotations(&std::fs::read_to_string(&path).expect("fixture"));
        let actual: BTreeSet<(usize, String)> = found
            .iter()
            .map(|d| {
                (
                    sources.get(d.file).line_col(d.span.start).0,
                    d.code.to_owned(),
                )
            })
            .collect();
        if expected != actual {
            failures.push(format!(
                "{}\n  annotated {expected:?}\n  reported  {actual:?}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lint_renderings() {
    common::with_snapshots(|| {
        for rule in RULES {
            let (sources, found) = lint_fixture(&fixture(rule.code));
            let rendered: String = found
                .iter()
                .map(|d| taskc::report::human(&sources, d))
                .collect();
            insta::assert_snapshot!(rule.code, rendered);
        }
    });
}

#[test]
fn machine_formats_of_one_multi_diagnostic_fixture() {
    let (sources, found) = lint_fixture(&fixture("L001"));
    assert!(found.len() >= 3);
    let json = taskc::report::json(&sources, &found);
    let github = taskc::report::github(&sources, &found);
    let sarif = taskc::report::sarif(&sources, &found);
    for entry in json.as_array().expect("array") {
        for key in [
            "code",
            "severity",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
        ] {
            assert!(!entry[key].is_null(), "{key} missing in {entry}");
        }
    }
    for line in github.lines() {
        assert!(
            line.starts_with("::warning file=tests/fixtures/lint/L001.task,line="),
            "{line}"
        );
        assert!(
            line.contains(",col=") && line.contains(",title=L001::"),
            "{line}"
        );
    }
    check_sarif(&sarif, found.len());
    common::with_snapshots(|| {
        insta::assert_json_snapshot!("format_json", json);
        insta::assert_snapshot!("format_github", github);
        let mut stable = sarif.clone();
        stable["runs"][0]["tool"]["driver"]["version"] = "VERSION".into();
        insta::assert_json_snapshot!("format_sarif", stable);
    });
}

/// The parts of SARIF 2.1.0 that code-scanning tools require.
fn check_sarif(sarif: &serde_json::Value, results: usize) {
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(
        rules.len(),
        taskc::Code::ALL.len() + RULES.len(),
        "one rule per code"
    );
    for rule in rules {
        assert!(rule["id"].is_string() && rule["help"]["text"].is_string());
    }
    let found = run["results"].as_array().expect("results");
    assert_eq!(found.len(), results);
    for r in found {
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().expect("line") >= 1);
        assert!(region["startColumn"].as_u64().expect("column") >= 1);
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
    }
}

fn taskc(args: &[&str], dir: Option<&Path>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_taskc"));
    cmd.args(args);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.output().expect("runs")
}

#[test]
fn lint_on_shipped_tasks_exits_0_in_every_format() {
    for format in ["human", "json", "github", "sarif"] {
        let out = taskc(&["lint", "tasks", "--format", format], None);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        match format {
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
                for d in v.as_array().expect("array") {
                    assert!(d["file"].is_string() && d["line"].is_u64() && d["column"].is_u64());
                }
            }
            "sarif" => {
                let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
                let n = v["runs"][0]["results"].as_array().expect("results").len();
                check_sarif(&v, n);
            }
            "github" => {
                for line in stdout.lines() {
                    assert!(line.starts_with("::warning file=tasks/"), "{line}");
                }
            }
            _ => assert!(stdout.starts_with("ok: 4 tasks in 6 files, 0 errors")),
        }
    }
}

#[test]
fn deny_warnings_fails_and_deny_a_rule_makes_errors() {
    let out = taskc(&["lint", "tasks", "--deny", "warnings"], None);
    assert_eq!(out.status.code(), Some(1));
    let out = taskc(
        &["lint", "tasks", "--deny", "L001", "--format", "json"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v
        .as_array()
        .expect("array")
        .iter()
        .all(|d| d["severity"] == "error"));
    let out = taskc(&["lint", "tasks", "--deny", "L999"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn taskc_toml_is_found_upwards_and_a_bad_one_is_located() {
    let root = std::env::temp_dir().join(format!("taskc-lint-{}", std::process::id()));
    let nested = root.join("a/b");
    std::fs::create_dir_all(&nested).expect("dirs");
    let tasks = std::fs::canonicalize("tasks").expect("tasks");
    std::fs::write(
        root.join("taskc.toml"),
        format!(
            "[lint]\npaths = [\"{}\"]\n\n[lint.rules]\nredundant-alternative = \"allow\"\n",
            tasks.display()
        ),
    )
    .expect("write");
    // Found from a nested folder; the paths and the level apply.
    let out = taskc(&["lint"], Some(&nested));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout)
        .starts_with("ok: 4 tasks in 6 files, 0 errors, 0 warnings"));

    std::fs::write(
        root.join("taskc.toml"),
        "[lint.rules]\nL01 = \"allow\"\nL002 = \"warm\"\n",
    )
    .expect("write");
    let out = taskc(
        &["lint", tasks.to_str().expect("utf-8"), "--format", "json"],
        Some(&nested),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let config_errors: Vec<&serde_json::Value> = v
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "E0901")
        .collect();
    assert_eq!(config_errors.len(), 2, "{v}");
    assert!(config_errors[0]["file"]
        .as_str()
        .expect("file")
        .ends_with("taskc.toml"));
    assert_eq!(config_errors[0]["line"], 2);
    assert!(config_errors[0]["help"]
        .as_str()
        .expect("help")
        .contains("L001"));
    assert!(config_errors[1]["help"]
        .as_str()
        .expect("help")
        .contains("warn"));

    std::fs::write(root.join("taskc.toml"), "[lint\n").expect("write");
    let out = taskc(&["lint", tasks.to_str().expect("utf-8")], Some(&nested));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("taskc.toml:1:"));
    std::fs::remove_dir_all(&root).ok();
}

#[test]
fn explain_works_for_every_code_that_rules_lists() {
    let out = taskc(&["rules"], None);
    assert_eq!(out.status.code(), Some(0));
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    let codes: Vec<&str> = listing
        .lines()
        .map(|l| l.split_whitespace().next().expect("code"))
        .collect();
    assert_eq!(codes.len(), taskc::Code::ALL.len() + RULES.len());
    for code in codes {
        let out = taskc(&["explain", code], None);
        assert_eq!(out.status.code(), Some(0), "{code}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with(code) && text.len() > 60, "{code}: {text}");
        // Every explanation shows an erroneous example and its fix, as
        // fenced blocks after their headings, with no line indented by the
        // doc-comment space explain once leaked.
        let example = text.find("## Example\n\n```").expect("an example");
        let fix = text.find("## Fix\n\n```").expect("a fix");
        assert!(example < fix, "{code}");
        let mut in_code = false;
        for line in text.lines() {
            if line.starts_with("```") {
                in_code = !in_code;
            } else if !in_code {
                assert!(!line.starts_with(' '), "{code}: indented prose `{line}`");
            }
        }
    }
    let out = taskc(&["explain", "L01"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean"));
}
