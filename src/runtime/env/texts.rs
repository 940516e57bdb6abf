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

use serde::{Deserialize, Serialize};

use super::{Owner, TaskRuntime};
use crate::matching::MatchMode;
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
                .get_or_init(|| read(rt, section, normalized, earlier, header_len(text)))
                .clone();
        }
    }
    let header = match section {
        Section::Reply => header_len(text),
        Section::Note => 0,
    };
    read(rt, section, normalized, earlier, header)
}

/// How many bytes of a text's normalized form are e-mail header lines at
/// its top (lines opening with `Re:`, `Fw:`, `Fwd:` or `Subject:`, and the
/// blank lines among them) with a body after them; 0 when there are none.
fn header_len(text: &str) -> usize {
    const HEADERS: [&str; 4] = ["re:", "fw:", "fwd:", "subject:"];
    let mut end = 0;
    let mut headers = false;
    for line in text.split_inclusive('\n') {
        let head = line.trim_start();
        let is_header = HEADERS.iter().any(|h| {
            head.get(..h.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(h))
        });
        if is_header && line.ends_with('\n') {
            headers = true;
        } else if !line.trim().is_empty() {
            break;
        }
        end += line.len();
    }
    if !headers || text[end..].trim().is_empty() {
        return 0;
    }
    crate::matching::normalize_pattern(&text[..end]).len()
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
    let mut counts: crate::matching::WordMap<&str, usize> = Default::default();
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

/// How many words in a row a reply sentence may share with the ticket,
/// knowledge base or objective before it is a quotation, not an answer
/// ("Per KB-102: customer replies for approved duplicate-charge refunds
/// must confirm that a refund is being processed..."). Twelve: a competent
/// reply follows the knowledge base's guidance in its words ("the on-call
/// engineering team is engaged and ...", eight words of INC-303), but does
/// not copy a whole sentence of it.
pub(crate) const ECHO_WORDS: usize = 12;

/// The alphabetic words of a normalized text.
fn letter_words(normalized: &str) -> Vec<&str> {
    crate::matching::word_spans(normalized)
        .into_iter()
        .map(|(s, e)| &normalized[s..e])
        .filter(|w| w.chars().all(char::is_alphabetic))
        .collect()
}

fn window_hash(words: &[&str]) -> u64 {
    combine(words.iter().map(|w| word_hash(w)))
}

/// One word's hash.
fn word_hash(word: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::matching::WordHasher::default();
    h.write(word.as_bytes());
    h.finish()
}

/// The hash of a run of words from their hashes: each word is hashed once
/// however many runs hold it.
fn combine(hashes: impl Iterator<Item = u64>) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::matching::WordHasher::default();
    for x in hashes {
        h.write_u64(x);
    }
    h.finish()
}

/// The hashes of every [`ECHO_WORDS`]-word run of a task's own texts.
pub(super) fn material(task: &crate::spec::TaskSpec) -> crate::matching::WordSet<u64> {
    let t = &task.ticket;
    let mut texts: Vec<&str> = vec![&task.objective, &t.subject, &t.body, &t.business_impact];
    texts.extend(t.secondary_concerns.iter().map(String::as_str));
    for kb in &task.knowledge_base {
        texts.push(&kb.content);
    }
    let mut out = crate::matching::WordSet::default();
    for short in std::iter::once(&t.subject)
        .chain(std::iter::once(&task.title))
        .chain(task.knowledge_base.iter().map(|kb| &kb.title))
    {
        let normalized = crate::matching::normalize_pattern(&short.replace('_', " "));
        out.insert(whole_hash(&letter_words(&normalized)));
    }
    for text in texts {
        let normalized = crate::matching::normalize_pattern(&text.replace('_', " "));
        let hashes: Vec<u64> = letter_words(&normalized)
            .iter()
            .map(|w| word_hash(w))
            .collect();
        for window in hashes.windows(ECHO_WORDS) {
            out.insert(combine(window.iter().copied()));
        }
        for three in hashes.windows(3) {
            out.insert(trigram_of(three));
        }
    }
    out
}

