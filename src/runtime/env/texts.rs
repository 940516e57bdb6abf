//! What a reply or note earns (contract v3, rules 2 to 9). One function,
//! [`read`], grades a text; the episode credits its verdict, and the
//! compiler's proofs and authors' examples read texts through the same
//! function, so a proof can never drift from the grade.
//!
//! A text is read in this order:
//!
//! 1. a repeat of an earlier text of its section meets nothing;
//! 2. past the character budget (invisible characters and runs of spaces
//!    not counted) the rest earns nothing;
//! 3. a reply sentence in another language than the task's earns nothing
//!    (and one confidently so is flagged for the `foreign_language` gate);
//!    a reply mostly in another language meets nothing;
//! 4. a marker salad (more than `marker_density` of its substance words are
//!    marker words; one-letter tokens and repeated tokens are filler, not
//!    words) meets nothing;
//! 5. an off-topic text (more than `off_topic` of its content words in
//!    clauses that share no word with the task's own ticket, knowledge
//!    base, objective and rules) meets nothing;
//! 6. each required marker occurrence then meets its group when it is a
//!    commitment (not in a question or a condition), in a reply stands in
//!    a clause with structure (another word beside its markers), and is
//!    not negated; a group is contradicted when it occurs only negated.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Owner, TaskRuntime};
use crate::matching::{is_word_char, Reading};

/// Which section a text is graded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Section {
    Reply,
    Note,
}

impl Section {
    pub(super) fn name(self) -> &'static str {
        match self {
            Section::Reply => "reply",
            Section::Note => "note",
        }
    }
}

/// A text that met no group, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Voided {
    /// The step that sent it.
    pub step: u32,
    /// `reply` or `note`.
    pub section: String,
    /// `repeat`, `language`, `marker_density` or `off_topic`, with the
    /// numbers.
    pub reason: String,
}

/// A required group met only in negated form, and what negated it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contradiction {
    pub group: usize,
    /// The marker as written in the text.
    pub marker: String,
    /// The trigger as written in the text.
    pub trigger: String,
}

/// The groups of its section a text meets, or why it meets none.
#[derive(Clone, Debug)]
pub(crate) enum Verdict {
    Meets {
        groups: Vec<usize>,
        /// Groups that occur only negated.
        contradicted: Vec<Contradiction>,
        /// A sentence confidently in another language, and which.
        foreign: Option<String>,
    },
    Void {
        reason: String,
        foreign: Option<String>,
    },
}

impl Verdict {
    fn void(reason: String) -> Self {
        Verdict::Void {
            reason,
            foreign: None,
        }
    }
}

/// Grades one text; `earlier` are the normalized texts of its section sent
/// before it.
pub(super) fn grade(
    rt: &TaskRuntime,
    section: Section,
    text: &str,
    normalized: &str,
    earlier: &[String],
) -> Verdict {
    // The task's gold texts are graded again and again (by the compiler's
    // proofs above all): as the first text of their section, their verdict
    // never changes, so it is computed once.
    if earlier.is_empty() {
        let (gold, cell) = match section {
            Section::Reply => (rt.gold_reply.as_deref(), &rt.gold_verdicts.0),
            Section::Note => (rt.gold_note.as_deref(), &rt.gold_verdicts.1),
        };
        if gold == Some(text) {
            return cell
                .get_or_init(|| read(rt, section, normalized, earlier))
                .clone();
        }
    }
    read(rt, section, normalized, earlier)
}

/// The first `budget` characters of a normalized text (the whole text when
/// it is shorter), cut back to a word boundary.
fn within_budget(normalized: &str, budget: usize) -> &str {
    if normalized.len() <= budget {
        return normalized;
    }
    let Some((cut, _)) = normalized.char_indices().nth(budget) else {
        return normalized;
    };
    let head = &normalized[..cut];
    match normalized[cut..].chars().next() {
        Some(c) if is_word_char(c) => {
            let back = head
                .char_indices()
                .rev()
                .find(|(_, c)| !is_word_char(*c))
                .map_or(0, |(i, _)| i);
            &head[..back]
        }
        _ => head,
    }
}

/// Filler: a token that is not a word for substance (contract v3, rule 4):
/// a single letter, a token repeated right after itself, or a word other
/// than a function word repeated more often than a real text repeats one.
fn substance(text: &str, words: &[(usize, usize)]) -> Vec<bool> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let most = 3.max(words.len() / 12);
    let mut previous = "";
    words
        .iter()
        .map(|&(s, e)| {
            let word = &text[s..e];
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            let number = word.chars().all(|c| c.is_ascii_digit());
            let repeat = word == previous;
            previous = word;
            let seen = counts.entry(word).or_insert(0);
            *seen += 1;
            (letters >= 2 || number) && !repeat && (*seen <= most || is_function_word(word))
        })
        .collect()
}

