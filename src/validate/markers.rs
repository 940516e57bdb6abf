//! Marker rules: sets resolved, no empty or repeated alternative, one match
//! mode per marker text, and no required group that a forbidden marker makes
//! impossible to meet.

use std::collections::BTreeMap;

use super::Scope;
use crate::diagnostic::Code;
use crate::diagnostic::Cx;
use crate::matching;
use crate::source::Span;
use crate::spec::{MatchMode, TaskMatching};
use crate::suggest;
use crate::syntax::ast::{self, Alternative, Forbidden, MarkerRule, MarkerSet, Spanned};

/// A marker after sets are expanded: text, explicit mode, where it was written.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub text: String,
    pub mode: Option<MatchMode>,
    pub span: Span,
}

fn mode(m: &ast::Marker) -> Option<MatchMode> {
    m.mode.as_ref().map(|m| m.node)
}

/// A named marker set: its markers, each non-empty and listed once.
pub(crate) fn check_set(cx: &mut Cx, set: &MarkerSet) -> Vec<(String, Option<MatchMode>)> {
    let mut out: Vec<Resolved> = Vec::new();
    for alt in &set.group.node {
        match alt {
            Alternative::Marker(m) => out.push(Resolved {
                text: m.text.node.clone(),
                mode: mode(m),
                span: m.span,
            }),
            Alternative::Set(name) => {
                cx.push(
                    cx.error(
                        Code::UnknownMarkerSet,
                        name.span,
                        format!("a marker set cannot include another set (`{}`)", name.node),
                    )
                    .with_label("write the markers out here")
                    .with_help("list the markers themselves, in quotes"),
                );
            }
        }
    }
    let out = distinct_non_empty(cx, out);
    out.into_iter().map(|r| (r.text, r.mode)).collect()
}

/// The kind of a marker set in [`crate::diagnostic::Uses`].
pub const MARKER_SET: &str = "marker set";

/// Expands the sets a group names, reporting unknown ones.
fn resolve(cx: &mut Cx, scope: &Scope, alts: &[Alternative]) -> Vec<Resolved> {
    let mut out = Vec::new();
    for alt in alts {
        match alt {
            Alternative::Marker(m) => out.push(Resolved {
                text: m.text.node.clone(),
                mode: mode(m),
                span: m.span,
            }),
            Alternative::Set(name) => match scope.marker_sets.get(&name.node) {
                Some(markers) => {
                    cx.uses(MARKER_SET, &name.node);
                    out.extend(markers.iter().map(|(text, mode)| Resolved {
                        text: text.clone(),
                        mode: *mode,
                        span: name.span,
                    }))
                }
                None => {
                    let help = suggest::did_you_mean(
                        &name.node,
                        scope.marker_sets.keys().map(String::as_str),
                    )
                    .unwrap_or_else(|| {
                        "declare it with `markers NAME { \"a\" | \"b\" }`, or write the marker in quotes"
                            .to_owned()
                    });
                    cx.push(
                        cx.error(
                            Code::UnknownMarkerSet,
                            name.span,
                            format!("unknown marker set `{}`", name.node),
                        )
                        .with_label("no `markers` declaration has this name")
                        .with_help(help),
                    );
                }
            },
        }
    }
    out
}

/// Drops (and reports) empty markers and markers repeated in one list.
fn distinct_non_empty(cx: &mut Cx, markers: Vec<Resolved>) -> Vec<Resolved> {
    let mut out: Vec<Resolved> = Vec::with_capacity(markers.len());
    for m in markers {
        if matching::normalize_pattern(&m.text).is_empty() {
            cx.push(
                cx.error(Code::EmptyMarker, m.span, "this marker is empty")
                    .with_label("an empty marker matches every text")
                    .with_help("write the words the text must (or must not) contain"),
            );
            continue;
        }
        if let Some(first) = out.iter().find(|o| o.text == m.text) {
            let (file, first_span) = (cx.file, first.span);
            cx.push(
                cx.error(
                    Code::DuplicateAlternative,
                    m.span,
                    format!("\"{}\" is listed twice", m.text),
                )
                .with_label("listed again here")
                .with_related(file, first_span, "first listed here")
                .with_help("remove one of them"),
            );
            continue;
        }
        out.push(m);
    }
    out
}

/// Records each marker's effective mode in its section, reporting a text
/// given two different modes; markers using the section default are omitted.
struct Modes {
    default: MatchMode,
    seen: BTreeMap<String, (MatchMode, Span)>,
}

impl Modes {
    fn new(default: MatchMode) -> Self {
        Self {
            default,
            seen: BTreeMap::new(),
        }
    }

