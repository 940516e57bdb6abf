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

use divan::counter::BytesCount;
use divan::Bencher;
use taskc::runtime::matching::Matcher;
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
    let para = "Thanks for reaching out. We confirmed the duplicate charge on your invoice and \
                the refund has been approved; funds typically appear within 5-7 business days. \
                Our trust team is reviewing the suspicious login, so please reset your password \
                and scan your device for malware. The on-call engineering team is investigating \
                the outage; please send the request IDs and UTC timestamps. ";
    let mut text = String::new();
    while text.len() < 4096 {
        text.push_str(para);
    }
    text.truncate(4096);
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
