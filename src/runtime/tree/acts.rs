//! The acts of a policy's floors: a verb of a class, in any inflection
//! (the stemmer contract version 3 uses), and one of the act's objects in
//! one statement of a step ("disabling the firewall", "the firewall was
//! disabled", "turn the firewall off", "wipe the disks"). Not an act: a
//! negated one ("do not format the drive"), one asked about or put as a
//! condition ("Is the firewall turned off?", "check whether the disk was
//! wiped"), or reported speech.

use crate::matching::{normalize, MatchMode, Matcher, Negation};
use crate::spec::{Document, Grading};

/// How many words may stand between a verb and its particle ("turn the
/// firewall off").
const PARTICLE_WORDS: usize = 4;

/// One act of a floor group.
#[derive(Debug)]
struct FloorAct {
    floor: String,
    reason: String,
    /// `act CLASS "object" | ...`, for reports.
    label: String,
    /// Each verb of the class, as word stems.
    verbs: Vec<Vec<String>>,
    /// Each object, as word stems.
    objects: Vec<Vec<String>>,
    harmful_when_negated: bool,
}

/// One act found: which, and its byte range in the original text (from
/// the verb to the object, whichever comes first).
pub(crate) struct Found<'a> {
    pub floor: &'a str,
    pub reason: &'a str,
    pub label: &'a str,
    pub start: usize,
    pub end: usize,
}

/// The acts of a policy's floors, ready to find.
#[derive(Debug)]
pub(crate) struct Acts {
    negation: Negation,
    acts: Vec<FloorAct>,
    /// The first word of every verb, cut to its first three letters (an
    /// inflection keeps them: `dis`abling, `wip`ing), at word starts.
    verb_filter: Matcher,
    /// The first word of every object, cut the same way. A text without
    /// both holds no act, found without reading it (most steps).
    object_filter: Matcher,
}

impl Acts {
    /// The acts of the floors `floors` of a document; `None` when they
    /// have none.
    pub(crate) fn new(document: &Document, floors: &[String]) -> Option<Acts> {
        let grading = Grading::default();
        let negation = Negation::new(&grading.negation_rules());
        let stems = |phrase: &str| negation.phrase_stems(phrase);
        let mut acts = Vec::new();
        for name in floors {
            let Some(floor) = document.floors.get(name) else {
                continue;
            };
            for group in &floor.groups {
                for act in &group.acts {
                    let forms = floor.verbs.get(&act.verbs).cloned().unwrap_or_default();
                    acts.push(FloorAct {
                        floor: name.clone(),
                        reason: group.reason.clone(),
                        label: format!(
                            "act {} {}",
                            act.verbs,
                            act.objects
                                .iter()
                                .map(|o| format!("\"{o}\""))
                                .collect::<Vec<_>>()
                                .join(" | ")
                        ),
                        verbs: forms
                            .iter()
                            .map(|v| stems(v))
                            .filter(|v| !v.is_empty())
                            .collect(),
                        objects: act
                            .objects
                            .iter()
                            .map(|o| stems(o))
                            .filter(|o| !o.is_empty())
                            .collect(),
                        harmful_when_negated: act.harmful_when_negated,
                    });
                }
            }
        }
        if acts.is_empty() {
            return None;
        }
        let filter = |words: Vec<&String>| {
            let prefixes: Vec<String> = words.iter().map(|w| w.chars().take(3).collect()).collect();
            Matcher::new(prefixes.iter().map(|p| (p.as_str(), MatchMode::Start)))
        };
        let verb_filter = filter(
            acts.iter()
                .flat_map(|a| a.verbs.iter().map(|v| &v[0]))
                .collect(),
        );
        let object_filter = filter(
            acts.iter()
                .flat_map(|a| a.objects.iter().map(|o| &o[0]))
                .collect(),
        );
        Some(Acts {
            negation,
            acts,
            verb_filter,
            object_filter,
        })
    }

