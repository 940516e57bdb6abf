//! How a normalized text is read (contract v3, rules 3 and 4): its words,
//! sentences and clauses, the negation scopes in it, and the parts of it
//! that are not commitments (questions, `if` clauses, conditional
//! sentences).
//!
//! Negation is scoped by clause, after NegEx (Chapman et al., 2001) but
//! without its fixed window: a trigger (`not`, `cant`, `never`, a refusal
//! verb such as `declined` in any tense) negates forward to the end of its
//! clause (a sentence end, `;`, `:`, a comma, `but`, `however`, ...; a
//! comma right after the trigger opens a parenthesis the scope runs
//! through: "We will not, after careful review, issue the refund"). A
//! trigger in a passive or copular position (after `is`, `was`, `has
//! been`, ..., or before `be`: "your refund has been declined", "the
//! refund will not be issued") negates backward to the start of its clause
//! too. Pseudo-triggers (`not a problem`, `if you haven't already`, ...)
//! look like triggers and negate nothing. A marker occurrence whose start
//! lies in a scope is negated; a trigger inside the occurrence itself never
//! negates it, so the marker `cannot provide a bypass` is met by "we cannot
//! provide a bypass".

use std::collections::HashSet;

use rust_stemmers::{Algorithm, Stemmer};

use super::{is_word_char, MatchMode, Matcher};

/// What a reader is built from (the domain declares these; the spec's
/// defaults are English).
#[derive(Clone, Debug, PartialEq)]
pub struct NegationRules<'a> {
    pub triggers: &'a [String],
    /// Phrases that negate what comes before them only (`is not needed`).
    pub post_triggers: &'a [String],
    pub pseudo_triggers: &'a [String],
    pub terminators: &'a [String],
    /// Refusal and reversal verbs (`decline`, `reject`, ...): triggers in
    /// any inflection.
    pub verbs: &'a [String],
    /// Words that open a clause that is a condition, not a commitment
    /// (`if`, `unless`, ...).
    pub conditionals: &'a [String],
    /// Words a scope covers at most (a guard; clauses end scopes first).
    pub window: usize,
}

/// A compiled reader of texts.
pub struct Negation {
    /// Tells readers apart in the per-thread cache of readings.
    id: u64,
    /// Triggers, then post-triggers, then pseudo-triggers, then word
    /// terminators, then conditionals (punctuation terminators are single
    /// characters).
    phrases: Matcher,
    triggers: usize,
    post: usize,
    pseudo: usize,
    stops: usize,
    conditionals: usize,
    stop_chars: Vec<char>,
    /// The stems of the refusal verbs.
    verb_stems: HashSet<String>,
    /// The first three letters of each refusal verb's stem: a word that
    /// starts otherwise is not stemmed at all.
    verb_prefixes: HashSet<String>,
    stemmer: Stemmer,
    window: usize,
}

impl std::fmt::Debug for Negation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Negation")
            .field("triggers", &self.triggers)
            .field("verbs", &self.verb_stems.len())
            .finish_non_exhaustive()
    }
}

/// A negated byte range of a normalized text, and the trigger that opened it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub start: usize,
    pub end: usize,
    pub trigger: (usize, usize),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Trigger,
    Post,
    Pseudo,
    Stop,
    Conditional,
    Reported,
}

/// One sentence of a text: its byte range, and whether it asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub question: bool,
}

/// A normalized text as the grader reads it.
#[derive(Clone, Debug, Default)]
pub struct Reading {
    /// Byte ranges of the words.
    pub words: Vec<(usize, usize)>,
    pub sentences: Vec<Sentence>,
    /// Clauses: sentences cut at `;`, `:`, commas and word terminators.
    pub clauses: Vec<(usize, usize)>,
    /// Statements: the same, but commas do not cut them (where a forbidden
    /// act's verb and object must meet).
    pub statements: Vec<(usize, usize)>,
    /// Negation scopes.
    pub scopes: Vec<Scope>,
    /// Ranges that state a condition that commits to nothing (`if we
    /// approve a refund`), and what they make hypothetical.
    pub conditions: Vec<(usize, usize)>,
    /// Every conditional clause, the customer's included (`if you don't
    /// send the tenant region`): what is negated there refuses nothing.
    pub suppositions: Vec<(usize, usize)>,
    /// Reported speech ("you asked us to ...", "you'd like ..."), to the
    /// end of its clause: what the customer asked for, not what is said.
    pub reported: Vec<(usize, usize)>,
    /// Where a precondition word stands ("once", "as soon as", "only
    /// after", "before").
    pub preconditions: Vec<usize>,
}

impl Reading {
    /// Whether an occurrence at `start..end` is negated.
    pub fn negated(&self, start: usize, end: usize) -> bool {
        Negation::negates(&self.scopes, start, end)
    }

    /// Whether an occurrence starting at `at` is not a commitment: in a
    /// question, or inside a condition.
    pub fn uncommitted(&self, at: usize) -> bool {
        self.sentences
            .iter()
            .any(|s| s.question && s.start <= at && at < s.end)
            || self.conditions.iter().any(|c| c.0 <= at && at < c.1)
            || self.reported(at)
    }

    /// Whether byte `at` lies in a conditional clause of any kind.
    pub fn supposed(&self, at: usize) -> bool {
        self.suppositions.iter().any(|c| c.0 <= at && at < c.1)
    }

    /// Whether byte `at` lies in reported speech.
    pub fn reported(&self, at: usize) -> bool {
        self.reported.iter().any(|c| c.0 <= at && at < c.1)
    }

