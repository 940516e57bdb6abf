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
