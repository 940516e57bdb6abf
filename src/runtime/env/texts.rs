//! What a reply or note earns (contract v2, rules 5 to 7): a text meets a
//! required group where one of the group's markers occurs at a word start
//! outside every negation scope, unless the text as a whole is voided —
//! over the text budget, a marker salad (its words mostly marker words), a
//! repeat of an earlier text, or off-topic (meeting required groups of other
//! tasks of the project).

use serde::{Deserialize, Serialize};

use super::{Owner, TaskRuntime};
use crate::matching::{word_spans, Negation};

/// Which section a text is graded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Section {
    Reply,
    Note,
}

/// A text that met no group, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Voided {
    /// The step that sent it.
    pub step: u32,
    /// `reply` or `note`.
    pub section: String,
    /// `text_budget`, `marker_density`, `repeat` or `off_topic`, with the
    /// numbers.
    pub reason: String,
}

/// The groups of its section a text meets, or why it meets none.
#[derive(Clone, Debug)]
pub(super) enum Verdict {
    Meets {
        groups: Vec<usize>,
        /// A marker of the section occurs inside a negation scope.
        contradicted: bool,
    },
    Void(String),
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
                .get_or_init(|| grade_afresh(rt, section, text, normalized, earlier))
                .clone();
        }
    }
    grade_afresh(rt, section, text, normalized, earlier)
}

fn grade_afresh(
    rt: &TaskRuntime,
    section: Section,
    text: &str,
    normalized: &str,
    earlier: &[String],
) -> Verdict {
    let g = &rt.grading;
    // A text no longer in bytes than the budget is within it in characters.
    let chars = if text.len() <= g.text_budget as usize {
        0
    } else {
        text.chars().count()
    };
    if chars > g.text_budget as usize {
        return Verdict::Void(format!(
            "text_budget: {chars} characters, more than {}",
            g.text_budget
        ));
    }
    if earlier.iter().any(|e| e == normalized) {
        return Verdict::Void("repeat: the same text was sent before".into());
    }
    let mut hits: Vec<(Owner, usize, usize)> = Vec::new();
    let mut patterns_hit: Vec<usize> = Vec::new();
    rt.markers
        .required
        .scan_normalized(normalized, |p, start, end| {
            hits.push((rt.markers.owner[p], start, end));
            if !patterns_hit.contains(&p) {
                patterns_hit.push(p);
            }
        });
    if hits.is_empty() {
        return Verdict::Meets {
            groups: Vec::new(),
            contradicted: false,
        };
    }
    // A salad crams markers together with little else: several groups, or
    // several alternatives of one. One marker in a short sentence ("Sorry,
    // we can't provide a bypass.") is not one.
    let limit = match section {
        Section::Reply => g.marker_density,
        Section::Note => g.note_marker_density,
    };
    let words = (patterns_hit.len() >= 2 && limit < 1.0).then(|| word_spans(normalized));
    if let Some(words) = &words {
        let spans: Vec<(usize, usize)> = hits.iter().map(|h| (h.1, h.2)).collect();
        if let Some(reason) = salad(words, &spans, limit) {
            return Verdict::Void(reason);
        }
    }
    if let Some(project) = &rt.project {
        let limit = g.off_topic_groups as usize;
        let foreign = project.foreign_groups(&rt.spec.task_id, &rt.markers.own, normalized, limit);
        if foreign > g.off_topic_groups as usize {
            return Verdict::Void(format!(
                "off_topic: meets more than {} required groups of other tasks",
                g.off_topic_groups
            ));
        }
    }
    let scopes = rt.negation.scopes_with(normalized, words.as_deref());
    let mut met = Vec::new();
    let mut contradicted = false;
    for (owner, start, end) in hits {
        let group = match (owner, section) {
            (Owner::Reply(g), Section::Reply) | (Owner::Note(g), Section::Note) => g,
            _ => continue,
        };
        if Negation::negates(&scopes, start, end) {
            contradicted = true;
        } else if !met.contains(&group) {
            met.push(group);
        }
    }
    Verdict::Meets {
        groups: met,
        contradicted,
    }
}

/// Why a text whose `words` are covered by marker occurrences `hits` (two
/// markers or more) is a salad, if it is: more than `limit` of its words
/// are marker words.
pub(crate) fn salad(
    words: &[(usize, usize)],
    hits: &[(usize, usize)],
    limit: f64,
) -> Option<String> {
    let covered = words
        .iter()
        .filter(|w| hits.iter().any(|(s, e)| *s < w.1 && w.0 < *e))
        .count();
    let density = covered as f64 / words.len().max(1) as f64;
    (density > limit + 1e-9).then(|| {
        format!(
            "marker_density: {covered} of {} words are marker words ({density:.2}), more than {limit}",
            words.len()
        )
    })
}

/// How the grader reads one text sent alone (for authors' examples).
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// Per group of the text's section: whether the text meets it.
    pub met: Vec<bool>,
    /// Why the text meets no group, if it is voided.
    pub voided: Option<String>,
    /// Whether it negates a required marker of its section.
    pub contradicted: bool,
}

impl TaskRuntime {
    /// Reads a reply (or a note) as the grader would if it were the first
    /// text of an episode.
    pub fn read(&self, reply: bool, text: &str) -> Reading {
        let section = if reply { Section::Reply } else { Section::Note };
        let groups = if reply {
            self.markers.reply_groups
        } else {
            self.markers.note_groups
        };
        let normalized = crate::matching::normalize_pattern(text);
        match grade(self, section, text, &normalized, &[]) {
            Verdict::Void(reason) => Reading {
                met: vec![false; groups],
                voided: Some(reason),
                contradicted: false,
            },
            Verdict::Meets {
                groups: hit,
                contradicted,
            } => {
                let mut met = vec![false; groups];
                for g in hit {
                    met[g] = true;
                }
                Reading {
                    met,
                    voided: None,
                    contradicted,
                }
            }
        }
    }
}
