//! Negation scopes in a normalized text, after NegEx (Chapman et al., 2001;
//! contract v2, rule 6). A trigger (`not`, `never`, `cannot`, ...) opens a
//! scope over the next `window` words; a post-trigger (`is not needed`,
//! ...) covers the `window` words before it; a scope ends early at a clause
//! boundary (a terminator: `.`, `;`, `:`, `!`, `?`, `but`, `however`, ...).
//! Pseudo-triggers (`no problem`, `not only`, ...) look like triggers but
//! negate nothing. A marker occurrence whose start lies in a scope is
//! negated; a trigger inside the occurrence itself never negates it, so the
//! marker `cannot provide a bypass` is met by "we cannot provide a bypass".

use super::{is_word_char, MatchMode, Matcher};

/// What a negation detector is built from (the domain declares these; the
/// spec's defaults are English).
#[derive(Clone, Debug, PartialEq)]
pub struct NegationRules<'a> {
    pub triggers: &'a [String],
    pub post_triggers: &'a [String],
    pub pseudo_triggers: &'a [String],
    pub terminators: &'a [String],
    /// Words a scope covers at most.
    pub window: usize,
}

/// A compiled negation detector.
#[derive(Clone, Debug)]
pub struct Negation {
    /// Triggers, then post-triggers, then pseudo-triggers, then word
    /// terminators (punctuation terminators are single characters).
    phrases: Matcher,
    triggers: usize,
    post: usize,
    pseudo: usize,
    stop_chars: Vec<char>,
    window: usize,
}

/// A negated byte range of a normalized text, and the trigger that opened it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub start: usize,
    pub end: usize,
    pub trigger: (usize, usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Trigger,
    Post,
    Pseudo,
    Stop,
}

impl Negation {
    pub fn new(rules: &NegationRules<'_>) -> Self {
        let mut patterns: Vec<(&str, MatchMode)> = Vec::new();
        let mut stop_chars = Vec::new();
        for list in [rules.triggers, rules.post_triggers, rules.pseudo_triggers] {
            patterns.extend(list.iter().map(|t| (t.as_str(), MatchMode::Word)));
        }
        for t in rules.terminators {
            let mut chars = t.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !is_word_char(c) => stop_chars.push(c),
                _ => patterns.push((t.as_str(), MatchMode::Word)),
            }
        }
        Negation {
            phrases: Matcher::with_strategy(patterns, super::Strategy::Dfa),
            triggers: rules.triggers.len(),
            post: rules.post_triggers.len(),
            pseudo: rules.pseudo_triggers.len(),
            stop_chars,
            window: rules.window,
        }
    }

    fn kind(&self, pattern: usize) -> Kind {
        if pattern < self.triggers {
            Kind::Trigger
        } else if pattern < self.triggers + self.post {
            Kind::Post
        } else if pattern < self.triggers + self.post + self.pseudo {
            Kind::Pseudo
        } else {
            Kind::Stop
        }
    }

    /// Every negation scope of a normalized text, in order.
    pub fn scopes(&self, normalized: &str) -> Vec<Scope> {
        self.scopes_with(normalized, None)
    }

    /// [`Negation::scopes`], given the text's [`word_spans`] when the caller
    /// has them already.
    pub fn scopes_with(&self, normalized: &str, words: Option<&[(usize, usize)]>) -> Vec<Scope> {
        let mut found: Vec<(usize, usize, Kind)> = Vec::new();
        self.phrases
            .scan_normalized(normalized, |pattern, start, end| {
                found.push((start, end, self.kind(pattern)));
            });
        if !found
            .iter()
            .any(|f| matches!(f.2, Kind::Trigger | Kind::Post))
        {
            return Vec::new();
        }
        // A trigger inside a pseudo-trigger is no trigger.
        let pseudo: Vec<(usize, usize)> = found
            .iter()
            .filter(|f| f.2 == Kind::Pseudo)
            .map(|f| (f.0, f.1))
            .collect();
        let in_pseudo = |s: usize, e: usize| pseudo.iter().any(|p| p.0 <= s && e <= p.1);
        let mut stops: Vec<usize> = found
            .iter()
            .filter(|f| f.2 == Kind::Stop)
            .map(|f| f.0)
            .collect();
        stops.extend(
            normalized
                .char_indices()
                .filter(|(_, c)| self.stop_chars.contains(c))
                .map(|(i, _)| i),
        );
        stops.sort_unstable();
        let owned;
        let words = match words {
            Some(words) => words,
            None => {
                owned = word_spans(normalized);
                &owned
            }
        };
        let mut scopes = Vec::new();
        for &(start, end, kind) in &found {
            if in_pseudo(start, end) {
                continue;
            }
            match kind {
                Kind::Trigger => {
                    let limit = stops
                        .iter()
                        .find(|&&s| s >= end)
                        .copied()
                        .unwrap_or(normalized.len());
                    let last = words
                        .iter()
                        .filter(|w| w.0 >= end && w.0 < limit)
                        .take(self.window)
                        .last();
                    if let Some(last) = last {
                        scopes.push(Scope {
                            start: end,
                            end: last.1.min(limit),
                            trigger: (start, end),
                        });
                    }
                }
                Kind::Post => {
                    let limit = stops
                        .iter()
                        .rev()
                        .find(|&&s| s < start)
                        .map_or(0, |s| s + 1);
                    let first = words
                        .iter()
                        .rev()
                        .filter(|w| w.1 <= start && w.0 >= limit)
                        .take(self.window)
                        .last();
                    if let Some(first) = first {
                        scopes.push(Scope {
                            start: first.0,
                            end: start,
                            trigger: (start, end),
                        });
                    }
                }
                Kind::Pseudo | Kind::Stop => {}
            }
        }
        scopes
    }

    /// Whether an occurrence at `start..end` lies in one of `scopes` opened
    /// by a trigger outside the occurrence.
    pub fn negates(scopes: &[Scope], start: usize, end: usize) -> bool {
        scopes.iter().any(|s| {
            s.start <= start && start < s.end && !(start <= s.trigger.0 && s.trigger.1 <= end)
        })
    }
}

