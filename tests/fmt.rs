//! `taskc fmt` from the command line: `--check` and `--diff` change
//! nothing and exit 1 when a file would change, `-` formats standard input,
//! a file with a syntax error is left as it is (exit 1, diagnostics), and
//! `taskc.toml` sets the width. (The formatter's own invariants are unit
//! tests of `syntax::format`.)

mod common;

use std::path::Path;
use std::process::Output;

fn taskc_in(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    common::taskc_with_input_in(env!("CARGO_BIN_EXE_taskc"), dir, args, input)
}

const MESSY: &str = "domain d {\n\tqueues a,b\n      priorities low\n}\n";
const TIDY: &str = "domain d {\n  queues     a, b\n  priorities low\n}\n";

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("taskc-fmt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tasks")).expect("a scratch folder");
    dir
}

#[test]
fn check_and_diff_change_nothing_and_fail_when_a_file_would_change() {
    let dir = scratch("check");
    let file = dir.join("tasks/d.task");
    std::fs::write(&file, MESSY).expect("written");
    let check = taskc_in(&dir, &["fmt", "--check"], b"");
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "would reformat tasks/d.task\n"
    );
    let diff = taskc_in(&dir, &["fmt", "--diff", "tasks"], b"");
    assert_eq!(diff.status.code(), Some(1));
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.starts_with("--- tasks/d.task\n+++ tasks/d.task\n"),
        "{text}"
    );
    assert!(
        text.contains("-\tqueues a,b\n") && text.contains("+  queues     a, b\n"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), MESSY);

    let write = taskc_in(&dir, &["fmt"], b"");
    assert_eq!(write.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), TIDY);
    let again = taskc_in(&dir, &["fmt", "--check"], b"");
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn standard_input_goes_to_standard_output() {
    let dir = scratch("stdin");
    let out = taskc_in(&dir, &["fmt", "-"], MESSY.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), TIDY);
    // CRLF throughout stays CRLF; a BOM goes.
    let crlf = format!("\u{feff}{}", MESSY.replace('\n', "\r\n"));
    let out = taskc_in(&dir, &["fmt", "-"], crlf.as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        TIDY.replace('\n', "\r\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_with_a_syntax_error_is_left_as_it_is() {
    let dir = scratch("broken");
    let broken = "domain d {\n  queues a,, b\n";
    let file = dir.join("tasks/broken.task");
    std::fs::write(&file, broken).expect("written");
    std::fs::write(dir.join("tasks/d.task"), MESSY).expect("written");
    let out = taskc_in(&dir, &["fmt"], b"");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("E0002") && stderr.contains("1 file was not formatted"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), broken);
    // The other file is formatted all the same.
    assert_eq!(
        std::fs::read_to_string(dir.join("tasks/d.task")).expect("read"),
        TIDY
    );
    let stdin = taskc_in(&dir, &["fmt", "-"], broken.as_bytes());
    assert_eq!(stdin.status.code(), Some(1));
    assert!(stdin.stdout.is_empty());
    let not_utf8 = taskc_in(&dir, &["fmt", "-"], b"domain d { queues \xff }\n");
    assert_eq!(not_utf8.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&not_utf8.stderr).contains("not UTF-8"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn taskc_toml_sets_the_width() {
    let dir = scratch("width");
    let long = format!(
        "domain d {{\n  fields {}\n}}\n",
        (0..12)
            .map(|i| format!("field_{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(dir.join("taskc.toml"), "[fmt]\nwidth = 40\n").expect("written");
    let out = taskc_in(&dir, &["fmt", "-"], long.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().all(|l| l.len() <= 40), "{text}");
    assert!(text.lines().count() > 4, "{text}");
    std::fs::write(dir.join("taskc.toml"), "[fmt]\nwidth = 5\n").expect("written");
    let bad = taskc_in(&dir, &["fmt", "-"], long.as_bytes());
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("from 40 to 400"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_shipped_tasks_are_formatted() {
    let out = taskc_in(Path::new("."), &["fmt", "--check", "tasks"], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