    fn add(&mut self, cx: &mut Cx, marker: &Resolved) {
        let mode = marker.mode.unwrap_or(self.default);
        match self.seen.get(&marker.text) {
            Some(&(first, first_span)) if first != mode => {
                let file = cx.file;
                cx.push(
                    cx.error(
                        Code::ConflictingMode,
                        marker.span,
                        format!(
                            "\"{}\" is matched as a {} here but as a {} before",
                            marker.text,
                            name(mode),
                            name(first)
                        ),
                    )
                    .with_label("different match mode")
                    .with_related(file, first_span, "first mode given here")
                    .with_help("give the marker one match mode throughout the section"),
                );
            }
            Some(_) => {}
            None => {
                self.seen.insert(marker.text.clone(), (mode, marker.span));
            }
        }
    }

    /// The markers that use another mode than the section's default.
    fn non_default(self) -> BTreeMap<String, MatchMode> {
        let default = self.default;
        self.seen
            .into_iter()
            .filter(|(_, (m, _))| *m != default)
            .map(|(t, (m, _))| (t, m))
            .collect()
    }
}

fn name(mode: MatchMode) -> &'static str {
    match mode {
        MatchMode::Word => "whole word",
        MatchMode::Substring => "substring",
        MatchMode::Start => "word start",
        MatchMode::Loose => "loose phrase",
    }
}

/// One forbidden marker after sets are expanded, with its other spellings
/// and whether a negated occurrence is allowed.
struct ForbiddenMarker {
    marker: Resolved,
    variants: Vec<String>,
    unless_negated: bool,
    even_negated: bool,
}

/// A `forbid` list, sets expanded; variants and `unless negated` apply to
/// every marker an entry stands for.
fn forbidden_markers(cx: &mut Cx, scope: &Scope, list: &[Forbidden]) -> Vec<ForbiddenMarker> {
    let mut out = Vec::new();
    for item in list {
        let variants: Vec<String> = item
            .variants
            .iter()
            .filter(|v| {
                let empty = matching::normalize_pattern(&v.node).is_empty();
                if empty {
                    cx.push(
                        cx.error(Code::EmptyMarker, v.span, "this spelling is empty")
                            .with_label("an empty spelling matches every text")
                            .with_help("write the other spelling of the phrase, or remove `or`"),
                    );
                }
                !empty
            })
            .map(|v| v.node.clone())
            .collect();
        for marker in resolve(cx, scope, std::slice::from_ref(&item.alternative)) {
            out.push(ForbiddenMarker {
                marker,
                variants: variants.clone(),
                unless_negated: item.unless_negated.is_some(),
                even_negated: item.even_negated.is_some(),
            });
        }
    }
    out
}