    /// Whether what is said at `at` waits for something: it lies inside an
    /// `if` clause, or its clause (or the clause before it in the sentence,
    /// when that one starts with it) holds a precondition ("we will restore
    /// access once you are verified", "Once verified, we will restore
    /// access"). For acts: a promise made on a condition is not the act.
    pub fn conditional(&self, at: usize) -> bool {
        self.condition(at).is_some()
    }

    /// The condition what is said at `at` waits for (see
    /// [`Reading::conditional`]): the `if` clause or the clause holding the
    /// precondition, as a byte range.
    pub fn condition(&self, at: usize) -> Option<(usize, usize)> {
        if let Some(c) = self.conditions.iter().find(|c| c.0 <= at && at < c.1) {
            return Some(*c);
        }
        let k = self.clauses.iter().position(|c| c.0 <= at && at < c.1)?;
        let (start, end) = self.clauses[k];
        if self.preconditions.iter().any(|&p| start <= p && p < end) {
            return Some((start, end));
        }
        let sentence = self.sentence(at).map_or(0, |s| s.start);
        if k == 0 {
            return None;
        }
        let (ps, pe) = self.clauses[k - 1];
        let opens =
            |p: usize| ps <= p && p < pe && !self.words.iter().any(|w| w.0 >= ps && w.1 <= p);
        // A clause before it that opens with the precondition ("If finance
        // can't wait, reverse the payment with your bank": the act then
        // asks whether the condition is a check).
        (ps >= sentence && self.preconditions.iter().any(|&p| opens(p))).then_some((ps, pe))
    }

    /// The clause around byte `at`.
    pub fn clause(&self, at: usize) -> (usize, usize) {
        self.clauses
            .iter()
            .copied()
            .find(|c| c.0 <= at && at < c.1)
            .unwrap_or((at, at))
    }

    /// The statement around byte `at`.
    pub fn statement(&self, at: usize) -> (usize, usize) {
        self.statements
            .iter()
            .copied()
            .find(|c| c.0 <= at && at < c.1)
            .unwrap_or((at, at))
    }

    /// The sentence around byte `at`.
    pub fn sentence(&self, at: usize) -> Option<Sentence> {
        self.sentences
            .iter()
            .copied()
            .find(|s| s.start <= at && at < s.end)
    }
}

/// Auxiliaries and copulas: a trigger right after one of these (or right
/// before `be`/`been`) is in a passive or copular position and negates its
/// clause's subject too.
const AUXILIARIES: [&str; 30] = [
    "is", "are", "was", "were", "be", "been", "being", "am", "will", "would", "shall", "should",
    "can", "could", "may", "might", "must", "has", "have", "had", "do", "does", "did", "get",
    "got", "gets", "it's", "that's", "there's", "we've",
];

/// Words that make what a clause promises wait for something (for acts
/// only, which then ask whether it waits for a check; "as soon as" and
/// "only after" are found too). Not "until", which
/// says how long, not whether: "MFA is off until the review ends"; nor
/// "before", which puts the act first: "we will restore access before the
/// verification is finished" (acts ask for "before we can" themselves).
const PRECONDITIONS: [&str; 4] = ["once", "after", "when", "if"];

/// Words that point back to what a sentence said before: a negated clause
/// holding one negates that too.
const ANAPHORS: [&str; 2] = ["that", "those"];

/// Words after a conditional that put the condition on the customer's side.
const CUSTOMER: [&str; 7] = [
    "you", "your", "you're", "you've", "you'd", "you'll", "yours",
];

/// The stems of words that name a decision or a finding, which a
/// condition may wait for.
static DECISIONS: std::sync::LazyLock<super::WordSet<String>> = std::sync::LazyLock::new(|| {
    let stemmer = Stemmer::create(Algorithm::English);
    [
        "approve",
        "approval",
        "agree",
        "agreement",
        "confirm",
        "confirmation",
        "decide",
        "decision",
        "verify",
        "verification",
        "review",
        "accept",
        "authorize",
        "authorise",
        "authorization",
        "authorisation",
        "clear",
        "clearance",
        "validate",
        "check",
        "qualify",
        "eligible",
        "determine",
        "conclude",
        "allow",
        "permit",
        "turn",
        "prove",
        "find",
        "sign",
        "greenlight",
        "okay",
        "ok",
    ]
    .iter()
    .map(|w| stemmer.stem(w).into_owned())
    .collect()
});

/// Modals that make what a condition governs hypothetical.
const HYPOTHETICAL: [&str; 4] = ["would", "might", "may", "could"];

/// Relative pronouns: a backward negation scope stops after one.
const RELATIVES: [&str; 6] = ["that", "which", "who", "whom", "whose", "where"];

/// What opens reported speech: the customer's own request said back to
/// them, which neither commits to it nor says a forbidden phrase.
const REPORTED: [&str; 16] = [
    "you asked",
    "you've asked",
    "you have asked",
    "you'd like",
    "you would like",
    "you want",
    "you wanted",
    "you requested",
    "you're asking",
    "you are asking",
    "your request to",
    "your request for",
    "asked us to",
    "asked us for",
    "you mentioned",
    "you suggested",
];

/// How many words after "and" may hold the verb of a clause of its own.
const CLAUSE_LOOKAHEAD: usize = 5;

