//! `grading` blocks → the domain's [`Grading`] and a task's [`TaskGrading`]:
//! each field once, numbers in range, gates named once with a known
//! condition, gate phrases written out, and a task's `gate NAME off` naming
//! a gate of the domain.

use super::fields::{decimal, integer, once};
use super::names;
use crate::diagnostic::{Code, Cx};
use crate::source::Span;
use std::collections::BTreeMap;

use crate::spec::{Gate, GateCondition, GatePhrase, Grading, MatchMode, RewardMode, TaskGrading};
use crate::syntax::ast::{
    self, Alternative, Field, Forbidden, GateRule, GateWhen, GradingValue, Name, Number, Text,
};

/// The conditions a gate may name bare.
const CONDITIONS: [&str; 12] = [
    "wrong_queue",
    "foreign_language",
    "forbidden",
    "no_reply",
    "over_escalated",
    "missed_queue",
    "contradicted",
    "wrong_status",
    "over_requested",
    "queue_hopping",
    "status_hopping",
    "missed_request",
];

/// Largest text budget, in characters: a text over `MAX_TEXT_BYTES` is an
/// invalid action before any budget applies, so a larger budget would mean
/// nothing.
const MAX_BUDGET: i64 = Grading::MAX_TEXT_BYTES as i64;

type Slot<'a, T> = Option<(Span, &'a T)>;

/// The fields of a grading block, each in its slot.
#[derive(Default)]
struct Slots<'a> {
    reward: Slot<'a, Name>,
    threshold: Slot<'a, Number>,
    window: Slot<'a, Number>,
    triggers: Slot<'a, Vec<Text>>,
    post: Slot<'a, Vec<Text>>,
    pseudo: Slot<'a, Vec<Text>>,
    stops: Slot<'a, Vec<Text>>,
    neg_verbs: Slot<'a, Vec<Text>>,
    conditionals: Slot<'a, Vec<Text>>,
    languages: Slot<'a, Vec<Text>>,
    verbs: Vec<(&'a Name, &'a Vec<Text>)>,
    budget: Slot<'a, Number>,
    density: Slot<'a, Number>,
    note_density: Slot<'a, Number>,
    off_topic: Slot<'a, Number>,
    gates: Vec<&'a ast::Gate>,
}

fn slots<'a>(cx: &mut Cx, fields: &'a [Field<GradingValue>]) -> Slots<'a> {
    let mut s = Slots::default();
    for field in fields {
        let kw = &field.keyword;
        match &field.value {
            GradingValue::Reward(v) => once(cx, &mut s.reward, kw, v),
            GradingValue::GamingThreshold(v) => once(cx, &mut s.threshold, kw, v),
            GradingValue::NegationWindow(v) => once(cx, &mut s.window, kw, v),
            GradingValue::NegationTriggers(v) => once(cx, &mut s.triggers, kw, v),
            GradingValue::NegationPost(v) => once(cx, &mut s.post, kw, v),
            GradingValue::NegationPseudo(v) => once(cx, &mut s.pseudo, kw, v),
            GradingValue::NegationStops(v) => once(cx, &mut s.stops, kw, v),
            GradingValue::NegationVerbs(v) => once(cx, &mut s.neg_verbs, kw, v),
            GradingValue::NegationConditionals(v) => once(cx, &mut s.conditionals, kw, v),
            GradingValue::Languages(v) => once(cx, &mut s.languages, kw, v),
            GradingValue::Verbs(name, v) => s.verbs.push((name, v)),
            GradingValue::TextBudget(v) => once(cx, &mut s.budget, kw, v),
            GradingValue::MarkerDensity(v) => once(cx, &mut s.density, kw, v),
            GradingValue::NoteMarkerDensity(v) => once(cx, &mut s.note_density, kw, v),
            GradingValue::OffTopic(v) => once(cx, &mut s.off_topic, kw, v),
            GradingValue::Gate(g) => s.gates.push(g),
        }
    }
    s
}

/// The thresholds a task may override, checked.
struct Thresholds {
    budget: Option<u32>,
    density: Option<f64>,
    note_density: Option<f64>,
    off_topic: Option<f64>,
}

