//! Node checks per second: the shipped L1 floor and a floor of 1,000
//! phrases, through the validator (one normalization and one automaton scan
//! per node), against the seed's approach written the same naive way in Rust
//! (lower-case the text, then `pattern in text` for each pattern).

use std::path::PathBuf;

use divan::counter::ItemsCount;
use divan::Bencher;
use serde_json::Value;
use taskc::runtime::tree::Validator;
use taskc::spec::{Document, FloorGroup, MatchMode, Phrase};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn document() -> Document {
    let paths = taskc::source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/");
    let (sources, read) = taskc::source::read_files(&paths).expect("readable");
    taskc::compile::compile_with(&sources, read)
        .document
        .expect("compiles")
}

/// The shipped floor plus generated phrases, up to `n` in all.
fn with_phrases(n: usize) -> Document {
    let mut doc = document();
    let floor = doc.floors.get_mut("l1_scope").expect("l1_scope");
    let have: usize = floor.groups.iter().map(|g| g.phrases.len()).sum();
    const WORDS: &[&str] = &[
        "delete",
        "server",
        "policy",
        "admin",
        "kernel",
        "partition",
        "token",
        "reset",
        "console",
        "script",
        "backup",
        "license",
        "vault",
        "cluster",
        "shell",
        "driver",
    ];
    let mut phrases = Vec::new();
    let mut i = 0usize;
    while have + phrases.len() < n {
        let (a, b, c) = (WORDS[i % 16], WORDS[(i / 16) % 16], WORDS[(i / 256) % 16]);
        phrases.push(Phrase {
            text: format!("{a} {b} {c}"),
            mode: MatchMode::FLOOR_DEFAULT,
        });
        i += 1;
    }
    floor.groups.push(FloorGroup {
        reason: "generated".into(),
        description: None,
        phrases,
        acts: Vec::new(),
    });
    doc
}

fn nodes() -> Vec<Value> {
    [
        "tests/fixtures/tree/benign.jsonl",
        "tests/fixtures/tree/evasion.jsonl",
    ]
    .iter()
    .flat_map(|p| {
        std::fs::read_to_string(p)
            .expect("corpus")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect::<Vec<Value>>()
    })
    .collect()
}

fn patterns(doc: &Document) -> Vec<String> {
    doc.floors["l1_scope"]
        .groups
        .iter()
        .flat_map(|g| g.phrases.iter().map(|p| p.text.clone()))
        .collect()
}

#[divan::bench(args = [0, 1000])]
fn validator(bencher: Bencher, phrases: usize) {
    let doc = if phrases == 0 {
        document()
    } else {
        with_phrases(phrases)
    };
    let v = Validator::new(&doc, "l1").expect("l1");
    let nodes = nodes();
    bencher.counter(ItemsCount::new(nodes.len())).bench(|| {
        for node in &nodes {
            divan::black_box(v.check_node(node));
        }
    });
}

#[divan::bench(args = [0, 1000])]
fn naive(bencher: Bencher, phrases: usize) {
    let doc = if phrases == 0 {
        document()
    } else {
        with_phrases(phrases)
    };
    let patterns = patterns(&doc);
    let texts: Vec<String> = nodes()
        .iter()
        .map(|n| n["text"].as_str().expect("text").to_owned())
        .collect();
    bencher.counter(ItemsCount::new(texts.len())).bench(|| {
        for text in &texts {
            let lower = text.to_lowercase();
            let hits: Vec<&String> = patterns
                .iter()
                .filter(|p| lower.contains(p.as_str()))
                .collect();
            divan::black_box(hits);
        }
    });
}
