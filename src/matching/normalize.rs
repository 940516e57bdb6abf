//! Text normalization shared by patterns and texts:
//!
//! - Unicode compatibility decomposition (NFKD: full-width letters, ligatures,
//!   no-break spaces), applied per character so offsets can be kept;
//! - lower case;
//! - look-alike letters of other scripts (a Cyrillic `е`) folded to the
//!   ASCII letter they imitate (UTS #39 confusable skeletons, applied only to
//!   non-ASCII characters whose skeleton is ASCII, so `m` and `rn` stay apart);
//! - every quote and apostrophe style to `'`, every dash to `-`;
//! - invisible characters removed: every control (`Cc`, but the ASCII
//!   whitespace) and format character (`Cf`: zero-width spaces and joiners,
//!   soft hyphens, bidi controls, tag characters), and the other
//!   default-ignorable code points;
//! - any run of whitespace (no-break spaces, tabs, line breaks) as one space.

use unicode_normalization::char::decompose_compatible;

/// A normalized text and, for each of its bytes, the original bytes it came from.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    pub text: String,
    starts: Vec<u32>,
    ends: Vec<u32>,
}

impl Normalized {
    /// The original byte range of the normalized range `start..end`.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if start >= end || end > self.text.len() {
            return (0, 0);
        }
        (self.starts[start] as usize, self.ends[end - 1] as usize)
    }
}

/// Normalizes a text, keeping where each byte came from.
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        starts: Vec::with_capacity(text.len()),
        ends: Vec::with_capacity(text.len()),
    };
    fold(text, |c, start, end| {
        out.text.push(c);
        for _ in 0..c.len_utf8() {
            // Texts over 4 GiB are not graded; offsets fit in u32.
            out.starts.push(start as u32);
            out.ends.push(end as u32);
        }
    });
    out
}

/// Normalizes a pattern (or a text whose offsets are not needed).
pub fn normalize_pattern(text: &str) -> String {
    if text.is_ascii() {
        return fold_ascii_text(text);
    }
    let mut out = String::with_capacity(text.len());
    fold(text, |c, _, _| out.push(c));
    out
}

/// What [`fold_ascii_text`] does with each ASCII byte: a whitespace byte,
/// a byte dropped (the other controls), or the byte it becomes.
const SPACE: u8 = 0x80;
const DROP: u8 = 0x81;
const ASCII_FOLD: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_whitespace() || c == 0x0B {
            SPACE
        } else if c.is_ascii_control() {
            DROP
        } else if c == b'"' || c == b'`' {
            b'\''
        } else {
            c.to_ascii_lowercase()
        };
        b += 1;
    }
    table
};