/// Byte ranges of the words of a text (runs of word characters, with an
/// apostrophe inside a word kept: `can't`).
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    if text.is_ascii() {
        return ascii_word_spans(text.as_bytes());
    }
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let inner_apostrophe =
            c == '\'' && start.is_some() && chars.peek().is_some_and(|(_, n)| is_word_char(*n));
        if is_word_char(c) || inner_apostrophe {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((s, i));
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// [`word_spans`] of an ASCII text, byte by byte.
fn ascii_word_spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::with_capacity(bytes.len() / 5 + 1);
    let mut start: Option<usize> = None;
    for (i, &b) in bytes.iter().enumerate() {
        let inner_apostrophe =
            b == b'\'' && start.is_some() && bytes.get(i + 1).is_some_and(|&n| word(n));
        if word(b) || inner_apostrophe {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((s, i));
        }
    }
    if let Some(s) = start {
        out.push((s, bytes.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize_pattern;
    use crate::spec::Grading;

    fn negated(text: &str, marker: &str) -> bool {
        let g = Grading::default();
        let n = Negation::new(&g.negation_rules());
        let norm = normalize_pattern(text);
        let scopes = n.scopes(&norm);
        let at = norm.find(marker).expect("marker present");
        Negation::negates(&scopes, at, at + marker.len())
    }

    #[test]
    fn triggers_negate_what_follows_within_the_clause() {
        assert!(negated("We will NOT refund you.", "refund"));
        assert!(negated("We cannot offer a refund here", "refund"));
        assert!(negated("we won't refund this", "refund"));
        assert!(negated("There will never be a refund", "refund"));
        assert!(!negated("We will refund you.", "refund"));
        // A clause boundary ends the scope.
        assert!(!negated(
            "We cannot skip checks, but we will refund you",
            "refund"
        ));
        assert!(!negated("No. We will refund you", "refund"));
        // The window: far enough away, the trigger no longer reaches.
        assert!(!negated(
            "Not a problem on our side at all, we refund today",
            "refund"
        ));
    }

    #[test]
    fn pseudo_triggers_and_post_triggers() {
        assert!(!negated("No problem, we will refund you", "refund"));
        assert!(negated("A refund is not needed", "refund"));
        assert!(!negated(
            "A refund is coming. Nothing else is needed",
            "refund"
        ));
    }

    #[test]
    fn ascii_word_spans_agree_with_the_general_path() {
        for text in [
            "we can't refund_it now",
            "",
            "  a  ",
            "don't'",
            "'quoted' words",
            "5-7 days.",
        ] {
            let mut general = Vec::new();
            let mut start: Option<usize> = None;
            let mut chars = text.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                let inner = c == '\''
                    && start.is_some()
                    && chars.peek().is_some_and(|(_, n)| is_word_char(*n));
                if is_word_char(c) || inner {
                    start.get_or_insert(i);
                } else if let Some(s) = start.take() {
                    general.push((s, i));
                }
            }
            if let Some(s) = start {
                general.push((s, text.len()));
            }
            assert_eq!(word_spans(text), general, "{text:?}");
        }
    }

    #[test]
    fn a_marker_is_not_negated_by_its_own_words() {
        assert!(!negated(
            "We cannot provide a bypass for the review",
            "cannot provide a bypass"
        ));
        assert!(!negated(
            "there is no temporary bypass",
            "no temporary bypass"
        ));
        assert!(negated(
            "we do not say there is no temporary bypass",
            "no temporary bypass"
        ));
    }
}