/// Whether a normalized sentence copies a run of the task's own texts, or
/// is (a clause of it being) the ticket's subject or a knowledge-base title
/// word for word.
fn echoes(rt: &TaskRuntime, reading: &Reading, text: &str, start: usize, end: usize) -> bool {
    if rt.material.is_empty() {
        return false;
    }
    // The reading's words are the sentence's words, unless an `_` joins
    // two of them (the task's texts are read with `_` as a space).
    let joined = text[start..end].contains('_');
    let owned;
    let words: Vec<&str> = if joined {
        owned = text[start..end].replace('_', " ");
        letter_words(&owned)
    } else {
        reading.words[words_in(&reading.words, start, end)]
            .iter()
            .map(|&(s, e)| &text[s..e])
            .filter(|w| w.chars().all(char::is_alphabetic))
            .collect()
    };
    let hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
    if hashes
        .windows(ECHO_WORDS)
        .any(|w| rt.material.contains(&combine(w.iter().copied())))
    {
        return true;
    }
    // Reworded a word in ten, it is still a copy: most of its runs of
    // three words are the task's own.
    if words.len() >= FUZZY_ECHO_WORDS {
        let runs = words.len() - 2;
        let copied = hashes
            .windows(3)
            .filter(|w| rt.material.contains(&trigram_of(w)))
            .count();
        if copied * 100 >= runs * ECHO_SHARE {
            return true;
        }
    }
    reading
        .clauses
        .iter()
        .filter(|c| c.0 >= start && c.1 <= end)
        .any(|&(s, e)| {
            let clause = text[s..e].replace('_', " ");
            let words = letter_words(&clause);
            words.len() >= 4 && rt.material.contains(&whole_hash(&words))
        })
}

/// The indices of the words (sorted, disjoint byte ranges) that lie wholly
/// within `start..end`.
fn words_in(words: &[(usize, usize)], start: usize, end: usize) -> std::ops::Range<usize> {
    let lo = words.partition_point(|w| w.0 < start);
    let hi = words.partition_point(|w| w.1 <= end);
    lo..hi.max(lo)
}

/// Which words overlap a marker occurrence.
fn covered_words(
    words: &[(usize, usize)],
    hits: impl Iterator<Item = (usize, usize)>,
) -> Vec<bool> {
    let mut out = vec![false; words.len()];
    for (start, end) in hits {
        let lo = words.partition_point(|w| w.1 <= start);
        let hi = words.partition_point(|w| w.0 < end);
        for c in out.iter_mut().take(hi).skip(lo) {
            *c = true;
        }
    }
    out
}

/// The hash of a run of three words (from their hashes), apart from the
/// runs of twelve.
fn trigram_of(hashes: &[u64]) -> u64 {
    combine(std::iter::once(THREE).chain(hashes.iter().copied()))
}

/// Tells runs of three words apart from runs of twelve.
const THREE: u64 = 0x7468_7265_6500_0003;

/// From this share (in percent) of its runs of three words found in the
/// task's own texts, a sentence of [`FUZZY_ECHO_WORDS`] words or more is a
/// copy.
const ECHO_SHARE: usize = 60;

/// A shorter sentence may name what the knowledge base names ("Please
/// reply with your tenant region, DPA amendment ID, and legal contact
/// email." shares most of its runs with the article that asks for them).
const FUZZY_ECHO_WORDS: usize = 20;

/// The hash of a whole short text (a subject, a title), apart from the
/// runs of [`ECHO_WORDS`] words.
fn whole_hash(words: &[&str]) -> u64 {
    window_hash(&[&["\u{0}whole"], words].concat())
}