/// [`fold`] for pure ASCII, byte by byte through one table: the common
/// case of grading and of node checks.
fn fold_ascii_text(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut pending_space = false;
    for &b in text.as_bytes() {
        match ASCII_FOLD[usize::from(b & 0x7F)] {
            SPACE => pending_space = !out.is_empty(),
            DROP => {}
            folded => {
                if pending_space {
                    out.push(b' ');
                    pending_space = false;
                }
                out.push(folded);
            }
        }
    }
    // Only ASCII bytes were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// Feeds each normalized character, with the original byte range of the
/// character it came from, to `emit`.
fn fold(text: &str, mut emit: impl FnMut(char, usize, usize)) {
    let mut pending_space = false;
    let mut any = false;
    for (start, c) in text.char_indices() {
        let end = start + c.len_utf8();
        if c.is_ascii() {
            // The fast path: ASCII needs only case and whitespace folding,
            // and its invisible controls dropped.
            if c.is_ascii_whitespace() || c == '\u{0B}' {
                pending_space = any;
            } else if !is_invisible(c) {
                if pending_space {
                    emit(' ', start, start);
                    pending_space = false;
                }
                emit(fold_ascii(c), start, end);
                any = true;
            }
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        // Quote and dash marks fold before decomposition: the acute accent
        // `´` decomposes to a space and a combining mark, and "can´t" would
        // become two words.
        if matches!(fold_char(c), '\'' | '-') {
            if pending_space {
                emit(' ', start, start);
                pending_space = false;
            }
            emit(fold_char(c), start, end);
            any = true;
            continue;
        }
        // A look-alike is folded as the confusables table says, before its
        // compatibility decomposition (`ſ` imitates `f`, though NFKD makes
        // it `s`) and before case (the lower case of a capital look-alike,
        // Cyrillic `В`, Greek `Β`, Cherokee `Ꭼ`, is often no look-alike).
        if let Some(ascii) = look_alike(c) {
            for m in ascii.chars() {
                if pending_space {
                    emit(' ', start, start);
                    pending_space = false;
                }
                emit(m, start, end);
            }
            any = true;
            continue;
        }
        decompose_compatible(c, |d| {
            // The same for each character of the decomposition.
            let folded: Vec<char> = match look_alike(d) {
                Some(ascii) => ascii.chars().collect(),
                None => d
                    .to_lowercase()
                    .flat_map(|l| match look_alike(l) {
                        Some(ascii) => ascii.chars().collect(),
                        None => vec![fold_char(l)],
                    })
                    .collect(),
            };
            for m in folded {
                if m.is_whitespace() {
                    pending_space = any;
                    continue;
                }
                if is_invisible(m) {
                    continue;
                }
                if pending_space {
                    emit(' ', start, start);
                    pending_space = false;
                }
                emit(m, start, end);
                any = true;
            }
        });
    }
}

fn fold_ascii(c: char) -> char {
    match c {
        '"' | '`' => '\'',
        c => c.to_ascii_lowercase(),
    }
}

/// Quotes and dashes of one (lower-cased) character.
fn fold_char(c: char) -> char {
    match c {
        '\'' | '"' | '`' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{201C}'
        | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2032}' | '\u{2033}' | '\u{2035}'
        | '\u{2036}' | '\u{00B4}' | '\u{02BC}' | '\u{02B9}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2039}' | '\u{203A}' | '\u{FF02}' | '\u{FF07}' => '\'',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | '\u{2E3A}' | '\u{2E3B}' => '-',
        c => c,
    }
}

/// The lower-case ASCII letters and digits a character of another script
/// imitates, by its UTS #39 confusable skeleton (the whole table, through
/// `unicode-security`), if its skeleton is made of ASCII letters and digits
/// only. ASCII itself is never folded (`rn` and `m` stay apart).
///
/// Skeletons map to one prototype per class, and two classes hold ASCII
/// letters of different lower case: `I` and `l` (and `1`) share the
/// skeleton `l`, and `m`'s skeleton is `rn`. A capital with skeleton `l`
/// imitates `I`, so it folds to `i` (`ВILLING` with a Cyrillic `І`); a
/// character with skeleton `rn` imitates `m`.
pub(crate) fn look_alike(c: char) -> Option<String> {
    if c.is_ascii() {
        return None;
    }
    let mut buf = [0u8; 4];
    let skeleton: String = unicode_security::skeleton(c.encode_utf8(&mut buf)).collect();
    if skeleton.is_empty() || !skeleton.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    if skeleton == "rn" {
        return Some("m".into());
    }
    let capital = c.is_uppercase();
    Some(
        skeleton
            .chars()
            .map(|s| match s {
                'l' if capital => 'i',
                s => s.to_ascii_lowercase(),
            })
            .collect(),
    )
}

/// Characters that render as nothing and are used to split words unseen:
/// every control (`Cc`, but for the ASCII whitespace that visibly separates
/// words) and format character (`Cf`: zero-width spaces and joiners, soft
/// hyphen, bidi controls, tag characters, musical format controls...), and
/// the other default-ignorable code points of Unicode's
/// DerivedCoreProperties.txt (fillers, variation selectors, reserved ones).
fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    if c.is_ascii() {
        return c.is_ascii_control() && !c.is_ascii_whitespace() && c != '\u{0B}';
    }
    matches!(
        c.general_category(),
        GeneralCategory::Control | GeneralCategory::Format
    ) || matches!(
        c,
        '\u{034F}'            // combining grapheme joiner
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
        | '\u{17B4}' | '\u{17B5}' // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}' // Mongolian variation selectors, vowel separator
        | '\u{2065}'            // reserved
        | '\u{FE00}'..='\u{FE0F}' // variation selectors
        | '\u{FFF0}'..='\u{FFF8}' // reserved
        | '\u{E0000}'..='\u{E0FFF}' // tags, variation selectors supplement, reserved
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_what_the_contract_lists() {
        assert_eq!(normalize_pattern("Can\u{2019}t  Provide"), "can't provide");
        assert_eq!(
            normalize_pattern("５\u{2013}7 business\u{a0}days"),
            "5-7 business days"
        );
        assert_eq!(normalize_pattern("reg\u{200B}ed\u{00AD}it"), "regedit");
        assert_eq!(normalize_pattern("ｒｅｇｅｄｉｔ"), "regedit");
        assert_eq!(normalize_pattern("r\u{0435}gedit"), "regedit"); // Cyrillic е
        assert_eq!(normalize_pattern("\u{0455}udo"), "sudo"); // Cyrillic ѕ
                                                              // Capitals fold before case: their lower case is often no look-alike.
        assert_eq!(normalize_pattern("\u{0412}CDEDIT"), "bcdedit"); // Cyrillic В
        assert_eq!(normalize_pattern("\u{0392}ILLING PLAN"), "billing plan"); // Greek Β
        assert_eq!(normalize_pattern("SECURITY \u{0422}EAM"), "security team"); // Cyrillic Т
        assert_eq!(normalize_pattern("B\u{0406}LLING"), "billing"); // Cyrillic І imitates I
        assert_eq!(normalize_pattern("\u{13AC}DIT"), "edit"); // Cherokee Ꭼ
        assert_eq!(normalize_pattern("  a \n\t b  "), "a b");
        assert_eq!(normalize_pattern("\u{FB01}le"), "file"); // ligature
        assert_eq!(normalize_pattern("modern"), "modern"); // ASCII untouched
                                                           // The ASCII fast path agrees with the general one.
        for text in [
            "  Can't \"Stop\"\t`now`  ",
            "a\r\n\nb",
            "",
            " ",
            "X-Y_z 1:2",
        ] {
            let mut general = String::new();
            fold(text, |c, _, _| general.push(c));
            assert_eq!(normalize_pattern(text), general, "{text:?}");
        }
    }

    #[test]
    fn spans_map_back_to_the_original() {
        let text = "Run ｒｅｇ\u{200B}edit now";
        let n = normalize(text);
        let at = n.text.find("regedit").expect("found");
        let (s, e) = n.original_span(at, at + "regedit".len());
        assert_eq!(&text[s..e], "ｒｅｇ\u{200B}edit");
    }
}
