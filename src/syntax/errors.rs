//! The one conversion of pest errors into diagnostics. Rule names become
//! words an author understands ("expected a quoted text"), the token found is
//! named, and a word close to an expected keyword gets "did you mean".

use pest::error::{ErrorVariant, InputLocation};

use super::hints;
use super::lex::Token;
use super::{Rule, TaskParser};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::FileId;
use crate::source::Span;
use crate::suggest;

/// One syntax error, read: where pest stopped, the diagnostic for it, and
/// whether a new statement could have started there (what recovery needs
/// to know to resynchronize).
pub(crate) struct Failure {
    pub pos: usize,
    pub diagnostic: Diagnostic,
    /// A field, a declaration or a closing `}` was among what was expected:
    /// the statement before `pos` was complete, and the text at `pos` is the
    /// stray part.
    pub boundary: bool,
}

/// What pest expected where it stopped, in an author's words.
pub(crate) struct Expected {
    /// Descriptions ("a quoted text", "`}`"), sorted.
    pub words: Vec<&'static str>,
    /// The keywords that could have come next, sorted.
    pub keywords: Vec<&'static str>,
}

impl Expected {
    pub fn has(&self, word: &str) -> bool {
        self.words.contains(&word)
    }
}

/// Converts a pest error. The error is re-derived with pest's detailed
/// tracking on, which costs time only on this failing path. `tokens` are
/// the tokens of `text` ([`lex::tokens`]), for the hints.
pub(crate) fn failure(
    file: FileId,
    text: &str,
    tokens: &[Token],
    error: &pest::error::Error<Rule>,
) -> Failure {
    use pest::Parser as _;
    pest::set_error_detail(true);
    let detailed = TaskParser::parse(Rule::file, text).err();
    let error = detailed.as_ref().unwrap_or(error);

    let pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let (found, found_span) = found_at(text, pos);

    let mut expected: Vec<&'static str> = Vec::new();
    let mut keywords: Vec<&'static str> = Vec::new();
    let mut boundary = false;
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for rule in positives {
            if let Some(kw) = keyword(*rule) {
                keywords.push(kw);
                boundary |= starts_statement(kw);
            }
            if let Some(words) = describe(*rule) {
                expected.push(words);
            }
            boundary |= *rule == Rule::EOI;
        }
    }
    if let Some(attempts) = error.parse_attempts() {
        // pest does not export the token type; its Display is the literal.
        for token in attempts.expected_tokens() {
            let token = token.to_string();
            if let Some(p) = punctuation(&token) {
                expected.push(p);
                boundary |= p == "`}`";
            } else if let Some(kw) = KEYWORDS.iter().find(|k| ***k == token) {
                // Where pest reports only an enclosing rule, the keyword
                // tokens still say what could start here.
                keywords.push(kw);
                boundary = true;
                expected.push(KEYWORD_TICKS[KEYWORDS.iter().position(|k| k == kw).unwrap_or(0)]);
            }
        }
    }
    // An extension holds some of a domain's fields (never `priorities`).
    let context = if keywords.contains(&"queues") && !keywords.contains(&"priorities") {
        Some("`extend domain`")
    } else {
        keywords.iter().find_map(|k| block_name(k))
    };
    expected.sort_unstable();
    expected.dedup();
    keywords.sort_unstable();
    keywords.dedup();

    let listed = if keywords.len() > 6 {
        let what = context.map_or("a field".to_owned(), |c| format!("a field of {c}"));
        let mut rest: Vec<&str> = expected
            .iter()
            .copied()
            .filter(|e| !e.starts_with('`') || e.len() <= 3)
            .collect();
        rest.retain(|e| !keywords.iter().any(|k| e.trim_matches('`') == *k));
        let mut parts = vec![what];
        parts.extend(rest.iter().map(|s| s.to_string()));
        join_or(&parts)
    } else {
        join_or(&expected.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    };
    let message = if listed.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {listed}, found {found}")
    };

    if let Some(unclosed) = unclosed_text(text, pos) {
        return Failure {
            pos,
            diagnostic: unclosed.into_diagnostic(file),
            boundary,
        };
    }

    let expected = Expected {
        words: expected,
        keywords,
    };
    let typed = word_at(text, pos);
    let mut hint = hints::hint(text, tokens, pos, &expected);
    let mut help = hint.as_ref().map(|h| h.help.clone());
    if help.is_none() {
        help = typed.and_then(|w| suggest::did_you_mean(w, expected.keywords.iter().copied()));
    }
    if help.is_none() {
        help = typed.and_then(|w| misplaced(w, &expected.keywords));
    }
    if help.is_none() && expected.keywords.len() > 6 {
        let list: Vec<String> = expected.keywords.iter().map(|k| format!("`{k}`")).collect();
        help = Some(format!(
            "{} can hold: {}",
            context.unwrap_or("this block"),
            list.join(", ")
        ));
    }
    let label = if listed.is_empty() {
        "unexpected here".to_owned()
    } else {
        format!("expected {listed}")
    };
    let (message, label) = hint
        .as_mut()
        .and_then(|h| h.message.take())
        .unwrap_or((message, label));
    let mut diagnostic = Diagnostic::error(
        Code::Syntax,
        file,
        hint.as_ref().and_then(|h| h.span).unwrap_or(found_span),
        message,
    )
    .with_label(label)
    .with_help_opt(help);
    for (span, label) in hint.into_iter().flat_map(|h| h.related) {
        diagnostic = diagnostic.with_related(file, span, label);
    }
    Failure {
        pos,
        diagnostic,
        boundary,
    }
}