fn thresholds(cx: &mut Cx, s: &Slots<'_>) -> Thresholds {
    let whole = |cx: &mut Cx, slot: Slot<'_, Number>, what: &str, min: i64, max: i64| {
        slot.and_then(|(_, n)| integer(cx, n, what, min, max))
            .and_then(|n| u32::try_from(n).ok())
    };
    let fraction = |cx: &mut Cx, slot: Slot<'_, Number>, what: &str| {
        slot.and_then(|(_, n)| decimal(cx, n, what, 0.0, 1.0))
    };
    Thresholds {
        budget: whole(cx, s.budget, "`text_budget`", 1, MAX_BUDGET),
        density: fraction(cx, s.density, "`marker_density`"),
        note_density: fraction(cx, s.note_density, "`note_marker_density`"),
        off_topic: fraction(cx, s.off_topic, "`off_topic`"),
    }
}

/// A domain's `grading` block (or none: the defaults). `statuses` are the
/// domain's, for `status NAME` gates.
pub(crate) fn domain(
    cx: &mut Cx,
    block: Option<&[Field<GradingValue>]>,
    statuses: &[String],
) -> Grading {
    let mut g = Grading::default();
    let Some(fields) = block else {
        return g;
    };
    let s = slots(cx, fields);
    if let Some((_, name)) = s.reward {
        if names::check_fixed(cx, "reward", &["dense", "final"], name) {
            g.reward = if name.node == "final" {
                RewardMode::Final
            } else {
                RewardMode::Dense
            };
        }
    }
    if let Some(t) = s
        .threshold
        .and_then(|(_, n)| decimal(cx, n, "`gaming_threshold`", 0.0, 1.0))
    {
        g.gaming_threshold = t;
    }
    if let Some(window) = s
        .window
        .and_then(|(_, n)| integer(cx, n, "`negation_window`", 1, 100))
    {
        g.negation.window = window as u32;
    }
    for (slot, list) in [
        (s.triggers, &mut g.negation.triggers),
        (s.post, &mut g.negation.post_triggers),
        (s.pseudo, &mut g.negation.pseudo_triggers),
        (s.stops, &mut g.negation.terminators),
        (s.neg_verbs, &mut g.negation.verbs),
        (s.conditionals, &mut g.negation.conditionals),
    ] {
        if let Some((_, texts)) = slot {
            *list = non_empty(cx, texts);
        }
    }
    let t = thresholds(cx, &s);
    g.text_budget = t.budget.unwrap_or(g.text_budget);
    g.marker_density = t.density.unwrap_or(g.marker_density);
    g.note_marker_density = t.note_density.unwrap_or(g.note_marker_density);
    g.off_topic = t.off_topic.unwrap_or(g.off_topic);
    if let Some(languages) = self::languages(cx, s.languages) {
        g.languages = languages;
    }
    // Declared verb classes replace the default ones (the domain then says
    // them all).
    if !s.verbs.is_empty() {
        g.verbs = BTreeMap::new();
        add_verbs(cx, &mut g.verbs, &s.verbs);
    }
    // Declared gates replace the default ones (the domain then says them
    // all); a block that declares none keeps the defaults.
    let (gates, off) = gates(cx, &s.gates, statuses, &g.verbs);
    if !s.gates.is_empty() {
        g.gates = gates;
    }
    for (name, at) in off {
        cx.push(
            cx.error(
                Code::UnknownName,
                at,
                format!("gate `{}` is switched off in the domain itself", name.node),
            )
            .with_label("`off` belongs in a task")
            .with_help(
                "a domain lists the gates every task has; leave this one out, or switch it off \
                 in a task with `grading { gate NAME off }`",
            ),
        );
    }
    g
}

/// A task's `grading` block, against the domain's grading.
pub(crate) fn task(
    cx: &mut Cx,
    fields: &[Field<GradingValue>],
    domain: &Grading,
    statuses: &[String],
) -> TaskGrading {
    let s = slots(cx, fields);
    let t = thresholds(cx, &s);
    let (gates, off) = gates(cx, &s.gates, statuses, &domain.verbs);
    let mut gates_off = Vec::new();
    for (name, _) in off {
        if domain.gates.iter().any(|g| g.name == name.node) {
            gates_off.push(name.node.clone());
            continue;
        }
        let known: Vec<&str> = domain.gates.iter().map(|g| g.name.as_str()).collect();
        names::unknown(
            cx,
            name,
            "domain gate",
            known.iter().copied(),
            "only a gate the domain declares can be switched off",
        );
    }
    TaskGrading {
        text_budget: t.budget,
        marker_density: t.density,
        note_marker_density: t.note_density,
        off_topic: t.off_topic,
        languages: languages(cx, s.languages),
        gates,
        gates_off,
        gold_reply: None,
        gold_note: None,
    }
}

