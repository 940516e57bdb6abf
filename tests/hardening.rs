//! Regression tests for the hardening findings (issue 17) that do not need a
//! running server: floors that see through every invisible character,
//! linear node checks and walk normalization, bounded did-you-mean, and the
//! CLI's handling of hostile inputs (FIFOs, endless action streams, invalid
//! UTF-8 lines, a project with no tasks). Each is bounded in time and memory.

mod common;

use std::path::PathBuf;
use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::json;
use taskc::runtime::tree::{self, Validator};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

static VALIDATOR: LazyLock<Validator> = LazyLock::new(validator);
static INVISIBLE: LazyLock<Vec<char>> = LazyLock::new(invisible_chars);

fn validator() -> Validator {
    Validator::new(&common::shipped_document(), "l1").expect("the l1 policy")
}

/// Every control and format character, and the other default-ignorable code
/// points, except the ASCII whitespace that visibly separates words.
fn invisible_chars() -> Vec<char> {
    let ignorable = [
        0x034F..=0x034F,
        0x115F..=0x1160,
        0x17B4..=0x17B5,
        0x180B..=0x180F,
        0x3164..=0x3164,
        0xFE00..=0xFE0F,
        0xFFA0..=0xFFA0,
        0xFFF0..=0xFFF8,
        0xE0000..=0xE0FFF,
    ];
    (0..=0x10FFFFu32)
        .filter_map(char::from_u32)
        .filter(|c| {
            let category = matches!(
                c.general_category(),
                GeneralCategory::Control | GeneralCategory::Format
            );
            let listed = ignorable.iter().any(|r| r.contains(&(*c as u32)));
            (category || listed) && !(c.is_ascii_whitespace() || *c == '\u{0B}')
        })
        .collect()
}

fn rejected(v: &Validator, text: &str) -> bool {
    !v.check_node(&json!({"node_type": "instruction", "text": text}))
        .accepted
}

#[test]
fn every_invisible_character_inside_a_floor_word_is_seen_through() {
    let (v, chars) = (&*VALIDATOR, &*INVISIBLE);
    assert!(chars.len() > 4000, "{}", chars.len());
    let missed: Vec<String> = chars
        .iter()
        .filter(|c| !rejected(v, &format!("Run su{c}do now")))
        .map(|c| format!("U+{:04X}", *c as u32))
        .collect();
    assert!(missed.is_empty(), "accepted with {missed:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn invisible_characters_anywhere_in_a_floor_phrase_are_seen_through(
        picks in prop::collection::vec((0usize..10_000, 0usize..4), 1..6),
    ) {
        let (v, chars) = (&*VALIDATOR, &*INVISIBLE);
        let mut word: Vec<char> = "regedit".chars().collect();
        for (which, at) in picks {
            let at = 1 + at % (word.len() - 1);
            word.insert(at, chars[which % chars.len()]);
        }
        let text: String = word.into_iter().collect();
        prop_assert!(rejected(v, &format!("Open {text} now")), "{:?}", text);
    }
}

#[test]
fn a_huge_text_full_of_floor_phrases_is_checked_in_one_pass_with_a_bounded_report() {
    let v = &*VALIDATOR;
    // 1 MiB of `sudo `: 209,715 violations; the report lists the first 100.
    let text = "sudo ".repeat((1 << 20) / 5);
    let report = v.check_node(&json!({"node_type": "instruction", "text": text}));
    assert!(!report.accepted);
    assert_eq!(report.violations.len(), tree::MAX_REPORTED_VIOLATIONS);
    assert_eq!(report.violations.len() + report.omitted, (1 << 20) / 5);
    let json = serde_json::to_string(&report).expect("serializes");
    assert!(json.len() < 64 * 1024, "{} bytes", json.len());
    // Offsets are characters, counted forward through non-ASCII text too.
    let text = "é sudo ".repeat(1000);
    let report = v.check_node(&json!({"node_type": "instruction", "text": text}));
    let value = serde_json::to_value(&report).expect("serializes");
    let chars: Vec<char> = text.chars().collect();
    for violation in value["violations"].as_array().expect("violations") {
        let (start, end) = (
            violation["start"].as_u64().expect("start") as usize,
            violation["end"].as_u64().expect("end") as usize,
        );
        let at: String = chars[start..end].iter().collect();
        assert_eq!(at, violation["matched"].as_str().expect("matched"));
    }
    assert_eq!(value["omitted"], json!(1000 - 100));
}