/// The `reply` block: required groups and forbidden markers.
pub(crate) fn check_reply(
    cx: &mut Cx,
    scope: &Scope,
    rules: &[MarkerRule],
    matching: &mut TaskMatching,
) -> (Vec<Vec<String>>, Vec<String>) {
    let mut groups: Vec<(Span, Vec<Resolved>)> = Vec::new();
    let mut entries: Vec<ForbiddenMarker> = Vec::new();
    for rule in rules {
        match rule {
            MarkerRule::Require(group) => groups.push(require(cx, scope, group)),
            MarkerRule::Forbid(list) => entries.extend(forbidden_markers(cx, scope, &list.node)),
            MarkerRule::ForbidAct(act) => {
                let default = crate::spec::Grading::default();
                let verbs = scope
                    .domain
                    .as_ref()
                    .map_or(&default.verbs, |d| &d.grading.verbs);
                if let Some(act) = super::grading::act(cx, act, verbs) {
                    matching.forbidden_acts.push(act);
                }
            }
        }
    }
    let kept = distinct_non_empty(cx, entries.iter().map(|e| e.marker.clone()).collect());
    // The entries whose marker was kept, in order (a repeat or an empty
    // marker was reported and dropped).
    let mut forbidden: Vec<ForbiddenMarker> = Vec::with_capacity(kept.len());
    for marker in kept {
        if let Some(i) = entries
            .iter()
            .position(|e| e.marker.text == marker.text && e.marker.span == marker.span)
        {
            let e = entries.swap_remove(i);
            forbidden.push(ForbiddenMarker { marker, ..e });
        }
    }
    let mut required_modes = Modes::new(MatchMode::MARKER_DEFAULT);
    for (_, group) in &groups {
        for m in group {
            required_modes.add(cx, m);
        }
    }
    let mut forbidden_modes = Modes::new(MatchMode::FORBIDDEN_DEFAULT);
    for f in &forbidden {
        forbidden_modes.add(cx, &f.marker);
        if !f.variants.is_empty() {
            matching
                .forbidden_variants
                .entry(f.marker.text.clone())
                .or_default()
                .extend(f.variants.iter().cloned());
        }
        if f.unless_negated && !matching.allowed_when_negated.contains(&f.marker.text) {
            matching.allowed_when_negated.push(f.marker.text.clone());
        }
        if f.even_negated && !matching.harmful_when_negated.contains(&f.marker.text) {
            matching.harmful_when_negated.push(f.marker.text.clone());
        }
    }
    matching.required_reply_markers = required_modes.non_default();
    matching.forbidden_reply_markers = forbidden_modes.non_default();

    // One matcher for the forbidden markers and their variants, each
    // alternative tested once, as grading sees them: an alternative is
    // blocked where a forbidden phrase occurs in it and is not allowed by a
    // negation inside the alternative itself.
    let mut patterns: Vec<(&str, MatchMode, usize)> = Vec::new();
    for (i, f) in forbidden.iter().enumerate() {
        let mode = f.marker.mode.unwrap_or(MatchMode::FORBIDDEN_DEFAULT);
        patterns.push((f.marker.text.as_str(), mode, i));
        patterns.extend(f.variants.iter().map(|v| (v.as_str(), mode, i)));
    }
    let forbidding = matching::Matcher::with_strategy(
        patterns.iter().map(|(t, m, _)| (*t, *m)),
        matching::Strategy::PerPattern,
    );
    // Negation matters only for markers allowed when negated (rare): the
    // detector is built only then.
    let negation = forbidden
        .iter()
        .any(|f| !f.even_negated)
        .then(|| scope.negation());
    let blocker = |alt: &Resolved| -> Option<usize> {
        let norm = matching::normalize_pattern(&alt.text);
        let scopes = negation
            .as_ref()
            .map(|n| n.scopes(&norm))
            .unwrap_or_default();
        let mut found = None;
        forbidding.scan_normalized(&norm, |p, start, end| {
            let f = patterns[p].2;
            let allowed =
                !forbidden[f].even_negated && matching::Negation::negates(&scopes, start, end);
            if !allowed && found.is_none() {
                found = Some(f);
            }
        });
        found
    };
    for (span, group) in &groups {
        if group.is_empty() || forbidden.is_empty() {
            continue;
        }
        let blocked: Vec<(&Resolved, &Resolved)> = group
            .iter()
            .filter_map(|alt| blocker(alt).map(|f| (alt, &forbidden[f].marker)))
            .collect();
        if blocked.len() == group.len() {
            let names: Vec<String> = group.iter().map(|a| format!("\"{}\"", a.text)).collect();
            let mut forbidding: Vec<String> = blocked
                .iter()
                .map(|(_, f)| format!("\"{}\"", f.text))
                .collect();
            forbidding.dedup();
            let mut forbidden_at: Vec<Span> = blocked.iter().map(|(_, f)| f.span).collect();
            forbidden_at.sort();
            forbidden_at.dedup();
            let mut diagnostic = cx.error(
                Code::UnmeetableGroup,
                *span,
                format!(
                    "the required group {} can never be met: every alternative contains a forbidden marker",
                    names.join(" | ")
                ),
            )
            .with_label(format!("each alternative contains {}", forbidding.join(" or ")))
            .with_help("add an alternative without the forbidden words, or stop forbidding them");
            for span in forbidden_at {
                diagnostic = diagnostic.with_related(cx.file, span, "forbidden here");
            }
            cx.push(diagnostic);
        }
    }
    (
        groups
            .into_iter()
            .map(|(_, g)| g.into_iter().map(|m| m.text).collect())
            .collect(),
        forbidden.into_iter().map(|f| f.marker.text).collect(),
    )
}

/// The `note` block: required groups only.
pub(crate) fn check_note(
    cx: &mut Cx,
    scope: &Scope,
    rules: &[MarkerRule],
    matching: &mut TaskMatching,
) -> Vec<Vec<String>> {
    let mut modes = Modes::new(MatchMode::MARKER_DEFAULT);
    let mut groups = Vec::new();
    for rule in rules {
        // The grammar admits only `require` in a note.
        if let MarkerRule::Require(group) = rule {
            let (_, g) = require(cx, scope, group);
            for m in &g {
                modes.add(cx, m);
            }
            groups.push(g.into_iter().map(|m| m.text).collect());
        }
    }
    matching.required_note_markers = modes.non_default();
    groups
}

fn require(cx: &mut Cx, scope: &Scope, group: &Spanned<Vec<Alternative>>) -> (Span, Vec<Resolved>) {
    let resolved = resolve(cx, scope, &group.node);
    (group.span, distinct_non_empty(cx, resolved))
}