/// Whether a word is an English function word (the stop-word list of the
/// `stop-words` crate, NLTK's).
pub(crate) fn is_function_word(word: &str) -> bool {
    static WORDS: std::sync::LazyLock<HashSet<&'static str>> = std::sync::LazyLock::new(|| {
        stop_words::lookup("en")
            .unwrap_or_default()
            .iter()
            .copied()
            .collect()
    });
    WORDS.contains(word)
}

/// Reads one normalized text of a section as the grader does.
pub(crate) fn read(
    rt: &TaskRuntime,
    section: Section,
    normalized: &str,
    earlier: &[String],
) -> Verdict {
    let g = &rt.grading;
    if earlier.iter().any(|e| e == normalized) {
        return Verdict::void("repeat: the same text was sent before".into());
    }
    let text = within_budget(normalized, g.text_budget as usize);
    let mut hits: Vec<(Owner, usize, usize)> = Vec::new();
    let mut patterns_hit: Vec<usize> = Vec::new();
    rt.markers.required.scan_normalized(text, |p, start, end| {
        hits.push((rt.markers.owner[p], start, end));
        if !patterns_hit.contains(&p) {
            patterns_hit.push(p);
        }
    });
    let reading = rt.negation.read(text);
    // The customer's language (replies only: notes are internal).
    let mut foreign_sentences: Vec<(usize, usize)> = Vec::new();
    let mut foreign = None;
    if section == Section::Reply {
        let words = &reading.words;
        let mut foreign_words = 0;
        for s in &reading.sentences {
            let n = words
                .iter()
                .filter(|w| w.0 >= s.start && w.1 <= s.end)
                .count();
            if n < 3 {
                continue;
            }
            if let Some(lang) = rt.languages.foreign(&text[s.start..s.end]) {
                foreign_sentences.push((s.start, s.end));
                foreign_words += n;
                foreign.get_or_insert(lang);
            }
        }
        if foreign_words * 2 > words.len() && foreign_words > 0 {
            return Verdict::Void {
                reason: format!(
                    "language: {foreign_words} of its {} words are in sentences in {}, not in {}",
                    words.len(),
                    foreign.as_deref().unwrap_or("another language"),
                    rt.languages.names()
                ),
                foreign,
            };
        }
    }
    let meets = |groups, contradicted, foreign| Verdict::Meets {
        groups,
        contradicted,
        foreign,
    };
    if hits.is_empty() {
        return meets(Vec::new(), Vec::new(), foreign);
    }
    let words = &reading.words;
    let counts = substance(text, words);
    let covered = |w: &(usize, usize)| hits.iter().any(|h| h.1 < w.1 && w.0 < h.2);
    // A salad crams markers together with little else: several groups, or
    // several alternatives of one.
    let limit = match section {
        Section::Reply => g.marker_density,
        Section::Note => g.note_marker_density,
    };
    if patterns_hit.len() >= 2 && limit < 1.0 {
        let total = counts.iter().filter(|c| **c).count();
        let marker_words = words
            .iter()
            .zip(&counts)
            .filter(|(w, c)| **c && covered(w))
            .count();
        let density = marker_words as f64 / total.max(1) as f64;
        if density > limit + 1e-9 {
            return Verdict::Void {
                reason: format!(
                    "marker_density: {marker_words} of its {total} words are marker words \
                     ({density:.2}), more than {limit}"
                ),
                foreign,
            };
        }
    }
    if let Some(reason) = off_topic(rt, text, &reading, &counts, &covered) {
        return Verdict::Void { reason, foreign };
    }
    let mut met = Vec::new();
    let mut negated: Vec<Contradiction> = Vec::new();
    for &(owner, start, end) in &hits {
        let group = match (owner, section) {
            (Owner::Reply(g), Section::Reply) | (Owner::Note(g), Section::Note) => g,
            _ => continue,
        };
        if foreign_sentences
            .iter()
            .any(|s| s.0 <= start && start < s.1)
        {
            continue;
        }
        if reading.uncommitted(start) {
            continue;
        }
        if section == Section::Reply && !structured(text, &reading, words, &counts, &covered, start)
        {
            continue;
        }
        if let Some(scope) = reading
            .scopes
            .iter()
            .find(|s| crate::matching::Negation::negates(std::slice::from_ref(s), start, end))
        {
            if !negated.iter().any(|c| c.group == group) {
                negated.push(Contradiction {
                    group,
                    marker: text[start..end].to_owned(),
                    trigger: text[scope.trigger.0..scope.trigger.1].to_owned(),
                });
            }
        } else if !met.contains(&group) {
            met.push(group);
        }
    }
    // A group is contradicted only when none of its occurrences is
    // affirmative.
    negated.retain(|c| !met.contains(&c.group));
    meets(met, negated, foreign)
}

