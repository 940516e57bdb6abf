//! Normalized text → its compact form, for loose matching (contract v2,
//! rule 4): only letters and digits are kept, without combining marks, so
//! separators inside a phrase are optional (`charge-back`, `charge back`,
//! `charge_back`, `charge.back` and `chargeback` are one) and accents are
//! ignored (`chárgeback`). A sentence break (`.`, `!`, `?`, `;` or `:`
//! followed by white space) is kept as a space, which no compact pattern
//! contains, so "…the duplicate charge. Back in May…" stays two sentences.
//!
//! Each compact byte remembers whether its character starts a word in the
//! normalized text (a loose match must start at a word start: `security
//! team` is not found in `cybersecurity team`) and where it came from.

use unicode_normalization::char::is_combining_mark;

/// A compact text, built from one or more normalized texts (a thread).
#[derive(Clone, Debug, Default)]
pub struct Compact {
    pub text: String,
    /// Per byte: whether the character starting here starts a word.
    word_start: Vec<bool>,
    /// Per byte: the normalized byte range of the character it came from
    /// (offsets into the concatenation of the normalized texts pushed).
    from: Vec<(u32, u32)>,
    /// Bytes of normalized text pushed so far (with one separator byte
    /// between texts).
    normalized_len: usize,
    /// Whether the last normalized character pushed was a word character.
    after_word: bool,
    /// Whether the last normalized character pushed ends a sentence.
    after_stop: bool,
}

fn keeps(c: char) -> bool {
    c.is_alphanumeric() && !is_combining_mark(c)
}

/// The compact form of an already normalized pattern.
pub fn compact_pattern(normalized: &str) -> String {
    normalized.chars().filter(|c| keeps(*c)).collect()
}

impl Compact {
    /// The compact form of one normalized text.
    pub fn of(normalized: &str) -> Self {
        let mut c = Compact::default();
        c.push(normalized);
        c
    }

    /// Appends a normalized text, as the next message of a thread. Texts
    /// are joined as by a line break: a word ending one text and a word
    /// starting the next run together in the compact form, as a phrase
    /// split over two messages should.
    pub fn push(&mut self, normalized: &str) {
        if self.normalized_len > 0 {
            self.separate();
        }
        let base = self.normalized_len;
        self.text.reserve(normalized.len());
        self.word_start.reserve(normalized.len());
        self.from.reserve(normalized.len());
        if normalized.is_ascii() {
            self.push_ascii(normalized.as_bytes(), base);
            self.normalized_len = base + normalized.len();
            return;
        }
        for (at, ch) in normalized.char_indices() {
            let start = (base + at) as u32;
            let end = start + ch.len_utf8() as u32;
            if keeps(ch) {
                let starts_word = !self.after_word;
                let mut buf = [0u8; 4];
                for (i, _) in ch.encode_utf8(&mut buf).bytes().enumerate() {
                    self.word_start.push(i == 0 && starts_word);
                    self.from.push((start, end));
                }
                self.text.push(ch);
                self.after_word = true;
                self.after_stop = false;
            } else if is_combining_mark(ch) {
                // Part of the letter before it: the word goes on.
            } else if ch.is_whitespace() && self.after_stop {
                self.text.push(' ');
                self.word_start.push(false);
                self.from.push((start, end));
                self.after_word = false;
                self.after_stop = false;
            } else {
                self.after_word = ch == '_' && self.after_word;
                self.after_stop = matches!(ch, '.' | '!' | '?' | ';' | ':');
            }
        }
        self.normalized_len = base + normalized.len();
    }

    /// [`Compact::push`] of an ASCII text, byte by byte (the common case;
    /// the same rules, and no combining marks to skip).
    fn push_ascii(&mut self, bytes: &[u8], base: usize) {
        for (at, &b) in bytes.iter().enumerate() {
            let at = (base + at) as u32;
            if b.is_ascii_alphanumeric() {
                self.word_start.push(!self.after_word);
                self.from.push((at, at + 1));
                self.text.push(b as char);
                self.after_word = true;
                self.after_stop = false;
            } else if b.is_ascii_whitespace() && self.after_stop {
                self.text.push(' ');
                self.word_start.push(false);
                self.from.push((at, at + 1));
                self.after_word = false;
                self.after_stop = false;
            } else {
                self.after_word = b == b'_' && self.after_word;
                self.after_stop = matches!(b, b'.' | b'!' | b'?' | b';' | b':');
            }
        }
    }

