//! The table of lint rules: stable codes, sorted, never reused. Each rule is
//! declared in its own file under `rules/` with [`rule!`], whose `///` doc is
//! what `taskc explain CODE` prints, so the docs cannot drift from the code.

use super::rules;
use super::LintContext;
use crate::diagnostic::Diagnostic;

/// How a rule's findings are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// A warning (fails only with `--deny warnings`).
    Warn,
    /// An error.
    Deny,
}

/// A registered lint rule.
pub struct RuleInfo {
    pub code: &'static str,
    /// A kebab-case name, accepted wherever a code is.
    pub name: &'static str,
    pub summary: &'static str,
    /// The rule's doc comment: What it does / Why is this bad / Example / Use instead.
    pub doc: &'static str,
    pub default_level: Level,
    pub check: fn(&LintContext<'_>, &mut Vec<Diagnostic>),
}

/// Declares a rule: its doc comment becomes [`RuleInfo::doc`].
macro_rules! rule {
    (
        $(#[doc = $doc:literal])*
        pub const $const:ident = {
            code: $code:literal,
            name: $name:literal,
            summary: $summary:literal,
            level: $level:ident,
            check: $check:path $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub const $const: $crate::lint::registry::RuleInfo = $crate::lint::registry::RuleInfo {
            code: $code,
            name: $name,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
            default_level: $crate::lint::registry::Level::$level,
            check: $check,
        };
    };
}
pub(crate) use rule;

/// Every rule, sorted by code.
pub static RULES: &[RuleInfo] = &[
    rules::redundant_alternative::RULE,
    rules::equal_after_normalization::RULE,
    rules::alternative_contains_forbidden::RULE,
    rules::unused_declaration::RULE,
    rules::shadowed_floor_phrase::RULE,
    rules::do_nothing_pays::RULE,
];

/// A rule by code (`L001`) or name (`redundant-alternative`).
pub fn find(key: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

/// The doc without the one space `///` leaves at the start of each line.
pub fn doc_text(doc: &str) -> String {
    doc.lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::RULES;

    #[test]
    fn codes_are_sorted_unique_and_documented() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for rule in RULES {
            for section in [
                "## What it does",
                "## Why is this bad",
                "## Example",
                "## Use instead",
            ] {
                assert!(rule.doc.contains(section), "{} lacks {section}", rule.code);
            }
        }
    }
}