/// Whether a keyword starts a statement (a field or a declaration), rather
/// than continuing one (`or`, `unless`, `cap`...).
pub(crate) fn starts_statement(keyword: &str) -> bool {
    !matches!(
        keyword,
        "or" | "unless"
            | "negated"
            | "pass"
            | "fail"
            | "score"
            | "to"
            | "off"
            | "cap"
            | "when"
            | "says"
            | "act"
            | "even"
            | "does"
    )
}

/// Whether `word` is a keyword of the grammar.
pub(crate) fn is_keyword(word: &str) -> bool {
    static ALL: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let mut all: Vec<&str> = Rule::all_rules()
            .iter()
            .filter_map(|r| keyword(*r))
            .collect();
        all.sort_unstable();
        all
    });
    ALL.binary_search(&word).is_ok()
}

/// A text whose closing quotes are missing, found where the error points.
struct Unclosed {
    span: Span,
    triple: bool,
}

impl Unclosed {
    fn into_diagnostic(self, file: FileId) -> Diagnostic {
        let (message, help) = if self.triple {
            (
                "this multi-line text is never closed",
                "end it with `\"\"\"`",
            )
        } else {
            (
                "this text is not closed before the end of the line",
                "add the closing `\"`, or use `\"\"\"` for a text over several lines",
            )
        };
        Diagnostic::error(Code::Syntax, file, self.span, message)
            .with_label("the text starts here")
            .with_help(help)
    }
}

fn unclosed_text(text: &str, pos: usize) -> Option<Unclosed> {
    let rest = text.get(pos..)?;
    if let Some(body) = rest.strip_prefix("\"\"\"") {
        return (!body.contains("\"\"\"")).then_some(Unclosed {
            span: Span::new(pos, pos + 3),
            triple: true,
        });
    }
    let body = rest.strip_prefix('"')?;
    let line = body.split('\n').next().unwrap_or("");
    let mut escaped = false;
    for c in line.chars() {
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, '"') => return None,
            _ => escaped = false,
        }
    }
    Some(Unclosed {
        span: Span::new(pos, pos + 1),
        triple: false,
    })
}