    /// The join between two texts: white space after a sentence end breaks,
    /// anything else is an optional separator.
    fn separate(&mut self) {
        if self.after_stop {
            self.text.push(' ');
            self.word_start.push(false);
            let at = self.normalized_len as u32;
            self.from.push((at, at + 1));
        }
        self.after_word = false;
        self.after_stop = false;
        self.normalized_len += 1;
    }

    /// Whether a match may start at compact byte `at`.
    pub fn starts_word(&self, at: usize) -> bool {
        self.word_start.get(at).copied().unwrap_or(false)
    }

    /// Where the word going on at compact byte `at` ends: the next word
    /// start or sentence break after it, or the end of the text.
    pub fn word_end(&self, at: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut end = at.min(bytes.len());
        if end < bytes.len() && bytes[end] != b' ' {
            end += 1;
        }
        while end < bytes.len() && bytes[end] != b' ' && !self.starts_word(end) {
            end += 1;
        }
        end
    }

    /// The rest of the word a match ending at compact byte `at` leaves
    /// (empty when the match ends a word).
    pub fn rest_of_word(&self, at: usize) -> &str {
        if at >= self.text.len() || self.starts_word(at) || self.text.as_bytes()[at] == b' ' {
            return "";
        }
        // Word starts and breaks fall on character boundaries.
        self.text.get(at..self.word_end(at)).unwrap_or("")
    }

    /// The normalized range of compact bytes `start..end`.
    pub fn normalized_span(&self, start: usize, end: usize) -> (usize, usize) {
        if start >= end || end > self.from.len() {
            return (0, 0);
        }
        (self.from[start].0 as usize, self.from[end - 1].1 as usize)
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize_pattern;

    fn compact(text: &str) -> String {
        Compact::of(&normalize_pattern(text)).text
    }

    #[test]
    fn separators_and_accents_go_sentence_breaks_stay() {
        assert_eq!(compact("Charge-back"), "chargeback");
        assert_eq!(compact("charge back"), "chargeback");
        assert_eq!(compact("charge_back, charge.back"), "chargebackchargeback");
        assert_eq!(compact("cha\u{301}rgeback"), "chargeback");
        assert_eq!(compact("chárgeback"), "chargeback");
        assert_eq!(compact("the charge. Back then"), "thecharge backthen");
        assert_eq!(compact("5-7 business days"), "57businessdays");
    }

    #[test]
    fn the_ascii_path_equals_the_general_one() {
        for text in [
            "a charge-back. Then x_y!  z",
            "",
            ". a",
            "5-7 business days; ok",
        ] {
            let ascii = Compact::of(text);
            let mut general = Compact::default();
            // The general path, forced by a non-ASCII text of the same shape.
            let marked = format!("{text}\u{e9}");
            general.push(&marked);
            let cut = ascii.text.len();
            assert_eq!(&general.text[..cut], ascii.text, "{text:?}");
            for i in 0..cut {
                assert_eq!(
                    general.starts_word(i),
                    ascii.starts_word(i),
                    "{text:?} at {i}"
                );
                assert_eq!(
                    general.normalized_span(i, i + 1),
                    ascii.normalized_span(i, i + 1)
                );
            }
        }
    }

    #[test]
    fn word_starts_and_spans() {
        let norm = normalize_pattern("cybersecurity team");
        let c = Compact::of(&norm);
        let at = c.text.find("securityteam").expect("present");
        assert!(!c.starts_word(at));
        assert!(c.starts_word(0));
        let norm = normalize_pattern("a charge-back here");
        let c = Compact::of(&norm);
        let at = c.text.find("chargeback").expect("present");
        assert!(c.starts_word(at));
        let (s, e) = c.normalized_span(at, at + "chargeback".len());
        assert_eq!(&norm[s..e], "charge-back");
    }

    #[test]
    fn a_thread_joins_its_messages() {
        let mut c = Compact::default();
        c.push(&normalize_pattern("please file a charge"));
        c.push(&normalize_pattern("back with your bank"));
        assert!(c.text.contains("chargeback"));
        let at = c.text.find("back").expect("present");
        assert!(c.starts_word(at), "the next message starts a word");
        let mut c = Compact::default();
        c.push(&normalize_pattern("that was the charge."));
        c.push(&normalize_pattern("Back to you"));
        assert!(!c.text.contains("chargeback"));
    }
}
