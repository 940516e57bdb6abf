//! Names checked against the domain's vocabularies, with "did you mean".

use super::Scope;
use crate::diagnostic::Code;
use crate::diagnostic::Cx;
use crate::suggest;
use crate::syntax::ast::{Name, Vocabulary};

/// Checks a name against a vocabulary; true when it is declared (or the
/// vocabulary itself is missing, which is reported once elsewhere).
pub(crate) fn check(cx: &mut Cx, scope: &Scope, vocabulary: Vocabulary, name: &Name) -> bool {
    let Some(known) = scope.vocabulary(vocabulary) else {
        return true;
    };
    if known.contains(&name.node) {
        cx.uses(vocabulary.singular(), &name.node);
        return true;
    }
    unknown(
        cx,
        name,
        vocabulary.singular(),
        known.iter().map(String::as_str),
        &format!("declare it in the domain's `{}`", vocabulary.keyword()),
    );
    false
}

/// Checks a name against a fixed set of words (difficulties, outcomes).
pub(crate) fn check_fixed(cx: &mut Cx, what: &str, allowed: &[&str], name: &Name) -> bool {
    if allowed.contains(&name.node.as_str()) {
        return true;
    }
    unknown(cx, name, what, allowed.iter().copied(), "");
    false
}

/// Reports an undeclared name: the closest match if there is one, else the
/// list of what is allowed.
pub(crate) fn unknown<'a>(
    cx: &mut Cx,
    name: &Name,
    what: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    how_to_declare: &str,
) {
    let help = match suggest::closest(&name.node, known.clone()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            let all: Vec<String> = known.map(|k| format!("`{k}`")).collect();
            let mut help = format!("the known values are {}", all.join(", "));
            if !how_to_declare.is_empty() {
                help.push_str(&format!("; if `{}` is new, {how_to_declare}", name.node));
            }
            help
        }
    };
    cx.push(
        cx.error(
            Code::UnknownName,
            name.span,
            format!("unknown {what} `{}`", name.node),
        )
        .with_label(format!("not a known {what}"))
        .with_help(help),
    );
}

/// Checks a list of names: each declared, none twice.
pub(crate) fn check_list(
    cx: &mut Cx,
    scope: &Scope,
    vocabulary: Vocabulary,
    names: &[Name],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        check(cx, scope, vocabulary, name);
        if let Some(first) = names[..i].iter().find(|n| n.node == name.node) {
            let first_span = first.span;
            let file = cx.file;
            cx.push(
                cx.error(
                    Code::DuplicateAlternative,
                    name.span,
                    format!("`{}` is listed twice", name.node),
                )
                .with_label("listed again here")
                .with_related(file, first_span, "first listed here")
                .with_help("remove one of them"),
            );
        } else {
            out.push(name.node.clone());
        }
    }
    out
}
