//! Regression tests for the hardening findings (issue 17) that do not need a
//! running server: floors that see through every invisible character,
//! linear node checks and walk normalization, bounded did-you-mean, and the
//! CLI's handling of hostile inputs (FIFOs, endless action streams, invalid
//! UTF-8 lines, a project with no tasks). Each is bounded in time and memory.

use std::path::PathBuf;
use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::json;
use taskc::runtime::tree::{self, Validator};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

static VALIDATOR: LazyLock<Validator> = LazyLock::new(validator);
static INVISIBLE: LazyLock<Vec<char>> = LazyLock::new(invisible_chars);

fn validator() -> Validator {
    let paths = taskc::source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/");
    let (sources, read) = taskc::source::read_files(&paths).expect("readable");
    let document = taskc::compile::compile_with(&sources, read)
        .document
        .expect("compiles");
    Validator::new(&document, "l1").expect("the l1 policy")
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
    use taskc::runtime::env::{Episode, TaskRuntime, MAX_EPISODE_TEXT_BYTES, MAX_TEXT_BYTES};
    let paths = taskc::source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/");
    let (sources, read) = taskc::source::read_files(&paths).expect("readable");
    let document = taskc::compile::compile_with(&sources, read)
        .document
        .expect("compiles");
    let runtimes = TaskRuntime::all(&document);
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
