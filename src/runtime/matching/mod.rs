//! One matching engine for reply and note markers and for hard-floor
//! phrases. Texts and patterns are normalized the same way ([`normalize`]),
//! all patterns of a spec are compiled into one Aho-Corasick automaton, and a
//! text is scanned once whatever the number of patterns. A match reports its
//! pattern and its span in the original, un-normalized text.

mod normalize;

pub use normalize::{normalize, normalize_pattern, Normalized};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::spec::MatchMode;

/// One occurrence of a pattern in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// Index of the pattern, in the order given to [`Matcher::new`].
    pub pattern: usize,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
}

/// A set of patterns compiled into one automaton.
#[derive(Clone, Debug)]
pub struct Matcher {
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern: the caller's pattern index and its mode.
    patterns: Vec<(usize, MatchMode, bool, bool)>,
    count: usize,
}

impl Matcher {
    /// Compiles patterns. A pattern that normalizes to nothing never matches
    /// (the compiler reports such markers as empty).
    pub fn new<'a>(patterns: impl IntoIterator<Item = (&'a str, MatchMode)>) -> Self {
        let mut normalized = Vec::new();
        let mut info = Vec::new();
        let mut count = 0;
        for (index, (text, mode)) in patterns.into_iter().enumerate() {
            count = index + 1;
            let norm = normalize::normalize_pattern(text);
            if norm.is_empty() {
                continue;
            }
            // Word boundaries only bind where the pattern itself starts or
            // ends with a word character (`format c:` ends with `:`).
            let first_word = norm.chars().next().is_some_and(is_word_char);
            let last_word = norm.chars().next_back().is_some_and(is_word_char);
            info.push((index, mode, first_word, last_word));
            normalized.push(norm);
        }
        let automaton = (!normalized.is_empty()).then(|| {
            // A contiguous NFA: cheap to build and compact, which matters with
            // one automaton per task section (10,000 tasks = 20,000 automata);
            // a DFA scans a little faster but costs tens of KiB each to build.
            AhoCorasickBuilder::new()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .match_kind(MatchKind::Standard)
                .build(&normalized)
                .expect("patterns of bounded size always build")
        });
        Matcher {
            automaton,
            patterns: info,
            count,
        }
    }

    /// The number of patterns given (including ones that can never match).
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Every match, in order of position, with spans in the original text.
    pub fn find_all(&self, text: &str) -> Vec<Match> {
        let norm = normalize(text);
        let mut out = Vec::new();
        self.scan(&norm.text, |pattern, start, end| {
            let (start, end) = norm.original_span(start, end);
            out.push(Match {
                pattern,
                start,
                end,
            });
        });
        out.sort_by_key(|m| (m.start, m.end, m.pattern));
        out
    }

    /// Which patterns occur in `text` (by the caller's index): the grading
    /// fast path, which keeps no offsets.
    pub fn matched(&self, text: &str) -> Vec<bool> {
        let mut seen = vec![false; self.count];
        self.matched_into(&normalize::normalize_pattern(text), &mut seen);
        seen
    }

    /// Marks in `seen` the patterns that occur in an already normalized text.
    pub fn matched_into(&self, normalized: &str, seen: &mut [bool]) {
        self.scan(normalized, |pattern, _, _| seen[pattern] = true);
    }

    fn scan(&self, normalized: &str, mut on_match: impl FnMut(usize, usize, usize)) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        for m in automaton.find_overlapping_iter(normalized) {
            let (index, mode, first_word, last_word) = self.patterns[m.pattern().as_usize()];
            if mode == MatchMode::Word
                && ((first_word && !boundary_before(normalized, m.start()))
                    || (last_word && !boundary_after(normalized, m.end())))
            {
                continue;
            }
            on_match(index, m.start(), m.end());
        }
    }
}

/// Letters, digits and `_` (in any script) make up words.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn boundary_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !is_word_char(c))
}

fn boundary_after(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_none_or(|c| !is_word_char(c))
}

