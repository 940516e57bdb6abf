//! Floors: reasons given once, phrases non-empty and listed once per floor.

use crate::diagnostic::Code;
use crate::diagnostic::Cx;
use std::collections::BTreeMap;

use crate::spec::{FloorGroup, FloorSpec, MatchMode, Phrase};
use crate::syntax::ast::Floor;

pub(crate) fn check(cx: &mut Cx, floor: &Floor) -> FloorSpec {
    if floor.groups.is_empty() {
        cx.push(
            cx.error(
                Code::EmptyMarker,
                floor.name.span,
                format!("floor `{}` has no phrases", floor.name.node),
            )
            .with_label("empty floor")
            .with_help("add a reason and its phrases, e.g. `registry: \"regedit\", \"registry\"`"),
        );
    }
    // The verb classes of acts: the default ones, and the floor's own.
    let mut verbs = crate::spec::default_verbs();
    let declared: Vec<_> = floor.verbs.iter().map(|(n, f)| (n, f)).collect();
    super::grading::add_verbs(cx, &mut verbs, &declared);
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut groups: Vec<FloorGroup> = Vec::new();
    let mut seen: Vec<(&str, crate::source::Span)> = Vec::new();
    for (gi, group) in floor.groups.iter().enumerate() {
        if let Some(first) = floor.groups[..gi]
            .iter()
            .find(|g| g.reason.node == group.reason.node)
        {
            let (file, first_span) = (cx.file, first.reason.span);
            cx.push(
                cx.error(
                    Code::DuplicateField,
                    group.reason.span,
                    format!(
                        "reason `{}` is given twice in floor `{}`",
                        group.reason.node, floor.name.node
                    ),
                )
                .with_label("given again here")
                .with_related(file, first_span, "first given here")
                .with_help("put all the phrases of one reason on one line"),
            );
            continue;
        }
        let mut phrases = Vec::new();
        for phrase in &group.phrases {
            let text = phrase.text.node.as_str();
            if crate::matching::normalize_pattern(text).is_empty() {
                cx.push(
                    cx.error(Code::EmptyMarker, phrase.span, "this phrase is empty")
                        .with_label("an empty phrase matches every step")
                        .with_help("write the words a step must not contain"),
                );
                continue;
            }
            if let Some(&(_, first_span)) = seen.iter().find(|(t, _)| *t == text) {
                let file = cx.file;
                cx.push(
                    cx.error(
                        Code::DuplicateAlternative,
                        phrase.span,
                        format!("\"{text}\" is listed twice in floor `{}`", floor.name.node),
                    )
                    .with_label("listed again here")
                    .with_related(file, first_span, "first listed here")
                    .with_help("remove one of them"),
                );
                continue;
            }
            seen.push((text, phrase.span));
            let mode = phrase
                .mode
                .as_ref()
                .map_or(MatchMode::FLOOR_DEFAULT, |m| m.node);
            phrases.push(Phrase {
                text: text.to_owned(),
                mode,
            });
        }
        let mut acts = Vec::new();
        for a in &group.acts {
            if let Some(act) = super::grading::act(cx, a, &verbs) {
                used.insert(act.verbs.clone(), verbs[&act.verbs].clone());
                acts.push(act);
            }
        }
        groups.push(FloorGroup {
            reason: group.reason.node.clone(),
            description: group.description.as_ref().map(|d| d.node.clone()),
            phrases,
            acts,
        });
    }
    FloorSpec {
        title: floor.title.as_ref().map(|t| t.node.clone()),
        verbs: used,
        groups,
    }
}