/// Finite verbs and auxiliaries that make "and ..." a clause of its own.
const FINITE: [&str; 36] = [
    "is", "are", "was", "were", "will", "has", "have", "had", "can", "could", "would", "should",
    "may", "might", "must", "gets", "got", "stays", "remains", "it's", "it'll", "that's",
    "there's", "we'll", "we're", "we've", "i'll", "i'm", "i've", "you'll", "you're", "they'll",
    "they're", "he's", "she's", "goes",
];

/// Negative contractions of a copula: always in a copular position.
const COPULA_NEGATIVES: [&str; 10] = [
    "isn't", "aren't", "wasn't", "weren't", "isnt", "arent", "wasnt", "werent", "ain't", "aint",
];

/// Whether `c` ends a sentence at byte `at` of `text` (a `.` between digits
/// or letters, as in `5.7` or `e.g`, does not). The ideographic full stop
/// `。` ends one too (full-width `！` and `？` are `!` and `?` once
/// normalized).
fn ends_sentence(text: &str, at: usize, c: char) -> bool {
    match c {
        '!' | '?' | '\n' | '。' => true,
        '.' => {
            let next = text[at + 1..].chars().next();
            next.is_none_or(|n| n.is_whitespace() || matches!(n, '\'' | ')' | '.'))
        }
        _ => false,
    }
}

/// Whether the character at byte `at` stands between two digits (`10:30`,
/// `1,000`): no clause ends there.
fn between_digits(text: &str, at: usize) -> bool {
    let c = text[at..].chars().next().map_or(1, char::len_utf8);
    let before = text[..at].chars().next_back();
    let after = text[at + c..].chars().next();
    before.is_some_and(|b| b.is_ascii_digit()) && after.is_some_and(|a| a.is_ascii_digit())
}