/// Where the text after a retraction starts, if a reply takes back what
/// was sent ("please disregard my previous message", "the message above
/// went out by mistake") or reverses a commitment made ("the earlier
/// approval has been withdrawn", "we have to rescind the refund"): the end
/// of the sentence that says it. A negated one takes nothing back ("we
/// won't reverse the refund").
pub(super) fn retraction(rt: &TaskRuntime, normalized: &str) -> Option<usize> {
    static PHRASES: std::sync::LazyLock<crate::matching::Matcher> =
        std::sync::LazyLock::new(|| {
            let mut phrases: Vec<String> = Vec::new();
            for verb in ["disregard", "ignore"] {
                for det in ["my", "our", "the", "that", "this"] {
                    for adj in ["previous", "last", "earlier", "above", "prior", ""] {
                        for noun in ["message", "reply", "email", "response", "note"] {
                            let adj = if adj.is_empty() {
                                String::new()
                            } else {
                                format!("{adj} ")
                            };
                            phrases.push(format!("{verb} {det} {adj}{noun}"));
                        }
                    }
                }
                for rest in [
                    "everything above",
                    "all of the above",
                    "the above",
                    "what i wrote",
                ] {
                    phrases.push(format!("{verb} {rest}"));
                }
            }
            // Taking back what was just said.
            for phrase in [
                "scratch that",
                "strike that",
                "on second thought",
                "on second thoughts",
                "i misspoke",
            ] {
                phrases.push(phrase.into());
            }
            for verb in ["sent", "went out", "was sent"] {
                for how in ["in error", "by mistake", "by accident"] {
                    phrases.push(format!("{verb} {how}"));
                }
            }
            // A commitment reversed: passive ("the approval has been
            // withdrawn") or active ("we are withdrawing our earlier offer").
            for noun in COMMITMENTS {
                for aux in [
                    "has been",
                    "have been",
                    "had been",
                    "was",
                    "were",
                    "is",
                    "is being",
                ] {
                    for done in REVERSED {
                        phrases.push(format!("{noun} {aux} {done}"));
                    }
                }
                for verb in REVERSING.iter().chain(&REVERSED) {
                    for det in ["my", "our", "the", "that", "this", "your"] {
                        for adj in ["previous ", "last ", "earlier ", "prior ", ""] {
                            phrases.push(format!("{verb} {det} {adj}{noun}"));
                        }
                    }
                }
            }
            crate::matching::Matcher::with_strategy(
                phrases.iter().map(|p| (p.as_str(), MatchMode::Word)),
                crate::matching::Strategy::Automaton,
            )
        });
    let mut hits: Vec<(usize, usize)> = Vec::new();
    PHRASES.scan_normalized(normalized, |_, start, end| hits.push((start, end)));
    if hits.is_empty() {
        return None;
    }
    let reading = rt.negation.read(normalized);
    let end = hits
        .into_iter()
        .filter(|&(start, end)| !reading.negated(start, end))
        .map(|h| h.1)
        .max()?;
    // The end of the sentence holding the last retraction.
    Some(
        reading
            .sentence(end - 1)
            .map_or(normalized.len(), |s| s.end),
    )
}

/// What a reply commits to that a later one can reverse (nouns a reply
/// uses for its own earlier promise; not `charge` or `request`: "the
/// duplicate charge was reversed" is the refund, not its reversal).
const COMMITMENTS: [&str; 7] = [
    "approval",
    "offer",
    "confirmation",
    "refund",
    "promise",
    "message",
    "reply",
];

/// Verbs that reverse a commitment, as participles...
const REVERSED: [&str; 11] = [
    "withdrawn",
    "revoked",
    "rescinded",
    "retracted",
    "reversed",
    "cancelled",
    "canceled",
    "overturned",
    "taken back",
    "pulled back",
    "voided",
];

