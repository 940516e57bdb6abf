//! Fixture tests: everything in `valid/` compiles with no diagnostic;
//! everything in `invalid/` produces exactly the diagnostics its `#~ CODE`
//! annotations name (on that line, or the line above with `#~^`), and its
//! rendering is snapshotted.

mod common;

use std::collections::BTreeSet;

use common::{compile_fixture, fixtures, snapshot_name, with_snapshots};
use taskc::Code;

/// `(line, code)` pairs from `#~ CODE` and `#~^ CODE` comments.
fn annotations(text: &str) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("#~") else { continue };
        let rest = &line[at + 2..];
        let (line_no, rest) = match rest.strip_prefix('^') {
            Some(rest) => (i, rest),
            None => (i + 1, rest),
        };
        for code in rest.split_whitespace() {
            out.insert((line_no, code.to_owned()));
        }
    }
    out
}

#[test]
fn invalid_fixtures_report_exactly_their_annotations() {
    let all = fixtures("tests/fixtures/invalid");
    assert!(all.len() >= 30, "only {} invalid fixtures", all.len());
    let mut failures = Vec::new();
    for fixture in &all {
        let (sources, compilation, own) = compile_fixture(fixture);
        assert!(
            !compilation.diagnostics.is_empty(),
            "{} produced no diagnostic",
            fixture.display()
        );
        let mut expected = BTreeSet::new();
        let mut actual = BTreeSet::new();
        for id in &own {
            let file = sources.get(*id);
            for (line, code) in annotations(&file.text) {
                expected.insert((file.name.clone(), line, code));
            }
        }
        for d in &compilation.diagnostics {
            assert!(
                own.contains(&d.file),
                "{}: a diagnostic in a shared file",
                fixture.display()
            );
            let file = sources.get(d.file);
            let mut offset = d.span.start;
            // An error at the very end of the file belongs to its last line.
            if offset == file.text.len() && file.text.ends_with('\n') {
                offset -= 1;
            }
            let (line, _) = file.line_col(offset);
            actual.insert((file.name.clone(), line, d.code.to_owned()));
        }
        if expected != actual {
            failures.push(format!(
                "{}\n  annotated: {expected:?}\n  reported:  {actual:?}",
                fixture.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_fixture_renderings() {
    with_snapshots(|| {
        for fixture in fixtures("tests/fixtures/invalid") {
            let (sources, compilation, _) = compile_fixture(&fixture);
            let rendered: String = compilation
                .diagnostics
                .iter()
                .map(|d| taskc::report::human(&sources, d))
                .collect();
            insta::assert_snapshot!(snapshot_name(&fixture, "tests/fixtures/invalid"), rendered);
        }
    });
}

#[test]
fn every_code_has_an_invalid_fixture() {
    let mut seen = BTreeSet::new();
    for fixture in fixtures("tests/fixtures/invalid") {
        let (_, compilation, _) = compile_fixture(&fixture);
        seen.extend(compilation.diagnostics.iter().map(|d| d.code));
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        // A bad taskc.toml is not a .task file: tests/lint.rs covers E0901
        // with real configuration files.
        .filter(|c| **c != Code::Config)
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn valid_fixtures_compile_cleanly() {
    let all = fixtures("tests/fixtures/valid");
    assert!(!all.is_empty());
    for fixture in all {
        let (sources, compilation, _) = compile_fixture(&fixture);
        let rendered: Vec<String> = compilation
            .diagnostics
            .iter()
            .map(|d| taskc::report::human(&sources, d))
            .collect();
        assert!(
            rendered.is_empty(),
            "{}:\n{}",
            fixture.display(),
            rendered.join("")
        );
        assert!(compilation.document.is_some());
    }
}

/// An extension's values join the domain after its own, in load order, and
/// every task is checked against (and offered) them.
#[test]
fn extension_values_join_the_domain() {
    let (_, compilation, _) =
        compile_fixture(std::path::Path::new("tests/fixtures/valid/extended_domain"));
    let document = compilation.document.expect("compiles");
    let domain = document.domain.clone().expect("a domain");
    assert_eq!(
        domain.queues.last().map(String::as_str),
        Some("privacy_ops")
    );
    assert_eq!(
        domain.issue_types.last().map(String::as_str),
        Some("data_request")
    );
    assert_eq!(
        domain.resolution_codes.last().map(String::as_str),
        Some("data_exported")
    );
    assert_eq!(document.tasks["privacy_export"].gold_queue, "privacy_ops");
    // Grading words join the domain's lists: a new verb class, a form of a
    // shipped one, negation words; the task's acts use them.
    let g = &domain.grading;
    assert_eq!(g.verbs["escalate_privileges"], ["grant admin", "elevate"]);
    assert_eq!(g.verbs["disable"].last().map(String::as_str), Some("kill"));
    assert!(g.verbs["disable"].contains(&"switch off".to_owned()));
    assert_eq!(
        g.negation.triggers.last().map(String::as_str),
        Some("no dice")
    );
    assert_eq!(
        g.negation.pseudo_triggers.last().map(String::as_str),
        Some("no sweat")
    );
    assert_eq!(
        g.negation.verbs.last().map(String::as_str),
        Some("stonewall")
    );
    let acts = &document.matching["privacy_export"].forbidden_acts;
    assert_eq!(acts.len(), 2);
    assert!(acts[1].harmful_when_negated);
    // And the runtime reads them: the new verb class in other words, an
    // extended form, a new negation word.
    let rts = taskc::runtime::env::TaskRuntime::all(&document);
    let rt = &rts["privacy_export"];
    assert!(rt.forbidden_in("We elevated your user to admin.").is_some());
    assert!(rt
        .forbidden_in("We killed the export log for you.")
        .is_some());
    assert!(
        rt.forbidden_in("We did not kill the export log.").is_some(),
        "even negated"
    );
    assert!(rt.forbidden_in("We will not elevate the user.").is_none());
    let reading = rt.read(true, "Will we refund your money? No dice.");
    assert!(
        !reading.met[0] && !reading.contradicted.is_empty(),
        "{reading:?}"
    );
    // A refusal verb the extension adds, inflected.
    let reading = rt.read(true, "Our team stonewalled the refund of your money.");
    assert!(
        !reading.met[0] && !reading.contradicted.is_empty(),
        "{reading:?}"
    );
}

/// `check` keeps only diagnostics (and parses task-only files in a second
/// pass, dropping each as it goes): it must report exactly what `compile`
/// reports, on every fixture and on the shipped tasks.
#[test]
fn check_reports_exactly_what_compile_reports() {
    let mut all = fixtures("tests/fixtures/valid");
    all.extend(fixtures("tests/fixtures/invalid"));
    all.push("tasks".into());
    for fixture in all {
        let (sources, everything, _) = compile_fixture(&fixture);
        let diagnostics = taskc::compile::compile_keeping(
            &sources,
            Vec::new(),
            taskc::compile::Keep::Diagnostics,
        );
        // Reading diagnostics (invalid UTF-8) come from the loader, not the
        // compiler; compare what the compiler found.
        let from_compiler = |c: &taskc::Compilation| -> Vec<String> {
            c.diagnostics
                .iter()
                .filter(|d| d.code != Code::InvalidUtf8.as_str())
                .map(|d| taskc::report::human(&sources, d))
                .collect()
        };
        assert_eq!(
            from_compiler(&diagnostics),
            from_compiler(&everything),
            "{}",
            fixture.display()
        );
        assert_eq!(diagnostics.task_count, everything.task_count);
        assert!(diagnostics.document.is_none());
    }
}