/// "did you mean" across every block, for a keyword written in the wrong one.
fn misplaced(word: &str, expected: &[&str]) -> Option<String> {
    let kw = if hints::homes(word).is_empty() {
        suggest::closest(word, hints::field_keywords())?
    } else {
        hints::field_keywords().find(|k| *k == word)?
    };
    if expected.contains(&kw) {
        return None;
    }
    let homes = hints::homes(kw);
    if homes == ["file"] {
        let prefix = if kw == word {
            format!("`{kw}`")
        } else {
            format!("did you mean `{kw}`? It")
        };
        return Some(format!(
            "{prefix} starts a declaration, at the top level of a file (outside every block)"
        ));
    }
    let homes: Vec<String> = homes.into_iter().map(hints::home).collect();
    let prefix = if kw == word {
        format!("`{kw}`")
    } else {
        format!("did you mean `{kw}`? It")
    };
    Some(format!("{prefix} goes inside {}", join_or(&homes)))
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The identifier that starts at `pos`, if any.
fn word_at(text: &str, pos: usize) -> Option<&str> {
    let rest = text.get(pos..)?;
    let first = rest.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Names the token at `pos` and gives its span (at least one character).
fn found_at(text: &str, pos: usize) -> (String, Span) {
    let pos = pos.min(text.len());
    let Some(rest) = text.get(pos..) else {
        return ("an unreadable character".to_owned(), Span::new(pos, pos));
    };
    let Some(first) = rest.chars().next() else {
        return ("the end of the file".to_owned(), Span::new(pos, pos));
    };
    if let Some(word) = word_at(text, pos) {
        return (format!("`{word}`"), Span::new(pos, pos + word.len()));
    }
    if first.is_ascii_digit() || first == '-' {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        return (format!("`{}`", &rest[..end]), Span::new(pos, pos + end));
    }
    let span = Span::new(pos, pos + first.len_utf8());
    let name = match first {
        '"' => "a quoted text".to_owned(),
        '\n' | '\r' => "the end of the line".to_owned(),
        c if c.is_whitespace() => "a space".to_owned(),
        c => format!("`{c}`"),
    };
    (name, span)
}

/// Top-level keywords, which pest may report only as tokens.
const KEYWORDS: [&str; 6] = ["domain", "extend", "task", "markers", "floor", "tree"];
const KEYWORD_TICKS: [&str; 6] = [
    "`domain`",
    "`extend`",
    "`task`",
    "`markers`",
    "`floor`",
    "`tree`",
];

/// Literal tokens worth naming in "expected ...".
fn punctuation(token: &str) -> Option<&'static str> {
    Some(match token {
        "{" => "`{`",
        "}" => "`}`",
        "," => "`,`",
        "|" => "`|`",
        ":" => "`:`",
        "\"" => "`\"`",
        _ => return None,
    })
}

/// How a block is called in "a field of ...", known by a keyword only it holds.
fn block_name(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "title" => "a task",
        "customer" => "a ticket",
        "queue" => "`expect`",
        "queues" => "a domain",
        "max_depth" => "a tree",
        "domain" => "a file (a declaration)",
        _ => return None,
    })
}