impl Negation {
    pub fn new(rules: &NegationRules<'_>) -> Self {
        let mut patterns: Vec<(&str, MatchMode)> = Vec::new();
        let mut stop_chars = Vec::new();
        for list in [rules.triggers, rules.post_triggers, rules.pseudo_triggers] {
            patterns.extend(list.iter().map(|t| (t.as_str(), MatchMode::Word)));
        }
        let mut stops = 0;
        for t in rules.terminators {
            let mut chars = t.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !is_word_char(c) => stop_chars.push(c),
                _ => {
                    patterns.push((t.as_str(), MatchMode::Word));
                    stops += 1;
                }
            }
        }
        patterns.extend(
            rules
                .conditionals
                .iter()
                .map(|t| (t.as_str(), MatchMode::Word)),
        );
        let conditionals = rules.conditionals.len();
        patterns.extend(REPORTED.iter().map(|t| (*t, MatchMode::Word)));
        let stemmer = Stemmer::create(Algorithm::English);
        let verb_stems: HashSet<String> = rules
            .verbs
            .iter()
            .map(|v| stemmer.stem(&super::normalize_pattern(v)).into_owned())
            .collect();
        static IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Negation {
            id: IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            phrases: Matcher::with_strategy(patterns, super::Strategy::Dfa),
            triggers: rules.triggers.len(),
            post: rules.post_triggers.len(),
            pseudo: rules.pseudo_triggers.len(),
            stops,
            conditionals,
            stop_chars,
            verb_prefixes: verb_stems
                .iter()
                .filter_map(|s: &String| s.get(..3).map(str::to_owned))
                .collect(),
            verb_stems,
            stemmer,
            window: rules.window.max(1),
        }
    }

    /// The English stem of a normalized word.
    pub fn stem<'w>(&self, word: &'w str) -> std::borrow::Cow<'w, str> {
        self.stemmer.stem(word)
    }

    /// The stems of a phrase's words (the phrase normalized first), as a
    /// forbidden act's verbs and objects are compiled.
    pub fn phrase_stems(&self, phrase: &str) -> Vec<String> {
        let normalized = super::normalize_pattern(phrase);
        word_spans(&normalized)
            .into_iter()
            .map(|(s, e)| self.stem(&normalized[s..e]).into_owned())
            .collect()
    }

    /// [`Negation::stem`], remembered per thread (the words of tickets and
    /// replies repeat; the memory is bounded).
    pub fn stem_cached(&self, word: &str) -> String {
        self.with_stem(word, str::to_owned)
    }

    /// Calls `f` with the stem of a normalized word, remembered per thread
    /// (the words of tickets and replies repeat; the memory is bounded).
    pub fn with_stem<R>(&self, word: &str, f: impl FnOnce(&str) -> R) -> R {
        use std::cell::RefCell;
        type Memo = super::WordMap<Box<str>, Box<str>>;
        thread_local! {
            static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
        }
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            if let Some(stem) = memo.get(word) {
                return f(stem);
            }
            if memo.len() >= 100_000 {
                memo.clear();
            }
            let stem: Box<str> = self.stemmer.stem(word).into();
            let out = f(&stem);
            memo.insert(word.into(), stem);
            out
        })
    }

    /// Whether a word may stem to a refusal verb (its first three letters
    /// are some verb stem's).
    fn may_be_verb(&self, word: &str) -> bool {
        word.get(..3)
            .is_some_and(|p| self.verb_prefixes.contains(p))
    }

    fn kind(&self, pattern: usize) -> Kind {
        let mut at = pattern;
        for (len, kind) in [
            (self.triggers, Kind::Trigger),
            (self.post, Kind::Post),
            (self.pseudo, Kind::Pseudo),
            (self.stops, Kind::Stop),
            (self.conditionals, Kind::Conditional),
        ] {
            if at < len {
                return kind;
            }
            at -= len;
        }
        Kind::Reported
    }

    /// Every negation scope of a normalized text, in order.
    pub fn scopes(&self, normalized: &str) -> Vec<Scope> {
        self.read(normalized).scopes.clone()
    }

    /// Reads a normalized text: words, sentences, clauses, negation scopes
    /// and conditions. The last few readings are remembered per thread: a
    /// reply is read for the acts it does, for what it bans and for the
    /// groups it meets, and the compiler's proofs send the same texts in
    /// several episodes.
    pub fn read(&self, normalized: &str) -> std::rc::Rc<Reading> {
        use std::cell::RefCell;
        use std::rc::Rc;
        /// Readings remembered per thread, and the longest text remembered.
        const KEPT: usize = 8;
        const LONGEST: usize = 1 << 16;
        type Kept = Vec<(u64, Box<str>, Rc<Reading>)>;
        thread_local! {
            static KEPT_READINGS: RefCell<Kept> = const { RefCell::new(Vec::new()) };
        }
        let hit = KEPT_READINGS.with(|kept| {
            kept.borrow()
                .iter()
                .find(|(id, text, _)| *id == self.id && **text == *normalized)
                .map(|(_, _, reading)| reading.clone())
        });
        if let Some(reading) = hit {
            return reading;
        }
        let reading = Rc::new(self.read_fresh(normalized));
        if normalized.len() <= LONGEST {
            KEPT_READINGS.with(|kept| {
                let mut kept = kept.borrow_mut();
                if kept.len() >= KEPT {
                    kept.remove(0);
                }
                kept.push((self.id, normalized.into(), reading.clone()));
            });
        }
        reading
    }

    fn read_fresh(&self, normalized: &str) -> Reading {
        let words = word_spans(normalized);
        let mut found: Vec<(usize, usize, Kind)> = Vec::new();
        self.phrases
            .scan_normalized(normalized, |pattern, start, end| {
                found.push((start, end, self.kind(pattern)));
            });
        // Refusal verbs, in any inflection.
        if !self.verb_stems.is_empty() {
            for &(s, e) in &words {
                let word = &normalized[s..e];
                if word.len() >= 4
                    && word.is_ascii()
                    && self.may_be_verb(word)
                    && self.verb_stems.contains(self.stemmer.stem(word).as_ref())
                {
                    found.push((s, e, Kind::Trigger));
                }
            }
        }
        // Sentences and clause boundaries.
        let mut sentences = Vec::new();
        // (byte, is a comma); punctuation inside parentheses ends nothing:
        // "We will not (sorry!) refund you" is one clause.
        let mut bounds: Vec<(usize, bool)> = Vec::new();
        let mut sentence_ends: Vec<usize> = Vec::new();
        let mut start = 0;
        let mut depth = 0usize;
        for (i, c) in normalized.char_indices() {
            // Letters, digits and spaces end nothing (most of a text).
            if c.is_ascii_alphanumeric() || c == ' ' {
                continue;
            }
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > 0 && c != '(' && c != '[' {
                continue;
            }
            // A line break before a bullet ("we need:\n- your tenant region")
            // ends a list item, not the sentence.
            if c == '\n'
                && normalized[i + 1..]
                    .trim_start_matches([' ', '\t'])
                    .starts_with(['-', '*', '•'])
            {
                bounds.push((i, true));
                continue;
            }
            if ends_sentence(normalized, i, c) {
                bounds.push((i, false));
                sentence_ends.push(i);
                let next = i + c.len_utf8();
                if normalized[start..i].chars().any(is_word_char) {
                    sentences.push(Sentence {
                        start,
                        end: next,
                        question: c == '?',
                    });
                }
                start = next;
            } else if (self.stop_chars.contains(&c) && !between_digits(normalized, i))
                || (c == '-'
                    && normalized[..i].ends_with(' ')
                    && normalized[i + 1..].starts_with(' '))
            {
                bounds.push((i, c == ','));
            }
        }
        if normalized[start..].chars().any(is_word_char) {
            sentences.push(Sentence {
                start,
                end: normalized.len(),
                question: false,
            });
        }
        bounds.extend(
            found
                .iter()
                .filter(|f| f.2 == Kind::Stop)
                .map(|f| (f.0, false)),
        );
        // "and" (or "or", "so", "yet") opening a clause with its own subject
        // and verb ends the clause before it: "You won't be billed again
        // and your refund ... is already approved". Without a verb of its
        // own it joins what the clause says: "we can't refund or waive
        // the fee".
        for (k, w) in words.iter().enumerate() {
            if !matches!(&normalized[w.0..w.1], "and" | "or" | "so" | "yet") {
                continue;
            }
            // Its subject opens with a pronoun or a determiner ("and your
            // refund ... is"): "trust and safety team is" joins two nouns.
            let subject = words.get(k + 1).is_some_and(|x| {
                matches!(
                    &normalized[x.0..x.1],
                    "your"
                        | "our"
                        | "the"
                        | "this"
                        | "that"
                        | "my"
                        | "their"
                        | "his"
                        | "her"
                        | "its"
                        | "we"
                        | "you"
                        | "i"
                        | "it"
                        | "they"
                        | "he"
                        | "she"
                        | "there"
                )
            });
            let own_verb = subject
                && words[k + 1..]
                    .iter()
                    .take(CLAUSE_LOOKAHEAD)
                    .skip(1)
                    .any(|x| FINITE.contains(&&normalized[x.0..x.1]));
            if own_verb {
                bounds.push((w.0, false));
            }
        }
        bounds.sort_unstable();
        bounds.dedup_by_key(|b| b.0);
        // Just past the character that makes a bound (`。` is three bytes).
        let past = |b: usize| b + normalized[b..].chars().next().map_or(1, char::len_utf8);
        let cut = |commas: bool| {
            let mut out = Vec::new();
            let mut from = 0;
            for &(b, comma) in &bounds {
                if comma && !commas {
                    continue;
                }
                if b > from {
                    out.push((from, b));
                }
                from = past(b);
            }
            if from < normalized.len() {
                out.push((from, normalized.len()));
            }
            out
        };
        let clauses = cut(true);
        let statements = cut(false);
        let pseudo: Vec<(usize, usize)> = found
            .iter()
            .filter(|f| f.2 == Kind::Pseudo)
            .map(|f| (f.0, f.1))
            .collect();
        let in_pseudo = |s: usize, e: usize| pseudo.iter().any(|p| p.0 <= s && e <= p.1);
        let next_bound = |at: usize| bounds.iter().find(|b| b.0 >= at).copied();
        // Words are in order: the first one starting at or after a byte is
        // found by bisection.
        let first_from = |at: usize| words.partition_point(|w| w.0 < at);
        let has_word = |s: usize, e: usize| words.get(first_from(s)).is_some_and(|w| w.1 <= e);
        let word_before = |at: usize| {
            let i = words.partition_point(|w| w.1 <= at);
            i.checked_sub(1)
                .map(|i| &normalized[words[i].0..words[i].1])
        };
        let word_after = |at: usize| words.get(first_from(at)).map(|w| &normalized[w.0..w.1]);
        let mut scopes = Vec::new();
        let mut conditions = Vec::new();
        let mut suppositions = Vec::new();
        let mut reported = Vec::new();
        for &(start, end, kind) in &found {
            if in_pseudo(start, end) {
                continue;
            }
            match kind {
                Kind::Trigger | Kind::Post => {
                    if kind == Kind::Trigger {
                        // Forward, to the end of the clause. A short lead-in
                        // ending at a comma ("not,", "no way that,", "no
                        // circumstances,") opens a parenthesis: the scope
                        // skips it, up to the comma that closes it in the
                        // same sentence, and runs on after it ("We will not,
                        // after careful review, issue the refund").
                        let sentence_end = sentence_ends
                            .iter()
                            .find(|&&e| e >= end)
                            .copied()
                            .unwrap_or(normalized.len());
                        let mut from = end;
                        let mut limit = next_bound(end);
                        if let Some((b, true)) = limit {
                            let lead = words.iter().filter(|w| w.0 >= end && w.1 <= b).count();
                            // The very next stop closes it, and it is a
                            // comma: "We can't provide a bypass, but ..."
                            // opens no parenthesis ("but" ends the clause).
                            let close = bounds
                                .iter()
                                .find(|x| x.0 > b)
                                .filter(|x| x.1 && x.0 < sentence_end)
                                .copied();
                            if let (true, Some((c, _))) = (lead <= 2, close) {
                                if lead > 0 {
                                    scopes.push(Scope {
                                        start: end,
                                        end: b,
                                        trigger: (start, end),
                                    });
                                }
                                from = past(c);
                                limit = next_bound(past(c));
                            }
                        }
                        let limit = limit.map_or(normalized.len(), |b| b.0);
                        let last = words
                            .iter()
                            .filter(|w| w.0 >= from && w.0 < limit)
                            .take(self.window)
                            .last();
                        if let Some(last) = last {
                            scopes.push(Scope {
                                start: from,
                                end: last.1.min(limit),
                                trigger: (start, end),
                            });
                        }
                    }
                    // A trigger closing its clause ("... reviewed - not.")
                    // negates what came before it.
                    let dangling = kind == Kind::Trigger && {
                        let limit = next_bound(end).map_or(normalized.len(), |b| b.0);
                        !has_word(end, limit)
                    };
                    // A negated clause that points back ("..., we won't be
                    // doing that", "..., none of that is something we will
                    // arrange") negates the clauses its sentence put before
                    // it, up to the last stop that is not a comma.
                    let clause_end = next_bound(end).map_or(normalized.len(), |b| b.0);
                    let clause_begin = bounds
                        .iter()
                        .rev()
                        .find(|b| b.0 < start)
                        .map_or(0, |b| past(b.0));
                    let anaphoric = kind == Kind::Trigger
                        && (dangling || matches!(&normalized[start..end], "none" | "nothing") || {
                            // "that" pointing back, not introducing: it
                            // opens or ends the clause, or is the subject
                            // or object of a short verb ("that is
                            // warranted", "all of that", "doing that
                            // either").
                            let inside: Vec<&str> = words
                                .iter()
                                .filter(|w| w.0 >= clause_begin && w.1 <= clause_end)
                                .map(|w| &normalized[w.0..w.1])
                                .collect();
                            inside.iter().enumerate().any(|(i, w)| {
                                ANAPHORS.contains(w)
                                    && (i == 0
                                        || i + 1 == inside.len()
                                        || matches!(inside[i - 1], "of" | "doing" | "do")
                                        || matches!(
                                            inside.get(i + 1),
                                            Some(&("is" | "was" | "either" | "too"))
                                        ))
                            })
                        });
                    if anaphoric {
                        let clause_start =
                            bounds.iter().rev().find(|b| b.0 < start).map_or(0, |b| b.0);
                        let back = bounds
                            .iter()
                            .rev()
                            .find(|b| b.0 < start && !b.1)
                            .map_or(0, |b| past(b.0));
                        if back < clause_start && has_word(back, clause_start) {
                            scopes.push(Scope {
                                start: back,
                                end: clause_start,
                                trigger: (start, end),
                            });
                        }
                    }
                    let copular = kind == Kind::Post
                        || dangling
                        || COPULA_NEGATIVES.contains(&&normalized[start..end])
                        || word_before(start).is_some_and(|w| AUXILIARIES.contains(&w))
                        || word_after(end).is_some_and(|w| w == "be" || w == "been");
                    if copular {
                        let clause_start = bounds
                            .iter()
                            .rev()
                            .find(|b| b.0 < start)
                            .map_or(0, |b| past(b.0));
                        // A relative clause is its own subject: "a duplicate
                        // charge that should never have gone through" does
                        // not negate the charge.
                        let limit = words
                            .iter()
                            .rev()
                            .find(|w| {
                                w.0 >= clause_start
                                    && w.1 <= start
                                    && RELATIVES.contains(&&normalized[w.0..w.1])
                            })
                            .map_or(clause_start, |w| w.1);
                        if has_word(limit, start) {
                            scopes.push(Scope {
                                start: limit,
                                end: start,
                                trigger: (start, end),
                            });
                        }
                    }
                }
                Kind::Conditional => {
                    // A promise that waits for our own decision or a third
                    // party's commits to nothing ("if we approve a refund",
                    // "if a refund gets approved", "assuming finance
                    // confirms the duplicate charge", "should this turn
                    // out to be an incident"); a condition on the
                    // customer's side ("if you send the tenant region",
                    // "if the DPA amendment ID reaches us tonight") still
                    // names what is needed.
                    let limit = next_bound(end).map_or(normalized.len(), |b| b.0);
                    let customer = word_after(end).is_some_and(|w| CUSTOMER.contains(&w));
                    let agent = word_after(end)
                        .is_some_and(|w| matches!(w, "we" | "i" | "our" | "we'll" | "i'll"));
                    let decided = || {
                        words[first_from(end)..]
                            .iter()
                            .take_while(|w| w.1 <= limit)
                            .any(|w| {
                                self.with_stem(&normalized[w.0..w.1], |st| DECISIONS.contains(st))
                            })
                    };
                    // "Should" makes a condition only where it opens its
                    // clause ("Should finance agree, ..."), not in "you
                    // should see the refund".
                    let inverted = &normalized[start..end] == "should";
                    let opens_clause = || {
                        let clause_start = bounds
                            .iter()
                            .rev()
                            .find(|b| b.0 < start)
                            .map_or(0, |b| past(b.0));
                        !has_word(clause_start, start)
                    };
                    if !inverted || opens_clause() {
                        suppositions.push((start, limit));
                        if !customer && (agent || decided()) {
                            conditions.push((start, limit));
                        }
                    }
                }
                Kind::Reported => {
                    // "your request to our compliance team" names where it
                    // went, not what was asked ("your request to refund").
                    let recipient = normalized[start..end].ends_with(" to")
                        && word_after(end).is_some_and(|w| {
                            matches!(
                                w,
                                "our" | "the" | "a" | "an" | "my" | "their" | "his" | "her"
                            )
                        });
                    if !recipient {
                        let limit = next_bound(end).map_or(normalized.len(), |b| b.0);
                        reported.push((start, limit));
                    }
                }
                Kind::Pseudo | Kind::Stop => {}
            }
        }
        // Preconditions: "once", "as soon as", "only after", "before" (for
        // acts: "we will restore access once your identity is verified"
        // promises nothing now).
        let preconditions: Vec<usize> = words
            .iter()
            .enumerate()
            .filter(|(i, w)| {
                let word = &normalized[w.0..w.1];
                let before =
                    |k: usize| (*i >= k).then(|| &normalized[words[i - k].0..words[i - k].1]);
                // Not "this once", "just once", "at once": a one-off, not a
                // precondition.
                (PRECONDITIONS.contains(&word)
                    && !(word == "once"
                        && matches!(before(1), Some("this" | "just" | "at" | "only"))))
                    || (word == "soon" && before(1) == Some("as"))
                    || (word == "after" && before(1) == Some("only"))
            })
            .map(|(_, w)| w.0)
            .collect();
        // What a sentence puts under a condition that is not the
        // customer's is hypothetical where it says so: a clause of its with
        // "would", "might", "may" or "could" ("Should finance agree, a
        // refund would follow") promises nothing either.
        let mut hypothetical = Vec::new();
        for &(cs, _) in &conditions {
            let Some(sentence) = sentences.iter().find(|s| s.start <= cs && cs < s.end) else {
                continue;
            };
            for &(s, e) in &clauses {
                if s < sentence.start
                    || e > sentence.end
                    || conditions.iter().any(|c| c.0 <= s && s < c.1)
                {
                    continue;
                }
                let modal = words.iter().filter(|w| w.0 >= s && w.1 <= e).any(|w| {
                    let word = &normalized[w.0..w.1];
                    HYPOTHETICAL.contains(&word) || word.ends_with("'d")
                });
                if modal {
                    hypothetical.push((s, e));
                }
            }
        }
        conditions.extend(hypothetical);
        // Questions answered by a short negation ("Should you reset your
        // password? No.") are commitments, negated.
        let mut answered = Vec::new();
        for &(start, end, kind) in &found {
            if !matches!(kind, Kind::Trigger | Kind::Post) || in_pseudo(start, end) {
                continue;
            }
            let Some(k) = clauses.iter().position(|c| c.0 <= start && start < c.1) else {
                continue;
            };
            let (cs, ce) = clauses[k];
            let n = words.iter().filter(|w| w.0 >= cs && w.1 <= ce).count();
            let after = words.iter().filter(|w| w.0 >= end && w.1 <= ce).count();
            // A post-trigger that is its whole clause ("...: out of the
            // question.") answers the clause before it too.
            let whole = kind == Kind::Post
                && words
                    .iter()
                    .filter(|w| w.0 >= cs && w.1 <= ce)
                    .all(|w| w.0 >= start && w.1 <= end);
            let n = if whole { 1 } else { n };
            // A short answer ("No.", "We can not.", "Not needed.") that
            // starts a sentence or follows a colon.
            let opens = normalized[..cs]
                .trim_end()
                .chars()
                .next_back()
                .is_some_and(|c| matches!(c, '.' | '?' | '!' | ':' | '\n'));
            // Its trigger comes first, after a pronoun or auxiliary at most:
            // "Manual bypass declined." states its own subject's fate, it
            // answers nothing.
            let lead_ok = words.iter().filter(|w| w.0 >= cs && w.1 <= start).all(|w| {
                let word = &normalized[w.0..w.1];
                AUXILIARIES.contains(&word) || matches!(word, "we" | "i" | "you" | "it" | "that")
            });
            if n > 3 || after > 1 || k == 0 || !opens || !lead_ok {
                continue;
            }
            let previous = clauses[k - 1];
            scopes.push(Scope {
                start: previous.0,
                end: previous.1,
                trigger: (start, end),
            });
            answered.push(previous);
        }
        for s in &mut sentences {
            if s.question
                && (answered.iter().any(|a| s.start <= a.0 && a.0 < s.end)
                    || request(normalized, &words, s))
            {
                s.question = false;
            }
        }
        Reading {
            words,
            sentences,
            clauses,
            statements,
            scopes,
            conditions,
            suppositions,
            preconditions,
            reported,
        }
    }

    /// Whether an occurrence at `start..end` lies in one of `scopes` opened
    /// by a trigger outside the occurrence.
    pub fn negates(scopes: &[Scope], start: usize, end: usize) -> bool {
        scopes.iter().any(|s| {
            s.start <= start && start < s.end && !(start <= s.trigger.0 && s.trigger.1 <= end)
        })
    }
}

