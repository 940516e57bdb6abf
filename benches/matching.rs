//! The matching engine against the seed's approach, on a 4 KB reply with
//! 10, 100 and 1,000 markers.
//!
//! - `engine`: normalize the reply once (NFKD, case, quotes, dashes,
//!   invisibles, whitespace) and scan it once with the markers' automaton,
//!   built beforehand as the runtime builds it once per spec;
//! - `naive`: the seed's `for m in markers: if m in text.lower()`, in Rust
//!   the same naive way (lower-case the text, then one substring search per
//!   marker).
//!
//! The engine's cost should stay flat as markers grow; the naive loop's
//! grows with their number.
//!
//! `strategy` pits the engine's two strategies against each other, building
//! included (a task's markers are compiled once per task, and `check`
//! compiles every task): this is where `Strategy::PER_PATTERN_MAX` comes
//! from. `short` does the same on a 400-byte reply, the common case.

use divan::counter::BytesCount;
use divan::Bencher;
use taskc::matching::{Matcher, Strategy};
use taskc::spec::MatchMode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const WORDS: &[&str] = &[
    "refund",
    "invoice",
    "billing",
    "account",
    "workspace",
    "password",
    "incident",
    "outage",
    "engineering",
    "compliance",
    "review",
    "export",
    "policy",
    "customer",
    "request",
    "timestamp",
    "region",
    "verification",
    "security",
    "team",
    "duplicate",
    "charge",
    "business",
    "days",
    "approval",
    "legal",
    "contact",
    "login",
    "device",
    "malware",
    "escalate",
    "priority",
];

/// `n` distinct two- or three-word markers, deterministically.
fn markers(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < n {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = WORDS[(state >> 33) as usize % WORDS.len()];
        let b = WORDS[(state >> 17) as usize % WORDS.len()];
        let marker = if state & 1 == 0 {
            format!("{a} {b}")
        } else {
            let c = WORDS[(state >> 45) as usize % WORDS.len()];
            format!("{a} {b} {c}")
        };
        if !out.contains(&marker) {
            out.push(marker);
        }
    }
    out
}

/// A 4 KB customer reply built from the shipped knowledge-base prose.
fn reply() -> String {
    reply_of(4096)
}

fn reply_of(size: usize) -> String {
    let para = "Thanks for reaching out. We confirmed the duplicate charge on your invoice and \
                the refund has been approved; funds typically appear within 5-7 business days. \
                Our trust team is reviewing the suspicious login, so please reset your password \
                and scan your device for malware. The on-call engineering team is investigating \
                the outage; please send the request IDs and UTC timestamps. ";
    let mut text = String::new();
    while text.len() < size {
        text.push_str(para);
    }
    text.truncate(size);
    text
}

#[divan::bench(args = [10, 100, 1000])]
fn engine(bencher: Bencher, n: usize) {
    let markers = markers(n);
    let matcher = Matcher::new(markers.iter().map(|m| (m.as_str(), MatchMode::Substring)));
    let text = reply();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| matcher.matched(divan::black_box(&text)));
}

#[divan::bench(args = [10, 100, 1000])]
fn naive(bencher: Bencher, n: usize) {
    let markers = markers(n);
    let text = reply();
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let lower = divan::black_box(&text).to_lowercase();
        markers
            .iter()
            .map(|m| lower.contains(m.as_str()))
            .collect::<Vec<bool>>()
    });
}

const STRATEGIES: [Strategy; 2] = [Strategy::PerPattern, Strategy::Automaton];

fn build_and_scan(bencher: Bencher, strategy: Strategy, n: usize, size: usize) {
    let markers = markers(n);
    let text = reply_of(size);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let matcher = Matcher::with_strategy(
            markers.iter().map(|m| (m.as_str(), MatchMode::Substring)),
            strategy,
        );
        matcher.matched(divan::black_box(&text))
    });
}

/// Build one matcher and scan one 4 KB reply with it.
#[divan::bench(consts = [5, 10, 25, 50, 100], args = STRATEGIES)]
fn strategy<const N: usize>(bencher: Bencher, strategy: Strategy) {
    build_and_scan(bencher, strategy, N, 4096);
}

/// Build one matcher and scan one 400-byte reply with it.
#[divan::bench(consts = [5, 10, 25, 50, 100], args = STRATEGIES)]
fn short<const N: usize>(bencher: Bencher, strategy: Strategy) {
    build_and_scan(bencher, strategy, N, 400);
}

fn scan_only(bencher: Bencher, strategy: Strategy, n: usize, size: usize) {
    let markers = markers(n);
    let matcher = Matcher::with_strategy(
        markers.iter().map(|m| (m.as_str(), MatchMode::Substring)),
        strategy,
    );
    let text = reply_of(size);
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| matcher.matched(divan::black_box(&text)));
}

/// Scan only (the matcher built beforehand, as the server does), 400 bytes.
#[divan::bench(consts = [10, 25, 50], args = STRATEGIES)]
fn scan_short<const N: usize>(bencher: Bencher, strategy: Strategy) {
    scan_only(bencher, strategy, N, 400);
}

/// Scan only, 4 KB.
#[divan::bench(consts = [10, 25, 50], args = STRATEGIES)]
fn scan_long<const N: usize>(bencher: Bencher, strategy: Strategy) {
    scan_only(bencher, strategy, N, 4096);
}