/// The keyword a keyword rule matches.
fn keyword(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::k_domain => "domain",
        Rule::k_task => "task",
        Rule::k_extend => "extend",
        Rule::k_markers => "markers",
        Rule::k_floor => "floor",
        Rule::k_tree => "tree",
        Rule::k_queues => "queues",
        Rule::k_priorities => "priorities",
        Rule::k_statuses => "statuses",
        Rule::k_issue_types => "issue_types",
        Rule::k_resolution_codes => "resolution_codes",
        Rule::k_tiers => "tiers",
        Rule::k_fields => "fields",
        Rule::k_risk_flags => "risk_flags",
        Rule::k_scoring => "scoring",
        Rule::k_title => "title",
        Rule::k_difficulty => "difficulty",
        Rule::k_objective => "objective",
        Rule::k_max_steps => "max_steps",
        Rule::k_sla_step_cost => "sla_step_cost",
        Rule::k_request => "request",
        Rule::k_risk => "risk",
        Rule::k_over_escalation => "over_escalation",
        Rule::k_under_escalation_deadline => "under_escalation_deadline",
        Rule::k_ticket => "ticket",
        Rule::k_customer => "customer",
        Rule::k_tier => "tier",
        Rule::k_company => "company",
        Rule::k_subject => "subject",
        Rule::k_body => "body",
        Rule::k_region => "region",
        Rule::k_affected_users => "affected_users",
        Rule::k_sla_minutes => "sla_minutes",
        Rule::k_impact => "impact",
        Rule::k_concern => "concern",
        Rule::k_attachment => "attachment",
        Rule::k_kb => "kb",
        Rule::k_expect => "expect",
        Rule::k_queue => "queue",
        Rule::k_priority => "priority",
        Rule::k_issue_type => "issue_type",
        Rule::k_status => "status",
        Rule::k_resolution => "resolution",
        Rule::k_follow_up => "follow_up",
        Rule::k_message => "message",
        Rule::k_provides => "provides",
        Rule::k_sends => "sends",
        Rule::k_reply => "reply",
        Rule::k_note => "note",
        Rule::k_require => "require",
        Rule::k_forbid => "forbid",
        Rule::k_max_depth => "max_depth",
        Rule::k_attempts => "attempts",
        Rule::k_floors => "floors",
        Rule::k_node_types => "node_types",
        Rule::k_depth_cap_text => "depth_cap_text",
        Rule::k_failure_text => "failure_text",
        Rule::k_role => "role",
        Rule::k_scope => "scope",
        Rule::k_escalation => "escalation",
        Rule::k_shape => "shape",
        Rule::k_or => "or",
        Rule::k_unless => "unless",
        Rule::k_negated => "negated",
        Rule::k_grading => "grading",
        Rule::k_reward => "reward",
        Rule::k_text_budget => "text_budget",
        Rule::k_gaming_threshold => "gaming_threshold",
        Rule::k_examples => "examples",
        Rule::k_pass => "pass",
        Rule::k_fail => "fail",
        Rule::k_episode => "episode",
        Rule::k_score => "score",
        Rule::k_to => "to",
        Rule::k_marker_density => "marker_density",
        Rule::k_note_marker_density => "note_marker_density",
        Rule::k_off_topic => "off_topic",
        Rule::k_negation_window => "negation_window",
        Rule::k_negation_triggers => "negation_triggers",
        Rule::k_negation_post => "negation_post",
        Rule::k_negation_pseudo => "negation_pseudo",
        Rule::k_negation_stops => "negation_stops",
        Rule::k_gate => "gate",
        Rule::k_off => "off",
        Rule::k_cap => "cap",
        Rule::k_when => "when",
        Rule::k_says => "says",
        Rule::k_act => "act",
        Rule::k_does => "does",
        Rule::k_even => "even",
        Rule::k_verbs => "verbs",
        Rule::k_languages => "languages",
        Rule::k_negation_verbs => "negation_verbs",
        Rule::k_negation_conditionals => "negation_conditionals",
        _ => return None,
    })
}