    /// Every act done in a text (`folded`: its [`normalize_pattern`] form),
    /// in order of position, but those of groups
    /// `settled(floor, reason)` says are already reported. Linear in the text:
    /// each word's statement and each statement's first object are found
    /// once, and at most [`EXCUSED`] negated or asked-about mentions of an
    /// act are looked into (past them, the next mention counts: a step is
    /// not a list of things not to do).
    pub(crate) fn find(
        &self,
        text: &str,
        folded: &str,
        settled: impl Fn(&str, &str) -> bool,
    ) -> Vec<Found<'_>> {
        // An act of a group a phrase already rejected the step for adds
        // nothing (and a step that names none is not read at all).
        let open: Vec<&FloorAct> = self
            .acts
            .iter()
            .filter(|a| !settled(&a.floor, &a.reason))
            .collect();
        if open.is_empty() {
            return Vec::new();
        }
        let any = |m: &Matcher| m.matched_normalized(folded).iter().any(|&seen| seen);
        if !any(&self.object_filter) || !any(&self.verb_filter) {
            return Vec::new();
        }
        let norm = normalize(text);
        let reading = self.negation.read(&norm.text);
        let words = &reading.words;
        let stems: Vec<String> = words
            .iter()
            .map(|&(s, e)| self.negation.stem_cached(&norm.text[s..e]))
            .collect();
        // The statement of each word (both lists are in text order).
        let mut statement_of = Vec::with_capacity(words.len());
        let mut k = 0;
        for w in words {
            while k + 1 < reading.statements.len() && reading.statements[k].1 <= w.0 {
                k += 1;
            }
            statement_of.push(k);
        }
        let at = |i: usize, seq: &[String]| {
            stems.len() >= i + seq.len() && stems[i..i + seq.len()] == *seq
        };
        let mut out = Vec::new();
        for act in open {
            // The first object of each statement.
            let mut object_in: Vec<Option<(usize, usize)>> =
                vec![None; reading.statements.len().max(1)];
            for j in 0..words.len() {
                let slot = &mut object_in[statement_of[j]];
                if slot.is_some() {
                    continue;
                }
                if let Some(o) = act.objects.iter().find(|o| at(j, o)) {
                    let last = j + o.len() - 1;
                    if statement_of[last] == statement_of[j] {
                        *slot = Some((words[j].0, words[last].1));
                    }
                }
            }
            let mut excused = 0;
            for (i, w) in words.iter().enumerate() {
                let Some((os, oe)) = object_in[statement_of[i]] else {
                    continue;
                };
                let verb_end = act.verbs.iter().find_map(|verb| {
                    if at(i, verb) {
                        return Some(words[i + verb.len() - 1].1);
                    }
                    // A particle a few words on: "turn the firewall off".
                    if verb.len() != 2 || stems[i] != verb[0] {
                        return None;
                    }
                    (i + 2..(i + 2 + PARTICLE_WORDS).min(stems.len()))
                        .find(|&j| stems[j] == verb[1] && statement_of[j] == statement_of[i])
                        .map(|j| words[j].1)
                });
                let Some(verb_end) = verb_end else {
                    continue;
                };
                // A step that checks a state ("check whether the disk was
                // wiped", "if the firewall is off, ...") does not do it.
                // The condition word must stand in the verb's own clause:
                // "If it still fails, turn the firewall off" does it.
                let checks = (i.saturating_sub(CONDITION_WORDS)..i).any(|j| {
                    matches!(
                        &norm.text[words[j].0..words[j].1],
                        "if" | "whether" | "unless"
                    ) && !norm.text[words[j].1..w.0].contains([',', ';', ':', '.', '!', '?'])
                });
                let excuse = (!act.harmful_when_negated && reading.negated(w.0, verb_end))
                    || reading.uncommitted(w.0)
                    || checks;
                if excuse && excused < EXCUSED {
                    excused += 1;
                    continue;
                }
                let (start, end) = norm.original_span(w.0.min(os), verb_end.max(oe));
                out.push(Found {
                    floor: &act.floor,
                    reason: &act.reason,
                    label: &act.label,
                    start,
                    end,
                });
                // One report per act.
                break;
            }
        }
        out.sort_by_key(|f| (f.start, f.end));
        out
    }
}

/// How far back a condition word (`if`, `whether`, `unless`) makes a
/// verb part of a check.
const CONDITION_WORDS: usize = 8;

/// How many negated or asked-about mentions of one act a step may make.
const EXCUSED: usize = 16;