/// ... and in their other forms.
const REVERSING: [&str; 21] = [
    "withdraw",
    "withdrew",
    "withdrawing",
    "revoke",
    "revoking",
    "rescind",
    "rescinding",
    "retract",
    "retracting",
    "reverse",
    "reversing",
    "cancel",
    "cancelling",
    "canceling",
    "overturn",
    "overturning",
    "take back",
    "took back",
    "taking back",
    "void",
    "voiding",
];

/// Whether a word is an English function word (the stop-word list of the
/// `stop-words` crate, NLTK's).
pub(crate) fn is_function_word(word: &str) -> bool {
    static WORDS: std::sync::LazyLock<crate::matching::WordSet<&'static str>> =
        std::sync::LazyLock::new(|| {
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
    header: usize,
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
    if hits.is_empty() && section == Section::Note {
        return Verdict::Meets {
            groups: Vec::new(),
            contradicted: Vec::new(),
            foreign: None,
        };
    }
    let reading = rt.negation.read(text);
    // The customer's language (replies only: notes are internal).
    let mut foreign_sentences: Vec<(usize, usize)> = Vec::new();
    let mut foreign = None;
    if section == Section::Reply {
        let words = &reading.words;
        let mut foreign_words = 0;
        for s in &reading.sentences {
            let n = words_in(words, s.start, s.end).len();
            if n < 3 {
                continue;
            }
            if let Some(lang) = rt.languages.foreign(&text[s.start..s.end]) {
                foreign_sentences.push((s.start, s.end));
                foreign_words += n;
                foreign.get_or_insert(lang);
            }
        }
        // Header lines ("Re: Refund of your duplicate charge") title a
        // message; they say nothing to the customer and earn nothing.
        if header > 0 {
            foreign_sentences.push((0, header));
        }
        // A sentence that quotes the ticket or knowledge base earns nothing.
        for s in &reading.sentences {
            if echoes(rt, &reading, text, s.start, s.end) {
                foreign_sentences.push((s.start, s.end));
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
    let facts = Facts::new(text, &reading, hits.iter().map(|h| (h.1, h.2)));
    // A salad crams markers together with little else: several groups, or
    // several alternatives of one.
    let limit = match section {
        Section::Reply => g.marker_density,
        Section::Note => g.note_marker_density,
    };
    if patterns_hit.len() >= 2 && limit < 1.0 {
        let total = facts.substance.iter().filter(|c| **c).count();
        let marker_words = facts
            .substance
            .iter()
            .zip(&facts.covered)
            .filter(|(c, m)| **c && **m)
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
    if let Some(reason) = off_topic(rt, &facts) {
        return Verdict::Void { reason, foreign };
    }
    // Whether each sentence is a word soup, found once.
    let mut soups: Vec<Option<bool>> = vec![None; reading.sentences.len()];
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
        // A marker negated inside a condition ("if it hasn't arrived
        // within 5-7 business days") refuses nothing, and meets nothing.
        if reading.supposed(start) && reading.negated(start, end) {
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
        } else if !met.contains(&group)
            && (section == Section::Note || structured(rt, &facts, &hits, start, &mut soups))
        {
            met.push(group);
        }
    }
    // A group is contradicted only when none of its occurrences is
    // affirmative.
    negated.retain(|c| !met.contains(&c.group));
    // A repeated refusal is a refusal (contradicted); a repeated answer
    // with other markers is a shotgun.
    if !met.is_empty() {
        if let Some(reason) = shotgun(&facts) {
            return Verdict::Void { reason, foreign };
        }
    }
    meets(met, negated, foreign)
}

/// What the grader knows of each word of a text, found once per text.
struct Facts<'a> {
    text: &'a str,
    reading: &'a Reading,
    /// Whether each word counts for substance (see [`substance`]).
    substance: Vec<bool>,
    /// Whether each word overlaps a marker occurrence.
    covered: Vec<bool>,
    /// Whether each word is a function word.
    function: Vec<bool>,
}

impl<'a> Facts<'a> {
    /// The facts of a normalized text read as `reading`, with its marker
    /// occurrences `(start, end)`.
    fn new(
        text: &'a str,
        reading: &'a Reading,
        markers: impl Iterator<Item = (usize, usize)>,
    ) -> Self {
        let words = &reading.words;
        Facts {
            text,
            reading,
            substance: substance(text, words),
            covered: covered_words(words, markers),
            function: words
                .iter()
                .map(|w| is_function_word(&text[w.0..w.1]))
                .collect(),
        }
    }

    /// Whether word `i` is a content word: a substance word of three
    /// letters or more, not a function word.
    fn content(&self, i: usize) -> bool {
        let (s, e) = self.reading.words[i];
        let word = &self.text[s..e];
        self.substance[i]
            && !self.function[i]
            && word.chars().count() >= 3
            && word.chars().all(char::is_alphabetic)
    }

    /// Whether word `i`'s stem is a word of the task's own texts.
    fn of_the_task(&self, rt: &TaskRuntime, i: usize) -> bool {
        let (s, e) = self.reading.words[i];
        rt.negation
            .with_stem(&self.text[s..e], |stem| rt.vocabulary.contains(stem))
    }
}

/// Whether the clause around a marker at `at` has sentence structure: two
/// substance words or more, one of them not a marker word ("Refund
/// approved" has it; "UTC." and "refund, duplicate charge" do not).
/// `soups` remembers, per sentence, whether it is a word soup.
fn structured(
    rt: &TaskRuntime,
    f: &Facts,
    hits: &[(Owner, usize, usize)],
    at: usize,
    soups: &mut [Option<bool>],
) -> bool {
    let (start, end) = f.reading.clause(at);
    // An item of a list takes the structure of a clause of the task that
    // opens the list: "please send request IDs, UTC timestamps, and the
    // affected region". A salad of items opens with no such clause ("Thanks
    // for your patience, refund, duplicate charge" opens with a courtesy),
    // and a padded one fails the marker density first.
    let listed = || {
        // Within the sentence: a colon may open the list ("we need three
        // things from you: your tenant region, the DPA amendment ID, ...").
        let opening = f.reading.sentence(at).map_or(start, |s| s.start);
        f.reading
            .clauses
            .iter()
            .filter(|c| c.0 >= opening && c.1 <= start)
            .any(|&(s, e)| clause_structure(f, hits, s, e) && about_the_task(rt, f, hits, s, e))
    };
    if !clause_structure(f, hits, start, end) && !listed() {
        return false;
    }
    let Some(k) = f
        .reading
        .sentences
        .iter()
        .position(|s| s.start <= at && at < s.end)
    else {
        return true;
    };
    !*soups[k].get_or_insert_with(|| soup(f, f.reading.sentences[k]))
}

/// Whether the clause `start..end` holds a marker, or a content word that
/// shares its stem with the task's own texts.
fn about_the_task(
    rt: &TaskRuntime,
    f: &Facts,
    hits: &[(Owner, usize, usize)],
    start: usize,
    end: usize,
) -> bool {
    hits.iter().any(|h| h.1 >= start && h.2 <= end)
        || words_in(&f.reading.words, start, end).any(|i| f.content(i) && f.of_the_task(rt, i))
}

/// Whether the clause `start..end` has structure of its own (see
/// [`structured`]).
fn clause_structure(f: &Facts, hits: &[(Owner, usize, usize)], start: usize, end: usize) -> bool {
    let words = &f.reading.words;
    let mut total = 0;
    let mut content = 0;
    let mut function: Vec<&str> = Vec::new();
    for i in words_in(words, start, end) {
        if !f.substance[i] {
            continue;
        }
        total += 1;
        if f.covered[i] {
            continue;
        }
        if f.function[i] {
            let word = &f.text[words[i].0..words[i].1];
            if !function.contains(&word) {
                function.push(word);
            }
        } else {
            content += 1;
        }
    }
    // Beside its markers, a word of its own ("Refund approved", "allow
    // 5-7 business days"), or two function words ("We refunded you"), or
    // one joining markers of two groups ("refund the duplicate charge"); a
    // preposition alone does not make "within 5-7 business days" a
    // sentence.
    let groups = {
        let mut owners: Vec<Owner> = Vec::new();
        for h in hits.iter().filter(|h| h.1 >= start && h.2 <= end) {
            if !owners.contains(&h.0) {
                owners.push(h.0);
            }
        }
        owners.len()
    };
    // A subject pronoun makes a clause of its marker: "we can't provide a
    // bypass".
    let subject = function.iter().any(|w| SUBJECTS.contains(w));
    // A coordinator joins like items into a list and makes no statement:
    // "Request IDs and UTC." names two markers and says nothing of them.
    let linking = function.len() == 1 && groups >= 2 && !COORDINATORS.contains(&function[0]);
    let joined = subject || function.len() >= 2 || linking;
    total >= 2 && (content > 0 || joined)
}

/// Whether a sentence is a word soup, not a sentence: a long one without
/// function words ("Riya invoice refund card Pro annual duplicate charge
/// ..."), or one padded with one token ("the the the refund the the the
/// ...": the commonest word makes up more than 30% of it).
fn soup(f: &Facts, sentence: crate::matching::Sentence) -> bool {
    let range = words_in(&f.reading.words, sentence.start, sentence.end);
    let n = range.len();
    if n < SOUP_WORDS {
        return false;
    }
    let function_words = f.function[range.clone()].iter().filter(|x| **x).count();
    let mut counts: crate::matching::WordMap<&str, usize> = Default::default();
    for &(s, e) in &f.reading.words[range] {
        *counts.entry(&f.text[s..e]).or_insert(0) += 1;
    }
    let commonest = counts.values().copied().max().unwrap_or(0);
    !(function_words * 10 >= n && commonest * 10 <= n * 3)
}

/// Words that join like items into a list.
const COORDINATORS: [&str; 6] = ["and", "or", "nor", "plus", "&", "and/or"];

/// Pronouns that stand as a clause's subject.
const SUBJECTS: [&str; 8] = ["i", "we", "you", "they", "he", "she", "it", "i'm"];

/// From this many words on, a sentence needs one function word in ten.
const SOUP_WORDS: usize = 8;

/// Why a text is off-topic for its task, if it is: more than `off_topic` of
/// its content words (substance words that are not function words) lie in
/// clauses that say nothing of the task (two content words or more, none
/// of them a word of the task's own texts, and no marker).
fn off_topic(rt: &TaskRuntime, f: &Facts) -> Option<String> {
    let limit = rt.grading.off_topic;
    if limit >= 1.0 {
        return None;
    }
    let r = relevance(rt, f);
    // A few unrelated words are a greeting or a sign-off, whatever the
    // share: a short reply is not off-topic for its length.
    if r.foreign < MIN_FOREIGN_WORDS {
        return None;
    }
    let share = r.foreign as f64 / r.content as f64;
    (share > limit + 1e-9).then(|| {
        format!(
            "off_topic: {} of its {} content words ({share:.2}) are in clauses that share \
             no word with this task's ticket, knowledge base, objective or rules (such as \"{}\"), \
             more than {limit}",
            r.foreign,
            r.content,
            r.example.map_or("", |(s, e)| f.text[s..e].trim())
        )
    })
}

/// A shotgun says one sentence twice or more with other markers in it
/// ("We refund the duplicate charge in 5-7 business days. We refund the
/// double charge in 5-7 business days."): a competent reply says a thing
/// once, so a text that repeats a sentence, its markers aside, is trying
/// alternatives and earns nothing. Sentences are compared word by word
/// with each run of marker words as one slot; a sentence with fewer than
/// [`SHOTGUN_MIN_WORDS`] other words ("Refund approved.") is too short to
/// tell a repeat from a coincidence.
fn shotgun(f: &Facts) -> Option<String> {
    let words = &f.reading.words;
    let mut seen: Vec<(Vec<&str>, (usize, usize))> = Vec::new();
    for s in &f.reading.sentences {
        let range = words_in(words, s.start, s.end);
        if !range.clone().any(|i| f.covered[i]) {
            continue;
        }
        let mut shape: Vec<&str> = Vec::new();
        let mut plain = 0;
        for i in range {
            if f.covered[i] {
                if shape.last() != Some(&MARKER_SLOT) {
                    shape.push(MARKER_SLOT);
                }
            } else {
                shape.push(&f.text[words[i].0..words[i].1]);
                plain += 1;
            }
        }
        if plain < SHOTGUN_MIN_WORDS {
            continue;
        }
        if let Some((_, first)) = seen.iter().find(|(other, _)| *other == shape) {
            return Some(format!(
                "shotgun: \"{}\" repeats \"{}\" with other markers",
                f.text[s.start..s.end].trim(),
                f.text[first.0..first.1].trim()
            ));
        }
        seen.push((shape, (s.start, s.end)));
    }
    None
}

/// The slot of a run of marker words in a sentence's shape.
const MARKER_SLOT: &str = "\u{0}";

/// Words other than markers a sentence needs for [`shotgun`] to compare it.
const SHOTGUN_MIN_WORDS: usize = 3;

/// Up to this many content words, a clause sharing one word with the task
/// is related; a longer one must share two.
const RELATED_ONE_WORD: usize = 4;

/// Below this many content words in unrelated clauses a text is not
/// off-topic.
const MIN_FOREIGN_WORDS: usize = 8;

/// How much of a text says nothing of its task.
pub(crate) struct Relevance {
    /// Content words: substance words that are not function words, of
    /// three letters or more.
    pub content: usize,
    /// Content words in clauses that share no word stem with the task's
    /// own texts and hold none of its markers.
    pub foreign: usize,
    /// The first such clause.
    pub example: Option<(usize, usize)>,
}

fn relevance(rt: &TaskRuntime, f: &Facts) -> Relevance {
    let words = &f.reading.words;
    let content: Vec<usize> = (0..words.len()).filter(|&i| f.content(i)).collect();
    let mut foreign = 0;
    let mut example: Option<(usize, usize)> = None;
    for &(start, end) in &f.reading.clauses {
        let range = words_in(words, start, end);
        let lo = content.partition_point(|&i| i < range.start);
        let hi = content.partition_point(|&i| i < range.end);
        let inside = &content[lo..hi.max(lo)];
        if inside.len() < 2 || inside.iter().any(|&i| f.covered[i]) {
            continue;
        }
        // One shared word relates a short clause; a longer one must share
        // two ("the on-call engineering team is investigating the incident
        // using your request IDs" shares only "request" with a billing
        // ticket).
        let shared = inside.iter().filter(|&&i| f.of_the_task(rt, i)).count();
        let related = shared
            >= if inside.len() > RELATED_ONE_WORD {
                2
            } else {
                1
            };
        if !related {
            foreign += inside.len();
            example.get_or_insert((start, end));
        }
    }
    Relevance {
        content: content.len(),
        foreign,
        example,
    }
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
    /// How many content words a reply has, and how many of them lie in
    /// clauses that say nothing of this task (the relevance rule's
    /// numbers, for authors and for measuring the rule).
    pub fn relevance(&self, text: &str) -> (usize, usize) {
        let normalized = crate::matching::normalize_pattern(text);
        let reading = self.negation.read(&normalized);
        let mut hits: Vec<(usize, usize)> = Vec::new();
        self.markers
            .required
            .scan_normalized(&normalized, |_, s, e| hits.push((s, e)));
        let facts = Facts::new(&normalized, &reading, hits.into_iter());
        let r = relevance(self, &facts);
        (r.content, r.foreign)
    }

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