/// The gates of a block (each name once), and the ones switched `off`.
fn gates<'a>(
    cx: &mut Cx,
    declared: &[&'a ast::Gate],
    statuses: &[String],
    verbs: &BTreeMap<String, Vec<String>>,
) -> (Vec<Gate>, Vec<(&'a Name, Span)>) {
    let mut out: Vec<Gate> = Vec::new();
    let mut off = Vec::new();
    let mut seen: Vec<&Name> = Vec::new();
    for gate in declared {
        if let Some(first) = seen.iter().find(|n| n.node == gate.name.node) {
            let (file, first_span) = (cx.file, first.span);
            cx.push(
                cx.error(
                    Code::DuplicateDeclaration,
                    gate.name.span,
                    format!("gate `{}` is declared twice", gate.name.node),
                )
                .with_label("declared again here")
                .with_related(file, first_span, "first declared here")
                .with_help("give each gate its own name, or keep one of them"),
            );
            continue;
        }
        seen.push(&gate.name);
        match &gate.rule {
            GateRule::Off(at) => off.push((&gate.name, *at)),
            GateRule::Cap { cap, when } => {
                let cap = decimal(cx, cap, "a gate's cap", 0.0, 1.0);
                let when = condition(cx, when, statuses, verbs);
                if let (Some(cap), Some(when)) = (cap, when) {
                    out.push(Gate {
                        name: gate.name.node.clone(),
                        cap,
                        when,
                    });
                }
            }
        }
    }
    (out, off)
}

fn condition(
    cx: &mut Cx,
    when: &GateWhen,
    statuses: &[String],
    verbs: &BTreeMap<String, Vec<String>>,
) -> Option<GateCondition> {
    match when {
        GateWhen::Named(name) => {
            if !names::check_fixed(cx, "gate condition", &CONDITIONS, name) {
                return None;
            }
            Some(match name.node.as_str() {
                "forbidden" => GateCondition::Forbidden,
                "no_reply" => GateCondition::NoReply,
                "over_escalated" => GateCondition::OverEscalated,
                "contradicted" => GateCondition::Contradicted,
                "wrong_status" => GateCondition::WrongStatus,
                "over_requested" => GateCondition::OverRequested,
                "queue_hopping" => GateCondition::QueueHopping,
                "status_hopping" => GateCondition::StatusHopping,
                "wrong_queue" => GateCondition::WrongQueue,
                "foreign_language" => GateCondition::ForeignLanguage,
                "missed_request" => GateCondition::MissedRequest,
                _ => GateCondition::MissedQueue,
            })
        }
        GateWhen::Status(name) => {
            if statuses.is_empty() || statuses.contains(&name.node) {
                return Some(GateCondition::Status {
                    status: name.node.clone(),
                });
            }
            names::unknown(
                cx,
                name,
                "status",
                statuses.iter().map(String::as_str),
                "declare it in the domain's `statuses`",
            );
            None
        }
        GateWhen::Says(list) => {
            let phrases = phrases(cx, list);
            (phrases.len() == list.len()).then_some(GateCondition::Says {
                phrases,
                acts: Vec::new(),
            })
        }
        GateWhen::Does(a) => act(cx, a, verbs).map(|a| GateCondition::Says {
            phrases: Vec::new(),
            acts: vec![a],
        }),
    }
}

/// An act, its verb class known and its objects written out.
pub(crate) fn act(
    cx: &mut Cx,
    a: &ast::Act,
    verbs: &BTreeMap<String, Vec<String>>,
) -> Option<crate::spec::Act> {
    let mut ok = true;
    if !verbs.contains_key(&a.verbs.node) {
        names::unknown(
            cx,
            &a.verbs,
            "verb class",
            verbs.keys().map(String::as_str),
            "declare it in the domain's `grading` with `verbs NAME \"verb\", ...`",
        );
        ok = false;
    }
    let mut objects = Vec::new();
    for alt in &a.objects.node {
        match alt {
            Alternative::Marker(m) => {
                if crate::matching::normalize_pattern(&m.text.node).is_empty() {
                    empty(cx, m.text.span);
                    ok = false;
                } else {
                    objects.push(m.text.node.clone());
                }
            }
            Alternative::Set(name) => {
                cx.push(
                    cx.error(
                        Code::UnknownMarkerSet,
                        name.span,
                        format!(
                            "an act lists its objects, not marker sets (`{}`)",
                            name.node
                        ),
                    )
                    .with_label("write the objects out here")
                    .with_help(
                        "list the objects themselves, in quotes: `\"sso enforcement\" | \"mfa\"`",
                    ),
                );
                ok = false;
            }
        }
    }
    ok.then(|| crate::spec::Act {
        verbs: a.verbs.node.clone(),
        objects,
        harmful_when_negated: a.even_negated.is_some(),
    })
}

/// `languages "eng", ...`: ISO 639-3 codes the language identifier knows.
fn languages(cx: &mut Cx, slot: Slot<'_, Vec<Text>>) -> Option<Vec<String>> {
    let (_, texts) = slot?;
    let mut out = Vec::new();
    for t in texts {
        if crate::matching::Languages::known(&t.node) {
            out.push(t.node.clone());
        } else {
            cx.push(
                cx.error(
                    Code::UnknownName,
                    t.span,
                    format!("`{}` is not a language code the grader knows", t.node),
                )
                .with_label("not an ISO 639-3 code")
                .with_help(
                    "write three-letter ISO 639-3 codes: \"eng\", \"spa\", \"deu\", \"fra\", ...",
                ),
            );
        }
    }
    (out.len() == texts.len()).then_some(out)
}

/// Adds `verbs NAME "a", "b"` declarations to a table of verb classes.
pub(crate) fn add_verbs(
    cx: &mut Cx,
    table: &mut BTreeMap<String, Vec<String>>,
    declared: &[(&Name, &Vec<Text>)],
) {
    for (name, forms) in declared {
        let forms = non_empty(cx, forms);
        let class = table.entry(name.node.clone()).or_default();
        for f in forms {
            if !class.contains(&f) {
                class.push(f);
            }
        }
    }
}

/// The phrases of a `says` condition: written out (not marker sets), none
/// empty.
fn phrases(cx: &mut Cx, list: &[Forbidden]) -> Vec<GatePhrase> {
    let mut out = Vec::new();
    for item in list {
        let marker = match &item.alternative {
            Alternative::Marker(m) => m,
            Alternative::Set(name) => {
                cx.push(
                    cx.error(
                        Code::UnknownMarkerSet,
                        name.span,
                        format!(
                            "a `says` gate lists phrases, not marker sets (`{}`)",
                            name.node
                        ),
                    )
                    .with_label("write the phrases out here")
                    .with_help("list the phrases themselves, in quotes"),
                );
                continue;
            }
        };
        let text_empty = crate::matching::normalize_pattern(&marker.text.node).is_empty();
        if text_empty {
            empty(cx, marker.text.span);
        }
        let variants = non_empty(cx, &item.variants);
        if text_empty || variants.len() != item.variants.len() {
            continue;
        }
        out.push(GatePhrase {
            text: marker.text.node.clone(),
            mode: marker
                .mode
                .as_ref()
                .map_or(MatchMode::FORBIDDEN_DEFAULT, |m| m.node),
            variants,
            allowed_when_negated: item.unless_negated.is_some(),
            harmful_when_negated: item.even_negated.is_some(),
        });
    }
    out
}

/// The texts of a list, reporting empty ones.
fn non_empty(cx: &mut Cx, texts: &[Text]) -> Vec<String> {
    let mut out = Vec::new();
    for t in texts {
        if crate::matching::normalize_pattern(&t.node).is_empty() {
            empty(cx, t.span);
        } else {
            out.push(t.node.clone());
        }
    }
    out
}

fn empty(cx: &mut Cx, at: Span) {
    cx.push(
        cx.error(Code::EmptyMarker, at, "this text is empty")
            .with_label("an empty text matches everywhere")
            .with_help("write the words it stands for"),
    );
}