#[test]
fn huge_walks_are_normalized_or_refused_in_linear_time() {
    // 349,525 empty steps (a 1 MiB body): refused at step 0.
    let walk = serde_json::Value::Array(vec![json!({}); 349_525]);
    let error = tree::normalize(&walk).expect_err("refused");
    assert_eq!(error.step, 0);
    // 100,000 instructions with distinct ids: normalized.
    let walk: Vec<_> = (0..100_000)
        .map(|i| json!({"id": format!("s{i}"), "node_type": "instruction", "text": "Restart."}))
        .collect();
    let tree = tree::normalize(&json!(walk)).expect("normalizes");
    assert_eq!(tree["nodes"].as_object().expect("nodes").len(), 100_000);
    // The same with a repeated id at the very end: refused, naming it.
    let mut walk = walk;
    walk.push(json!({"id": "s0", "node_type": "instruction", "text": "Again."}));
    assert_eq!(
        tree::normalize(&json!(walk)).expect_err("refused").step,
        100_000
    );
}

#[test]
fn an_episode_keeps_a_bounded_amount_of_text() {
    use taskc::runtime::env::{Episode, TaskRuntime};
    use taskc::spec::Grading;
    const MAX_TEXT_BYTES: usize = Grading::MAX_TEXT_BYTES;
    const MAX_EPISODE_TEXT_BYTES: usize = Grading::MAX_EPISODE_TEXT_BYTES;
    let runtimes = TaskRuntime::all(&common::shipped_document());
    let rt = runtimes.values().next().expect("a task").clone();
    let (mut episode, _) = Episode::reset(rt, None, None);
    // One text over the limit: invalid, and not echoed back.
    let huge = "a".repeat(MAX_TEXT_BYTES + 1);
    let result = episode
        .step(&json!({"action_type": "reply", "message": huge}))
        .expect("a step");
    let error = result.observation.last_action_error.expect("invalid");
    assert!(error.message.contains("at most 16384"), "{}", error.message);
    assert!(result.observation.workspace.replies.is_empty());
    // Texts under the limit until the episode's budget is spent.
    for i in 0..5 {
        let text = "b".repeat(MAX_TEXT_BYTES);
        let result = episode
            .step(&json!({"action_type": "add_note", "text": text}))
            .expect("a step");
        let kept: usize = result
            .observation
            .workspace
            .notes
            .iter()
            .map(String::len)
            .sum();
        assert!(kept <= MAX_EPISODE_TEXT_BYTES, "{kept}");
        let error = result.observation.last_action_error;
        if i < 4 {
            assert!(error.is_none(), "{error:?}");
        } else {
            let error = error.expect("over the budget");
            assert!(
                error.message.contains("keeps at most 65536"),
                "{}",
                error.message
            );
        }
    }
    let frame = serde_json::to_string(&episode.state()).expect("state");
    assert!(frame.len() < 2 * MAX_EPISODE_TEXT_BYTES, "{}", frame.len());
}