/// Whether the clause around a marker at `at` has sentence structure: two
/// substance words or more, one of them not a marker word ("Refund
/// approved" has it; "UTC." and "refund, duplicate charge" do not).
fn structured(
    text: &str,
    reading: &Reading,
    words: &[(usize, usize)],
    counts: &[bool],
    covered: &dyn Fn(&(usize, usize)) -> bool,
    at: usize,
) -> bool {
    let (start, end) = reading.clause(at);
    let mut total = 0;
    let mut other = 0;
    for (w, counts) in words.iter().zip(counts) {
        if w.0 >= start && w.1 <= end && *counts {
            total += 1;
            if !covered(w) {
                other += 1;
            }
        }
    }
    if total < 2 || other == 0 {
        return false;
    }
    // A long sentence without function words is a word soup, not a
    // sentence ("Riya invoice refund card Pro annual duplicate charge ...").
    let Some(sentence) = reading.sentence(at) else {
        return true;
    };
    let inside: Vec<&(usize, usize)> = words
        .iter()
        .filter(|w| w.0 >= sentence.start && w.1 <= sentence.end)
        .collect();
    if inside.len() < SOUP_WORDS {
        return true;
    }
    let function_words = inside
        .iter()
        .filter(|w| is_function_word(&text[w.0..w.1]))
        .count();
    // Padded with one token ("the the the refund the the the ..."): the
    // commonest word makes up more than 30% of the sentence.
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for w in &inside {
        *counts.entry(&text[w.0..w.1]).or_insert(0) += 1;
    }
    let commonest = counts.values().copied().max().unwrap_or(0);
    function_words * 10 >= inside.len() && commonest * 10 <= inside.len() * 3
}

/// From this many words on, a sentence needs one function word in ten.
const SOUP_WORDS: usize = 8;

/// Why a text is off-topic for its task, if it is: more than `off_topic` of
/// its content words (substance words that are not function words) lie in
/// clauses that say nothing of the task (two content words or more, none
/// of them a word of the task's own texts, and no marker).
fn off_topic(
    rt: &TaskRuntime,
    text: &str,
    reading: &Reading,
    counts: &[bool],
    covered: &dyn Fn(&(usize, usize)) -> bool,
) -> Option<String> {
    let limit = rt.grading.off_topic;
    if limit >= 1.0 {
        return None;
    }
    let content: Vec<(usize, usize)> = reading
        .words
        .iter()
        .zip(counts)
        .filter(|(w, c)| {
            let word = &text[w.0..w.1];
            **c && word.chars().count() >= 3
                && word.chars().all(char::is_alphabetic)
                && !is_function_word(word)
        })
        .map(|(w, _)| *w)
        .collect();
    // Too short to judge: a terse reply is not off-topic for its length.
    if content.len() < 8 {
        return None;
    }
    let mut foreign = 0;
    let mut example: Option<(usize, usize)> = None;
    for &(start, end) in &reading.clauses {
        let inside: Vec<&(usize, usize)> = content
            .iter()
            .filter(|w| w.0 >= start && w.1 <= end)
            .collect();
        if inside.len() < 2 || inside.iter().any(|w| covered(w)) {
            continue;
        }
        let related = inside.iter().any(|w| {
            rt.vocabulary
                .contains(rt.negation.stem(&text[w.0..w.1]).as_ref())
        });
        if !related {
            foreign += inside.len();
            example.get_or_insert((start, end));
        }
    }
    let share = foreign as f64 / content.len() as f64;
    (share > limit + 1e-9).then(|| {
        format!(
            "off_topic: {foreign} of its {} content words ({share:.2}) are in clauses that share \
             no word with this task's ticket, knowledge base, objective or rules (such as \"{}\"), \
             more than {limit}",
            content.len(),
            example.map_or("", |(s, e)| text[s..e].trim())
        )
    })
}

/// How the grader reads one text sent alone (for authors' examples).
#[derive(Clone, Debug, PartialEq)]
pub struct TextReading {
    /// Per group of the text's section: whether the text meets it.
    pub met: Vec<bool>,
    /// Why the text meets no group, if it is voided.
    pub voided: Option<String>,
    /// The groups it negates, with the marker and the trigger.
    pub contradicted: Vec<Contradiction>,
    /// A sentence confidently in another language, and which.
    pub foreign: Option<String>,
}

impl TaskRuntime {
    /// Reads a reply (or a note) as the grader would if it were the first
    /// text of an episode.
    pub fn read(&self, reply: bool, text: &str) -> TextReading {
        let section = if reply { Section::Reply } else { Section::Note };
        let groups = if reply {
            self.markers.reply_groups
        } else {
            self.markers.note_groups
        };
        let normalized = crate::matching::normalize_pattern(text);
        match grade(self, section, text, &normalized, &[]) {
            Verdict::Void { reason, foreign } => TextReading {
                met: vec![false; groups],
                voided: Some(reason),
                contradicted: Vec::new(),
                foreign,
            },
            Verdict::Meets {
                groups: hit,
                contradicted,
                foreign,
            } => {
                let mut met = vec![false; groups];
                for g in hit {
                    met[g] = true;
                }
                TextReading {
                    met,
                    voided: None,
                    contradicted,
                    foreign,
                }
            }
        }
    }
}