/// Whether a question asks the customer for something ("Could you send
/// us the tenant region?", "Can you confirm the last four digits?"): a
/// request is what the agent does, not a question about doing it ("Should
/// we refund you?" commits to nothing).
fn request(text: &str, words: &[(usize, usize)], s: &Sentence) -> bool {
    let first = words.partition_point(|w| w.0 < s.start);
    let last = first + words[first..].iter().take_while(|w| w.1 <= s.end).count();
    // "Could you ...", or after a lead-in and its comma: "To get that
    // started, could you send us ...".
    (first..last)
        .filter(|&i| i == first || text[words[i - 1].1..words[i].0].contains(','))
        .any(|i| asks(text, &words[i..last]))
        && !words[first..last]
            .iter()
            .any(|w| matches!(&text[w.0..w.1], "whether" | "if"))
}

/// Whether the words of a clause on open a request (see [`request`]).
fn asks(text: &str, words: &[(usize, usize)]) -> bool {
    let mut lead = words.iter().map(|w| &text[w.0..w.1]);
    let mut next = lead.next();
    // "And could you ...", "Also, can you ...", "Finally, would you ...".
    while next.is_some_and(|w| matches!(w, "and" | "also" | "so" | "finally" | "lastly" | "then")) {
        next = lead.next();
    }
    // "Could you tell us whether you want a refund?" asks about it (see
    // [`request`]).
    match next {
        Some("please") => true,
        // Not an offer: "Would you like a refund?".
        Some("could" | "can" | "would" | "will") => {
            matches!(lead.next(), Some("you"))
                && !matches!(
                    lead.next(),
                    Some("like" | "want" | "prefer" | "rather" | "need")
                )
        }
        Some("may") => {
            matches!(lead.next(), Some("we" | "i"))
                && matches!(lead.next(), Some("have" | "get" | "ask"))
        }
        _ => false,
    }
}

