//! `taskc check` at realistic and at scale: parsing alone, and the whole
//! check (parse + validate + solvability, keeping diagnostics only, as the
//! `check` command does), on the shipped tasks, on 100 tasks and on a
//! generated corpus of 10,000 tasks, in memory and from disk; and `compile`
//! (which keeps every spec) on 10,000.
//!
//! Throughput is reported in bytes/s (divan's MB/s) and tasks/s.
//!
//! The generated tasks have marker words of their own (see
//! `support/corpus.rs`), so the project-wide checks see 127,505 distinct
//! markers at 10,000 tasks. Measured on the 2-core dev VM (fastest of the
//! samples; the VM drifts by up to 1.7×): `check_corpus` 10,000 in
//! 0.80 s (59 MB/s; 1.84 s before the project-wide checks stopped growing
//! with the square of the project), `check_corpus_from_disk` 0.74 s,
//! `compile_corpus` 1.0 s, `parse_corpus` 1,000 at 97–150 MB/s.

#[path = "support/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};

use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use taskc::compile::Keep;
use taskc::source::{self, FileId, SourceFile, Sources};

// The allocator of the `taskc` binary, so the bench measures its real path.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn sources(n: usize) -> Sources {
    let templates = corpus::Templates::load(Path::new("tasks")).expect("tasks/ is readable");
    Sources {
        files: templates
            .corpus(n)
            .into_iter()
            .map(|(name, text)| SourceFile::new(name, text))
            .collect(),
    }
}

fn shipped() -> Sources {
    let paths = source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/");
    source::read_files(&paths).expect("readable").0
}

fn bytes(sources: &Sources) -> usize {
    sources.files.iter().map(|f| f.text.len()).sum()
}

#[divan::bench]
fn parse_shipped(bencher: Bencher) {
    let sources = shipped();
    bencher.counter(BytesCount::new(bytes(&sources))).bench(|| {
        for (i, file) in sources.files.iter().enumerate() {
            divan::black_box(taskc::syntax::parse(FileId(i), &file.text));
        }
    });
}

/// Parsing alone (pest and lowering to the AST), one core.
#[divan::bench(args = [1_000], sample_count = 20)]
fn parse_corpus(bencher: Bencher, n: usize) {
    let sources = sources(n);
    bencher
        .counter(BytesCount::new(bytes(&sources)))
        .counter(ItemsCount::new(n))
        .bench(|| {
            for (i, file) in sources.files.iter().enumerate() {
                divan::black_box(taskc::syntax::parse(FileId(i), &file.text));
            }
        });
}

#[divan::bench]
fn check_shipped(bencher: Bencher) {
    let sources = shipped();
    bencher
        .counter(BytesCount::new(bytes(&sources)))
        .bench(|| check(&sources, Vec::new()));
}

fn check(sources: &Sources, read: Vec<taskc::Diagnostic>) -> taskc::Compilation {
    taskc::compile::compile_keeping(sources, read, Keep::Diagnostics)
}

#[divan::bench(args = [100, 10_000], sample_count = 10)]
fn check_corpus(bencher: Bencher, n: usize) {
    let sources = sources(n);
    bencher
        .counter(BytesCount::new(bytes(&sources)))
        .counter(ItemsCount::new(n))
        .bench(|| {
            let compilation = check(&sources, Vec::new());
            assert_eq!(compilation.task_count, n);
            assert!(compilation.diagnostics.is_empty());
        });
}

/// `compile`: every spec kept (and every AST), as `taskc compile` needs.
#[divan::bench(args = [10_000], sample_count = 10)]
fn compile_corpus(bencher: Bencher, n: usize) {
    let sources = sources(n);
    bencher
        .counter(BytesCount::new(bytes(&sources)))
        .counter(ItemsCount::new(n))
        .bench(|| {
            let compilation = taskc::compile(&sources);
            assert_eq!(compilation.document.map(|d| d.tasks.len()), Some(n));
        });
}

/// The full `check` path: walk the folder, read files in parallel, compile.
#[divan::bench(args = [10_000], sample_count = 5)]
fn check_corpus_from_disk(bencher: Bencher, n: usize) {
    let dir = std::env::temp_dir().join(format!("taskc-bench-corpus-{n}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let all = sources(n);
    for file in &all.files {
        std::fs::write(dir.join(&file.name), &*file.text).expect("write");
    }
    bencher
        .counter(BytesCount::new(bytes(&all)))
        .counter(ItemsCount::new(n))
        .bench(|| {
            let paths = source::collect_paths(std::slice::from_ref(&dir)).expect("walk");
            let (sources, read) = source::read_files(&paths).expect("read");
            check(&sources, read)
        });
}
