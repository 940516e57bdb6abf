//! The domain: each vocabulary declared once with no repeated value, every
//! vocabulary present, scoring components known and weights summing to 1;
//! and the extensions that add values to it from other files.

use super::fields::{decimal, once, report_missing};
use super::{grading, names};
use std::collections::BTreeMap;

use crate::diagnostic::Cx;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::spec::{DomainSpec, Weights};
use crate::syntax::ast::{
    Domain, DomainValue, Extension, Field, GradingValue, Name, Number, Vocabulary,
};

/// Checks the domain; returns its spec and the vocabularies it declared.
pub(crate) fn check(cx: &mut Cx, domain: &Domain) -> (DomainSpec, Vec<Vocabulary>) {
    let mut lists: Vec<Option<(Span, &Vec<Name>)>> = vec![None; Vocabulary::ALL.len()];
    let mut scoring: Option<(Span, &Vec<(Name, Number)>)> = None;
    let mut grading_block: Option<(Span, &Vec<Field<GradingValue>>)> = None;
    for field in &domain.fields {
        match &field.value {
            DomainValue::List(vocabulary, names) => {
                let slot = &mut lists[*vocabulary as usize];
                once(cx, slot, &field.keyword, names);
            }
            DomainValue::Scoring(weights) => once(cx, &mut scoring, &field.keyword, weights),
            DomainValue::Grading(fields) => once(cx, &mut grading_block, &field.keyword, fields),
        }
    }

    let missing: Vec<&str> = Vocabulary::ALL
        .iter()
        .filter(|v| lists[**v as usize].is_none())
        .map(|v| v.keyword())
        .collect();
    report_missing(
        cx,
        domain.name.span,
        &format!("domain `{}`", domain.name.node),
        &missing,
        "declare each vocabulary as a comma-separated list, e.g. `queues billing_ops, general_support`",
    );

    let mut values = |v: Vocabulary| -> Vec<String> {
        let Some((_, names)) = lists[v as usize] else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            if let Some(first) = names[..i].iter().find(|n| n.node == name.node) {
                let (file, first_span) = (cx.file, first.span);
                cx.push(
                    cx.error(
                        Code::DuplicateDeclaration,
                        name.span,
                        format!("{} `{}` is declared twice", v.singular(), name.node),
                    )
                    .with_label("declared again here")
                    .with_related(file, first_span, "first declared here")
                    .with_help("remove one of them"),
                );
            } else {
                out.push(name.node.clone());
            }
        }
        out
    };
    let mut spec = DomainSpec {
        name: domain.name.node.clone(),
        queues: values(Vocabulary::Queues),
        priorities: values(Vocabulary::Priorities),
        statuses: values(Vocabulary::Statuses),
        issue_types: values(Vocabulary::IssueTypes),
        resolution_codes: values(Vocabulary::ResolutionCodes),
        tiers: values(Vocabulary::Tiers),
        fields: values(Vocabulary::Fields),
        risk_flags: values(Vocabulary::RiskFlags),
        scoring: Weights::DEFAULT,
        grading: Default::default(),
    };
    if let Some((keyword, weights)) = scoring {
        spec.scoring = check_scoring(cx, keyword, weights);
    }
    spec.grading = grading::domain(cx, grading_block.map(|(_, f)| f.as_slice()), &spec.statuses);
    let declared = Vocabulary::ALL
        .into_iter()
        .filter(|v| lists[*v as usize].is_some())
        .collect();
    (spec, declared)
}

/// Adds the values of every `extend domain` to the domain, in load order
/// (after the domain's own). An extension names the domain it extends, and
/// each value it adds is new: one already declared (by the domain or an
/// earlier extension) is reported where it is declared again.
pub(crate) fn extend(
    domain: Option<(FileId, &Domain)>,
    spec: Option<&mut DomainSpec>,
    extensions: &[(FileId, &Extension)],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let (Some((domain_file, domain)), Some(spec)) = (domain, spec) else {
        for (file, extension) in extensions {
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingDomain,
                    *file,
                    extension.name.span,
                    format!(
                        "no `domain` is declared, so `extend domain {}` has nothing to extend",
                        extension.name.node
                    ),
                )
                .with_label("no such domain")
                .with_help(
                    "check the file that declares `domain NAME { ... }` together with this one \
                     (e.g. `taskc check tasks`)",
                ),
            );
        }
        return;
    };
    // Where each value was first declared.
    let mut first: BTreeMap<(Vocabulary, &str), (FileId, Span)> = BTreeMap::new();
    for field in &domain.fields {
        if let DomainValue::List(vocabulary, names) = &field.value {
            for name in names {
                first
                    .entry((*vocabulary, name.node.as_str()))
                    .or_insert((domain_file, name.span));
            }
        }
    }
    for &(file, extension) in extensions {
        if extension.name.node != spec.name {
            let help = format!(
                "the project's domain is `{}`: write `extend domain {}`",
                spec.name, spec.name
            );
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownName,
                    file,
                    extension.name.span,
                    format!("there is no domain `{}` to extend", extension.name.node),
                )
                .with_label("not the project's domain")
                .with_related(domain_file, domain.name.span, "the project's domain")
                .with_help(help),
            );
            continue;
        }
        for field in &extension.fields {
            if let DomainValue::Grading(fields) = &field.value {
                extend_grading(&mut spec.grading, fields);
                continue;
            }
            let DomainValue::List(vocabulary, names) = &field.value else {
                continue;
            };
            for name in names {
                let key = (*vocabulary, name.node.as_str());
                if let Some(&(first_file, first_span)) = first.get(&key) {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::DuplicateDeclaration,
                            file,
                            name.span,
                            format!(
                                "{} `{}` is already declared",
                                vocabulary.singular(),
                                name.node
                            ),
                        )
                        .with_label("declared again here")
                        .with_related(first_file, first_span, "first declared here")
                        .with_help("an extension adds new values only: remove this one"),
                    );
                    continue;
                }
                first.insert(key, (file, name.span));
                values_mut(spec, *vocabulary).push(name.node.clone());
            }
        }
    }
}