/// Whether `pattern` (in `mode`) occurs in `text`, with the engine's
/// normalization and boundaries: for the compiler's and the linter's static
/// checks, which test one pattern at a time (no automaton needed for one).
pub fn occurs_in(pattern: &str, mode: MatchMode, text: &str) -> bool {
    let pattern = normalize_pattern(pattern);
    if pattern.is_empty() {
        return false;
    }
    let text = normalize_pattern(text);
    let first_word = pattern.chars().next().is_some_and(is_word_char);
    let last_word = pattern.chars().next_back().is_some_and(is_word_char);
    text.match_indices(pattern.as_str()).any(|(start, found)| {
        mode == MatchMode::Substring
            || ((!first_word || boundary_before(&text, start))
                && (!last_word || boundary_after(&text, start + found.len())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(patterns: &[(&str, MatchMode)], text: &str) -> Vec<(usize, &'static str)> {
        let m = Matcher::new(patterns.iter().copied());
        m.find_all(text)
            .into_iter()
            .map(|m| (m.pattern, &*text[m.start..m.end].to_owned().leak()))
            .collect()
    }

    #[test]
    fn substring_and_word_semantics() {
        use MatchMode::{Substring, Word};
        assert_eq!(spans(&[("sudo", Word)], "Close the Sudoku app"), vec![]);
        assert_eq!(spans(&[("sudo", Word)], "Run SUDO now"), vec![(0, "SUDO")]);
        assert_eq!(
            spans(&[("refund", Substring)], "We refunded it"),
            vec![(0, "refund")]
        );
        assert_eq!(spans(&[("refund", Word)], "We refunded it"), vec![]);
        assert_eq!(
            spans(&[("format c:", Word)], "then FORMAT   C: now"),
            vec![(0, "FORMAT   C:")]
        );
        // `:` is not a word character, so `format c:` binds only at its start.
        assert_eq!(
            spans(&[("format c:", Word)], "format c:\\windows"),
            vec![(0, "format c:")]
        );
    }

    #[test]
    fn sees_through_unicode_disguises() {
        use MatchMode::Word;
        let p = [("regedit", Word)];
        assert_eq!(
            spans(&p, "open ｒｅｇｅｄｉｔ"),
            vec![(0, "ｒｅｇｅｄｉｔ")]
        );
        assert_eq!(
            spans(&p, "open reg\u{200b}edit"),
            vec![(0, "reg\u{200b}edit")]
        );
        assert_eq!(spans(&p, "open reg\u{ad}edit"), vec![(0, "reg\u{ad}edit")]);
        assert_eq!(
            spans(&[("rm -rf", Word)], "rm \u{2014}rf /"),
            vec![(0, "rm \u{2014}rf")]
        );
        assert_eq!(
            spans(&[("can't", MatchMode::Substring)], "we can\u{2019}t"),
            vec![(0, "can\u{2019}t")]
        );
        assert_eq!(
            spans(
                &[("disable the firewall", Word)],
                "disable\nthe\t\u{a0}firewall"
            ),
            vec![(0, "disable\nthe\t\u{a0}firewall")]
        );
    }

    #[test]
    fn overlapping_patterns_all_reported() {
        use MatchMode::Substring;
        let m = Matcher::new([
            ("refund", Substring),
            ("refunded", Substring),
            ("fund", Substring),
        ]);
        assert_eq!(m.matched("it was refunded"), vec![true, true, true]);
        assert_eq!(m.matched("nothing"), vec![false, false, false]);
    }

    #[test]
    fn occurs_in_agrees_with_the_automaton() {
        let texts = [
            "we refunded it",
            "Sudoku",
            "run sudo now",
            "FORMAT   C:",
            "can\u{2019}t",
            "x",
        ];
        let patterns = ["refund", "sudo", "format c:", "can't", "x", "\u{200b}"];
        for text in texts {
            for pattern in patterns {
                for mode in [MatchMode::Substring, MatchMode::Word] {
                    let automaton = Matcher::new([(pattern, mode)]).matched(text)[0];
                    assert_eq!(
                        occurs_in(pattern, mode, text),
                        automaton,
                        "{pattern:?} in {text:?} ({mode:?})"
                    );
                }
            }
        }
    }

    #[test]
    fn empty_patterns_never_match() {
        let m = Matcher::new([
            ("\u{200b}", MatchMode::Substring),
            ("x", MatchMode::Substring),
        ]);
        assert_eq!(m.len(), 2);
        assert_eq!(m.matched("x"), vec![false, true]);
    }
}