/// Words for a rule in "expected ...". Every rule is listed, so a new rule
/// cannot be added without deciding how an author will read it.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::WHITESPACE | Rule::COMMENT | Rule::file | Rule::ident_char => return None,
        // Silent choices: pest reports the alternatives inside them instead.
        Rule::item
        | Rule::value
        | Rule::alternative
        | Rule::domain_field
        | Rule::extension_field
        | Rule::task_field
        | Rule::ticket_field
        | Rule::expect_field
        | Rule::follow_up_field
        | Rule::tree_field
        | Rule::domain_grading_field
        | Rule::task_grading_field
        | Rule::gate_condition => return None,
        Rule::ident => "a name",
        Rule::word => "a value",
        Rule::number => "a number",
        Rule::string | Rule::quoted_string | Rule::triple_string => "a quoted text",
        Rule::quoted_inner | Rule::triple_inner => "the rest of the text",
        Rule::escape => "an escape (`\\\"`, `\\\\`, `\\n`, `\\t` or `\\u{...}`)",
        Rule::ident_list => "a list of names",
        Rule::match_mode => "`word` or `substring`",
        Rule::marker => "a quoted marker",
        Rule::marker_group => "markers separated by `|`",
        Rule::forbid_list => "markers separated by `,`",
        Rule::forbid_item => "a quoted marker",
        Rule::forbid_variant | Rule::k_or => "`or` and another spelling",
        Rule::unless_negated | Rule::k_unless => "`unless negated`",
        Rule::k_negated => "`negated`",
        Rule::even_negated | Rule::k_even => "`even negated`",
        Rule::act => "a verb class and its objects",
        Rule::floor_act => "an act (`act CLASS \"object\"`)",
        Rule::floor_item => "a phrase or an act",
        Rule::forbid_act | Rule::k_act => "`act`",
        Rule::does_condition | Rule::k_does => "`does`",
        Rule::verbs | Rule::k_verbs => "`verbs`",
        Rule::languages | Rule::k_languages => "`languages`",
        Rule::negation_verbs | Rule::k_negation_verbs => "`negation_verbs`",
        Rule::negation_conditionals | Rule::k_negation_conditionals => "`negation_conditionals`",
        Rule::domain_grading | Rule::task_grading | Rule::k_grading => "`grading`",
        Rule::reward | Rule::k_reward => "`reward`",
        Rule::text_budget | Rule::k_text_budget => "`text_budget`",
        Rule::gaming_threshold | Rule::k_gaming_threshold => "`gaming_threshold`",
        Rule::examples | Rule::k_examples => "`examples`",
        Rule::text_example => "`reply pass \"...\"` or another example",
        Rule::episode_example | Rule::k_episode => "`episode`",
        Rule::k_pass => "`pass`",
        Rule::k_fail => "`fail`",
        Rule::k_score => "`score`",
        Rule::k_to => "`to`",
        Rule::marker_density | Rule::k_marker_density => "`marker_density`",
        Rule::note_marker_density | Rule::k_note_marker_density => "`note_marker_density`",
        Rule::off_topic | Rule::k_off_topic => "`off_topic`",
        Rule::negation_window | Rule::k_negation_window => "`negation_window`",
        Rule::negation_triggers | Rule::k_negation_triggers => "`negation_triggers`",
        Rule::negation_post | Rule::k_negation_post => "`negation_post`",
        Rule::negation_pseudo | Rule::k_negation_pseudo => "`negation_pseudo`",
        Rule::negation_stops | Rule::k_negation_stops => "`negation_stops`",
        Rule::text_list => "quoted texts separated by `,`",
        Rule::gate | Rule::k_gate => "`gate`",
        Rule::gate_off | Rule::k_off => "`off`",
        Rule::gate_rule | Rule::k_cap => "`cap`",
        Rule::k_when => "`when`",
        Rule::says_condition | Rule::k_says => "`says`",
        Rule::status_condition => "`status`",
        Rule::expect_reply => "`reply`",
        Rule::expect_note => "`note`",
        Rule::marker_set | Rule::k_markers => "`markers`",
        Rule::domain | Rule::k_domain => "`domain`",
        Rule::extension | Rule::k_extend => "`extend domain`",
        Rule::task | Rule::k_task => "`task`",
        Rule::floor | Rule::k_floor => "`floor`",
        Rule::tree | Rule::k_tree => "`tree`",
        Rule::weight => "a score component and its weight",
        Rule::floor_group => "a reason and its phrases (`registry: \"regedit\"`)",
        Rule::phrase => "a quoted phrase",
        Rule::queues | Rule::k_queues => "`queues`",
        Rule::priorities | Rule::k_priorities => "`priorities`",
        Rule::statuses | Rule::k_statuses => "`statuses`",
        Rule::issue_types | Rule::k_issue_types => "`issue_types`",
        Rule::resolution_codes | Rule::k_resolution_codes => "`resolution_codes`",
        Rule::tiers | Rule::k_tiers => "`tiers`",
        Rule::fields | Rule::k_fields => "`fields`",
        Rule::risk_flags | Rule::k_risk_flags => "`risk_flags`",
        Rule::scoring | Rule::k_scoring => "`scoring`",
        Rule::title | Rule::k_title => "`title`",
        Rule::difficulty | Rule::k_difficulty => "`difficulty`",
        Rule::objective | Rule::k_objective => "`objective`",
        Rule::max_steps | Rule::k_max_steps => "`max_steps`",
        Rule::sla_step_cost | Rule::k_sla_step_cost => "`sla_step_cost`",
        Rule::request | Rule::k_request => "`request`",
        Rule::risk | Rule::k_risk => "`risk`",
        Rule::over_escalation | Rule::k_over_escalation => "`over_escalation`",
        Rule::under_escalation_deadline | Rule::k_under_escalation_deadline => {
            "`under_escalation_deadline`"
        }
        Rule::ticket | Rule::k_ticket => "`ticket`",
        Rule::customer | Rule::k_customer => "`customer`",
        Rule::tier | Rule::k_tier => "`tier`",
        Rule::company | Rule::k_company => "`company`",
        Rule::subject | Rule::k_subject => "`subject`",
        Rule::body | Rule::k_body => "`body`",
        Rule::region | Rule::k_region => "`region`",
        Rule::affected_users | Rule::k_affected_users => "`affected_users`",
        Rule::sla_minutes | Rule::k_sla_minutes => "`sla_minutes`",
        Rule::impact | Rule::k_impact => "`impact`",
        Rule::concern | Rule::k_concern => "`concern`",
        Rule::attachment | Rule::k_attachment => "`attachment`",
        Rule::kb | Rule::k_kb => "`kb`",
        Rule::expect | Rule::k_expect => "`expect`",
        Rule::expect_queue | Rule::k_queue => "`queue`",
        Rule::expect_priority | Rule::k_priority => "`priority`",
        Rule::expect_issue_type | Rule::k_issue_type => "`issue_type`",
        Rule::expect_status | Rule::k_status => "`status`",
        Rule::expect_resolution | Rule::k_resolution => "`resolution`",
        Rule::follow_up | Rule::k_follow_up => "`follow_up`",
        Rule::follow_up_message | Rule::k_message => "`message`",
        Rule::provides | Rule::k_provides => "`provides`",
        Rule::sends | Rule::k_sends => "`sends`",
        Rule::reply | Rule::k_reply => "`reply`",
        Rule::note | Rule::k_note => "`note`",
        Rule::require | Rule::k_require => "`require`",
        Rule::forbid | Rule::k_forbid => "`forbid`",
        Rule::max_depth | Rule::k_max_depth => "`max_depth`",
        Rule::attempts | Rule::k_attempts => "`attempts`",
        Rule::tree_floors | Rule::k_floors => "`floors`",
        Rule::node_types | Rule::k_node_types => "`node_types`",
        Rule::depth_cap_text | Rule::k_depth_cap_text => "`depth_cap_text`",
        Rule::failure_text | Rule::k_failure_text => "`failure_text`",
        Rule::role | Rule::k_role => "`role`",
        Rule::scope | Rule::k_scope => "`scope`",
        Rule::escalation | Rule::k_escalation => "`escalation`",
        Rule::shape | Rule::k_shape => "`shape`",
    })
}

#[cfg(test)]
mod tests {
    use super::{describe, keyword};
    use crate::syntax::{all_rules, Rule};

    #[test]
    fn every_keyword_rule_has_its_word() {
        for rule in all_rules() {
            let name = format!("{rule:?}");
            if let Some(word) = name.strip_prefix("k_") {
                assert_eq!(keyword(*rule), Some(word), "{name}");
                assert!(describe(*rule).is_some(), "{name}");
            }
        }
        assert_eq!(describe(Rule::WHITESPACE), None);
    }
}