/// What an extension adds to the domain's grading: verb forms to a verb
/// class (or a new class), and negation words. Empty texts are left out (a
/// list of texts never matches an empty one).
fn extend_grading(grading: &mut crate::spec::Grading, fields: &[Field<GradingValue>]) {
    let texts = |list: &[crate::syntax::ast::Text]| -> Vec<String> {
        list.iter()
            .filter(|t| !crate::matching::normalize_pattern(&t.node).is_empty())
            .map(|t| t.node.clone())
            .collect()
    };
    let add = |to: &mut Vec<String>, new: Vec<String>| {
        for t in new {
            if !to.contains(&t) {
                to.push(t);
            }
        }
    };
    for field in fields {
        match &field.value {
            GradingValue::Verbs(name, forms) => add(
                grading.verbs.entry(name.node.clone()).or_default(),
                texts(forms),
            ),
            GradingValue::NegationTriggers(t) => add(&mut grading.negation.triggers, texts(t)),
            GradingValue::NegationPseudo(t) => add(&mut grading.negation.pseudo_triggers, texts(t)),
            GradingValue::NegationVerbs(t) => add(&mut grading.negation.verbs, texts(t)),
            _ => {}
        }
    }
}

fn values_mut(spec: &mut DomainSpec, vocabulary: Vocabulary) -> &mut Vec<String> {
    match vocabulary {
        Vocabulary::Queues => &mut spec.queues,
        Vocabulary::Priorities => &mut spec.priorities,
        Vocabulary::Statuses => &mut spec.statuses,
        Vocabulary::IssueTypes => &mut spec.issue_types,
        Vocabulary::ResolutionCodes => &mut spec.resolution_codes,
        Vocabulary::Tiers => &mut spec.tiers,
        Vocabulary::Fields => &mut spec.fields,
        Vocabulary::RiskFlags => &mut spec.risk_flags,
    }
}

/// A `scoring` block: components not listed weigh 0, and the sum must be 1.
fn check_scoring(cx: &mut Cx, keyword: Span, weights: &[(Name, Number)]) -> Weights {
    let mut out = Weights {
        queue: 0.0,
        priority: 0.0,
        issue_type: 0.0,
        status: 0.0,
        resolution_code: 0.0,
        info_requests: 0.0,
        reply: 0.0,
        note: 0.0,
        process: 0.0,
    };
    let mut all_valid = true;
    for (i, (component, number)) in weights.iter().enumerate() {
        if !names::check_fixed(cx, "score component", &Weights::COMPONENTS, component) {
            all_valid = false;
            continue;
        }
        if let Some((first, _)) = weights[..i].iter().find(|(c, _)| c.node == component.node) {
            let (file, first_span) = (cx.file, first.span);
            cx.push(
                cx.error(
                    Code::DuplicateField,
                    component.span,
                    format!("the weight of `{}` is given twice", component.node),
                )
                .with_label("given again here")
                .with_related(file, first_span, "first given here")
                .with_help("keep one weight per component"),
            );
            all_valid = false;
            continue;
        }
        match decimal(cx, number, "a weight", 0.0, 1.0) {
            Some(w) => {
                out.set(&component.node, w);
            }
            None => all_valid = false,
        }
    }
    let sum = out.sum();
    if all_valid && (sum - 1.0).abs() > 1e-9 {
        let unlisted: Vec<&str> = Weights::COMPONENTS
            .iter()
            .copied()
            .filter(|c| !weights.iter().any(|(n, _)| n.node == *c))
            .collect();
        let mut help = format!(
            "adjust the weights so they add up to 1 (now {})",
            round(sum)
        );
        if !unlisted.is_empty() {
            help.push_str(&format!(
                "; components not listed weigh 0: {}",
                unlisted.join(", ")
            ));
        }
        cx.push(
            cx.error(
                Code::WeightsSum,
                keyword,
                format!("the scoring weights sum to {}, not 1", round(sum)),
            )
            .with_label("these weights")
            .with_help(help),
        );
    }
    out
}

fn round(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