/// Byte ranges of the words of a text (runs of word characters, combining
/// marks included, with an apostrophe inside a word kept: `can't`).
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

    fn reader() -> Negation {
        let g = Grading::default();
        Negation::new(&g.negation_rules())
    }

    fn negated(text: &str, marker: &str) -> bool {
        let norm = normalize_pattern(text);
        let reading = reader().read(&norm);
        let at = norm.find(marker).expect("marker present");
        reading.negated(at, at + marker.len())
    }

    fn uncommitted(text: &str, marker: &str) -> bool {
        let norm = normalize_pattern(text);
        let reading = reader().read(&norm);
        reading.uncommitted(norm.find(marker).expect("marker present"))
    }

    #[test]
    fn triggers_negate_to_the_end_of_their_clause() {
        assert!(negated("We will NOT refund you.", "refund"));
        assert!(negated("We cannot offer a refund here", "refund"));
        assert!(negated("we won't refund this", "refund"));
        assert!(negated("We cant refund you", "refund"));
        assert!(negated("we dont offer a refund", "refund"));
        assert!(negated("There will never be a refund", "refund"));
        assert!(!negated("We will refund you.", "refund"));
        assert!(!negated(
            "We cannot skip checks, but we will refund you",
            "refund"
        ));
        assert!(!negated("No. We will refund you", "refund"));
        // No window: a long clause is still one clause.
        assert!(negated(
            "We are not able to process any kind of refund for this particular invoice",
            "refund"
        ));
        // A parenthesis right after the trigger.
        assert!(negated(
            "We will not, after careful review of your account history, issue the refund",
            "refund"
        ));
    }

    #[test]
    fn refusal_verbs_in_any_tense_and_voice() {
        assert!(negated("Your refund has been declined.", "refund"));
        assert!(negated("We declined the refund.", "refund"));
        assert!(negated("The refund request was rejected", "refund"));
        assert!(negated("We are refusing the refund", "refund"));
        assert!(negated("The refund will not be issued", "refund"));
        assert!(negated("A refund is not possible", "refund"));
        assert!(!negated(
            "We declined the upsell offer, and your refund is on its way",
            "refund"
        ));
    }

    #[test]
    fn pseudo_triggers_negate_nothing() {
        assert!(!negated("No problem, we will refund you", "refund"));
        assert!(!negated(
            "Not a problem, Riya, your refund is on its way",
            "refund"
        ));
        assert!(!negated(
            "If you haven't already, please reset your password",
            "reset your password"
        ));
        assert!(!negated(
            "No doubt this is stressful; we refund today",
            "refund"
        ));
        assert!(!negated("We will refund you without delay", "refund"));
        assert!(negated("A refund is not needed", "refund"));
    }

    #[test]
    fn waiting_is_urged_only_to_act() {
        assert!(!negated(
            "Don't wait to reset your password",
            "reset your password"
        ));
        assert!(!negated(
            "Dont wait on us to reset your password",
            "reset your password"
        ));
        assert!(negated(
            "Don't wait for a refund, it is coming never",
            "refund"
        ));
    }

    #[test]
    fn the_ideographic_full_stop_ends_a_sentence() {
        // A negation does not run past `。`, and the three-byte stop is
        // never cut inside.
        assert!(!negated(
            "We will not charge you twice。We will refund you",
            "refund"
        ));
        assert!(negated("We will not refund you。谢谢", "refund"));
        assert!(!negated("Not here。Your refund is approved。", "refund"));
    }

    #[test]
    fn diacritics_stay_inside_words() {
        assert!(!negated(
            "My colleague Nóra has approved your refund",
            "refund"
        ));
        assert!(!negated("Nóra refunded you", "refunded"));
    }

    #[test]
    fn questions_and_conditions_are_not_commitments() {
        assert!(uncommitted("Would you like a refund?", "refund"));
        assert!(uncommitted(
            "If we approve a refund, you will hear from us",
            "refund"
        ));
        assert!(!uncommitted(
            "If you haven't already, please reset your password",
            "reset your password"
        ));
        assert!(!uncommitted(
            "We approved your refund. Any questions?",
            "refund"
        ));
        // A request to the customer is what the agent does.
        assert!(!uncommitted(
            "Could you send us the tenant region and the DPA amendment ID?",
            "tenant region"
        ));
        assert!(!uncommitted(
            "And please confirm the tenant region?",
            "tenant region"
        ));
        assert!(uncommitted(
            "Could you tell us whether you want a refund?",
            "refund"
        ));
        assert!(uncommitted("Should we refund you?", "refund"));
        // Reported speech: what was asked, not where it went.
        assert!(uncommitted(
            "About your request to disable the restriction: no.",
            "disable"
        ));
        assert!(!uncommitted(
            "I passed your request to our compliance team",
            "compliance team"
        ));
        // A request after a lead-in and its comma.
        assert!(!uncommitted(
            "To get the review started, could you send us the tenant region?",
            "tenant region"
        ));
    }

    #[test]
    fn a_promise_that_waits_for_a_decision_commits_to_nothing() {
        // Our decision or a third party's, in any conditional form, and
        // what it makes hypothetical ("would", "could", "'d").
        for (text, marker) in [
            ("If a refund gets approved, it lands in 5-7 days", "refund"),
            (
                "If a refund gets approved, it would land in 5-7 days",
                "5-7 days",
            ),
            ("Should finance agree, a refund would follow", "refund"),
            ("Should finance agree, a refund would follow", "finance"),
            (
                "Assuming our team confirms the duplicate charge, we'd refund it",
                "duplicate charge",
            ),
            (
                "Assuming our team confirms the duplicate charge, we'd refund it",
                "refund",
            ),
            (
                "Provided that compliance approves, the export could run",
                "export",
            ),
        ] {
            assert!(uncommitted(text, marker), "{text} / {marker}");
        }
        // The customer's side, a condition that is no decision, a result
        // stated plainly, and "should" inside a clause all still count.
        for (text, marker) in [
            (
                "If you send the tenant region, compliance will review it",
                "tenant region",
            ),
            (
                "If the tenant region reaches us tonight, the review starts",
                "tenant region",
            ),
            (
                "If a refund gets approved, you will hear from us; the refund is approved",
                "refund is",
            ),
            ("You should see the refund within 5-7 days", "refund"),
            ("Should you need the refund sooner, reply here", "refund"),
        ] {
            let norm = normalize_pattern(text);
            let reading = reader().read(&norm);
            let at = norm.rfind(marker).expect("marker present");
            assert!(!reading.uncommitted(at), "{text} / {marker}");
        }
        // A negated marker inside any condition refuses nothing.
        let norm = normalize_pattern("If it hasn't arrived within 5-7 days, tell us");
        let reading = reader().read(&norm);
        assert!(reading.supposed(norm.find("5-7").expect("present")));
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
}