/// Runs taskc with `stdin` bytes: (exit code, stdout, stderr).
fn taskc(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let output = common::taskc_with_input(env!("CARGO_BIN_EXE_taskc"), args, stdin);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A fresh folder under the target's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_task_file_is_an_io_error_not_a_hang() {
    let dir = scratch("fifo-project");
    for file in ["supportdesk.task", "l1.task"] {
        std::fs::copy(PathBuf::from("tasks").join(file), dir.join(file)).expect("copies");
    }
    let status = std::process::Command::new("mkfifo")
        .arg(dir.join("z.task"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let dir = dir.to_string_lossy().into_owned();
    for args in [vec!["check", dir.as_str()], vec!["compile", dir.as_str()]] {
        let (code, _, stderr) = taskc(&args, b"");
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
}

#[test]
fn an_endless_action_line_is_refused_with_bounded_memory() {
    // 6 MiB without a line break (as /dev/zero would give forever).
    let endless = vec![b'0'; 6 << 20];
    let (code, stdout, stderr) = taskc(&["run", "billing_refund_easy", "--actions", "-"], &endless);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("line 1 has more than 4 MiB"), "{stderr}");
    // The reset was printed before.
    assert!(stdout.starts_with(r#"{"step":0"#), "{stdout}");
}

#[test]
fn node_lines_are_reported_one_by_one_whatever_one_of_them_holds() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"node_type\":\"instruction\",\"text\":\"Restart it.\"}\n");
    input.extend_from_slice(b"{\"node_type\":\"instruction\",\"text\":\"su\xffdo\"}\n");
    input.extend_from_slice(b"{\"node_type\":\"instruction\",\"text\":\"Run sudo\"}\n");
    let (code, stdout, stderr) = taskc(&["tree", "check-node", "--tasks", "tasks"], &input);
    assert_eq!(code, 2, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[0]["accepted"], json!(true));
    assert!(lines[1]["error"]
        .as_str()
        .expect("an error")
        .contains("not UTF-8"));
    assert_eq!(lines[2]["accepted"], json!(false));
    assert!(
        stderr.contains("1 line of the input is not UTF-8"),
        "{stderr}"
    );
    // A line past the limit stops the input there, with what came before.
    let mut input = b"{\"node_type\":\"instruction\",\"text\":\"Restart it.\"}\n".to_vec();
    input.extend_from_slice(b"{\"node_type\":\"instruction\",\"text\":\"");
    input.extend(std::iter::repeat_n(b'a', 5 << 20));
    input.extend_from_slice(b"\"}\n");
    let (code, stdout, stderr) = taskc(&["tree", "check-node", "--tasks", "tasks"], &input);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.contains(r#""line":1"#), "{stdout}");
    assert!(stderr.contains("line 2 has more than 4 MiB"), "{stderr}");
}

#[test]
fn a_project_of_tree_policies_only_is_one_rule_in_every_command() {
    let dir = scratch("trees-only");
    std::fs::copy("tasks/l1.task", dir.join("l1.task")).expect("copies");
    let dir = dir.to_string_lossy().into_owned();
    let node = br#"{"node_type":"instruction","text":"Restart the router."}"#;
    for args in [
        vec!["check", dir.as_str()],
        vec!["lint", dir.as_str()],
        vec!["compile", dir.as_str()],
        vec!["tree", "check-node", "--tasks", dir.as_str()],
    ] {
        let (code, stdout, stderr) = taskc(&args, node);
        assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
    }
    let (_, compiled, _) = taskc(&["compile", dir.as_str()], b"");
    let compiled: serde_json::Value = serde_json::from_str(&compiled).expect("JSON");
    assert!(compiled.get("domain").is_none(), "{compiled}");
    assert!(compiled["trees"].get("l1").is_some(), "{compiled}");
    // Running a task says what is missing.
    let (code, _, stderr) = taskc(
        &["run", "billing_refund_easy", "--tasks", dir.as_str()],
        b"",
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no task is declared"), "{stderr}");
}

/// A task file `fmt` changes (its indentation is off).
const UNFORMATTED: &str = "markers   greetings {\n  \"hello\"\n}\n";

#[cfg(unix)]
#[test]
fn fmt_keeps_links_owner_and_mode_and_never_follows_a_planted_link() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = scratch("fmt-links");
    let formatted = {
        let (_, out, _) = taskc(&["fmt", "-"], UNFORMATTED.as_bytes());
        assert_ne!(out, UNFORMATTED, "the sample must need formatting");
        out
    };
    // A symlink stays a link; its target is formatted.
    let target = dir.join("target.task");
    let link = dir.join("link.task");
    std::fs::write(&target, UNFORMATTED).expect("write");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    // A hard link: both names see the new text.
    let hard = dir.join("hard.task");
    let other = dir.join("other-name.task");
    std::fs::write(&hard, UNFORMATTED).expect("write");
    std::fs::hard_link(&hard, &other).expect("hard link");
    // A planted link with the old temporary name points at a victim.
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me").expect("write");
    let plain = dir.join("v.task");
    std::fs::write(&plain, UNFORMATTED).expect("write");
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink(&victim, dir.join(".v.task.taskc-fmt")).expect("symlink");
    // Another user's file (when the tests run as root).
    let root = std::fs::metadata(&dir).expect("meta").uid() == 0;
    if root {
        std::os::unix::fs::chown(&plain, Some(65534), Some(65534)).expect("chown");
    }
    let paths: Vec<String> = [&link, &hard, &plain]
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["fmt"];
    args.extend(paths.iter().map(String::as_str));
    let (code, _, err) = taskc(&args, b"");
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(&link)
        .expect("meta")
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).expect("read"), formatted);
    assert_eq!(std::fs::read_to_string(&other).expect("read"), formatted);
    assert_eq!(std::fs::metadata(&hard).expect("meta").nlink(), 2);
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
    let meta = std::fs::metadata(&plain).expect("meta");
    assert_eq!(std::fs::read_to_string(&plain).expect("read"), formatted);
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    if root {
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".taskc-fmt"))
        .filter(|e| !e.file_type().is_ok_and(|t| t.is_symlink()))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[cfg(unix)]
#[test]
fn fmt_formats_a_writable_file_in_a_read_only_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("fmt-read-only");
    let file = dir.join("t.task");
    std::fs::write(&file, UNFORMATTED).expect("write");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let (code, _, err) = taskc(&["fmt", &file.display().to_string()], b"");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("reformatted 1 of 1 file"), "{err}");
    assert_ne!(std::fs::read_to_string(&file).expect("read"), UNFORMATTED);
}
