//! The typed AST of a `.task` file. Every node carries its span; equality
//! ignores spans, so two ASTs of the same text laid out differently are equal.
//! Blocks keep their fields as written (a list, in source order), so the
//! validator can report a field given twice or one that is missing.

use std::fmt;

pub use crate::source::Span;

/// A value with the span it was written at. Equality ignores the span.
#[derive(Clone)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

/// A name as written (`billing_ops`).
pub type Name = Spanned<String>;
/// A text, after escapes are decoded and multi-line texts folded.
pub type Text = Spanned<String>;
/// A number as written; the validator parses it for its field's range.
pub type Number = Spanned<String>;

/// A field keyword and its span, kept for "given twice" and "missing" reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Field<T> {
    pub keyword: Spanned<&'static str>,
    pub value: T,
}

/// One parsed file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct File {
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Domain(Domain),
    Extension(Extension),
    Task(Task),
    MarkerSet(MarkerSet),
    Floor(Floor),
    Tree(Tree),
}

/// `domain NAME { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    pub name: Name,
    pub span: Span,
    pub fields: Vec<Field<DomainValue>>,
}

/// `extend domain NAME { ... }`: values for the domain's vocabularies, from
/// another file. Its fields are [`DomainValue::List`]s (the grammar admits
/// nothing else).
#[derive(Clone, Debug, PartialEq)]
pub struct Extension {
    pub name: Name,
    pub span: Span,
    pub fields: Vec<Field<DomainValue>>,
}

/// The vocabularies a domain declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vocabulary {
    Queues,
    Priorities,
    Statuses,
    IssueTypes,
    ResolutionCodes,
    Tiers,
    Fields,
    RiskFlags,
}

impl Vocabulary {
    pub const ALL: [Vocabulary; 8] = [
        Vocabulary::Queues,
        Vocabulary::Priorities,
        Vocabulary::Statuses,
        Vocabulary::IssueTypes,
        Vocabulary::ResolutionCodes,
        Vocabulary::Tiers,
        Vocabulary::Fields,
        Vocabulary::RiskFlags,
    ];

    /// The keyword that declares it.
    pub fn keyword(self) -> &'static str {
        match self {
            Vocabulary::Queues => "queues",
            Vocabulary::Priorities => "priorities",
            Vocabulary::Statuses => "statuses",
            Vocabulary::IssueTypes => "issue_types",
            Vocabulary::ResolutionCodes => "resolution_codes",
            Vocabulary::Tiers => "tiers",
            Vocabulary::Fields => "fields",
            Vocabulary::RiskFlags => "risk_flags",
        }
    }

    /// What one of its members is called in a message.
    pub fn singular(self) -> &'static str {
        match self {
            Vocabulary::Queues => "queue",
            Vocabulary::Priorities => "priority",
            Vocabulary::Statuses => "status",
            Vocabulary::IssueTypes => "issue type",
            Vocabulary::ResolutionCodes => "resolution code",
            Vocabulary::Tiers => "customer tier",
            Vocabulary::Fields => "requestable field",
            Vocabulary::RiskFlags => "risk flag",
        }
    }
}

/// The value of one domain field.
#[derive(Clone, Debug, PartialEq)]
pub enum DomainValue {
    List(Vocabulary, Vec<Name>),
    Scoring(Vec<(Name, Number)>),
    Grading(Vec<Field<GradingValue>>),
}

/// The value of one field of a `grading` block (the first six only in a
/// domain).
#[derive(Clone, Debug, PartialEq)]
pub enum GradingValue {
    Reward(Name),
    GamingThreshold(Number),
    NegationWindow(Number),
    NegationTriggers(Vec<Text>),
    NegationPost(Vec<Text>),
    NegationPseudo(Vec<Text>),
    NegationStops(Vec<Text>),
    NegationVerbs(Vec<Text>),
    NegationConditionals(Vec<Text>),
    /// `verbs NAME "a", "b"`: a verb class.
    Verbs(Name, Vec<Text>),
    /// `languages "eng"`.
    Languages(Vec<Text>),
    TextBudget(Number),
    MarkerDensity(Number),
    NoteMarkerDensity(Number),
    OffTopic(Number),
    Gate(Gate),
}

/// `gate NAME cap X when CONDITION` or `gate NAME off`.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    pub name: Name,
    pub rule: GateRule,
}

/// What a gate declaration says.
#[derive(Clone, Debug, PartialEq)]
pub enum GateRule {
    /// `off`, at its span.
    Off(Span),
    Cap {
        cap: Number,
        when: GateWhen,
    },
}

/// A gate's condition.
#[derive(Clone, Debug, PartialEq)]
pub enum GateWhen {
    /// `forbidden`, `no_reply`, `over_escalated` or `missed_queue`.
    Named(Name),
    /// `status NAME`.
    Status(Name),
    /// `says "a", "b"`.
    Says(Vec<Forbidden>),
    /// `does VERBS "object" | ...`.
    Does(Act),
}

/// `task ID { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: Name,
    pub span: Span,
    pub fields: Vec<Field<TaskValue>>,
}

/// The value of one task field.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskValue {
    Title(Text),
    Difficulty(Name),
    Objective(Text),
    MaxSteps(Number),
    SlaStepCost(Number),
    Ticket(Vec<Field<TicketValue>>),
    Kb(Kb),
    Expect(Vec<Field<ExpectValue>>),
    Request(Vec<Name>),
    FollowUp(FollowUp),
    Reply(Vec<MarkerRule>),
    Note(Vec<MarkerRule>),
    Risk(Vec<Name>),
    OverEscalation(Vec<Name>),
    UnderEscalationDeadline(Number),
    Grading(Vec<Field<GradingValue>>),
    Examples(Vec<Example>),
}

/// One entry of an `examples` block.
#[derive(Clone, Debug, PartialEq)]
pub enum Example {
    /// `reply pass "..."`, `note fail "..."`.
    Text {
        /// Whether it is a reply (else a note).
        reply: bool,
        /// Whether it must meet every group (else it must not).
        pass: bool,
        text: Text,
        span: Span,
    },
    /// `episode "name" score LOW to HIGH """actions"""`.
    Episode {
        name: Text,
        low: Number,
        high: Number,
        actions: Text,
        span: Span,
    },
}

/// The value of one ticket field.
#[derive(Clone, Debug, PartialEq)]
pub enum TicketValue {
    Customer(Text),
    Tier(Text),
    Company(Text),
    Subject(Text),
    Body(Text),
    Region(Text),
    AffectedUsers(Number),
    SlaMinutes(Number),
    Impact(Text),
    Concern(Text),
    Attachment(Text),
}

/// `kb ID "title" "content"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Kb {
    pub id: Text,
    pub title: Text,
    pub content: Text,
}

/// The value of one `expect` field.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectValue {
    Queue(Name),
    Priority(Name),
    IssueType(Name),
    Status(Name),
    Resolution(Name),
    /// The reply a competent agent sends.
    Reply(Text),
    /// The note a competent agent writes.
    Note(Text),
}

/// `follow_up OUTCOME { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct FollowUp {
    pub outcome: Name,
    pub fields: Vec<Field<FollowUpValue>>,
}

/// The value of one follow-up field.
#[derive(Clone, Debug, PartialEq)]
pub enum FollowUpValue {
    Message(Text),
    Provides(Vec<Name>),
    Sends(Vec<Name>),
}

/// A line of a `reply` or `note` block.
#[derive(Clone, Debug, PartialEq)]
pub enum MarkerRule {
    /// `require a | b`: any of them.
    Require(Spanned<Vec<Alternative>>),
    /// `forbid a, b`: none of them.
    Forbid(Spanned<Vec<Forbidden>>),
    /// `forbid act VERBS "object" | ...`: an act no text may do.
    ForbidAct(Act),
}

/// An act (contract v3, rule 6): a verb class of the domain and the objects
/// it must not be done to.
#[derive(Clone, Debug, PartialEq)]
pub struct Act {
    pub verbs: Name,
    pub objects: Spanned<Vec<Alternative>>,
    /// Where `even negated` is written, if it is.
    pub even_negated: Option<Span>,
    pub span: Span,
}

/// One entry of a `forbid` (or `says`) list: a marker or set, its other
/// spellings (`or "..."`), and `unless negated`.
#[derive(Clone, Debug, PartialEq)]
pub struct Forbidden {
    pub alternative: Alternative,
    pub variants: Vec<Text>,
    /// Where `unless negated` is written, if it is.
    pub unless_negated: Option<Span>,
    /// Where `even negated` is written, if it is.
    pub even_negated: Option<Span>,
    pub span: Span,
}

pub use crate::matching::MatchMode;

/// A marker written out, or a reference to a named marker set.
#[derive(Clone, Debug, PartialEq)]
pub enum Alternative {
    Marker(Marker),
    Set(Name),
}

impl Alternative {
    pub fn span(&self) -> Span {
        match self {
            Alternative::Marker(m) => m.span,
            Alternative::Set(n) => n.span,
        }
    }
}

/// A quoted marker with an optional explicit match mode.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub mode: Option<Spanned<MatchMode>>,
    pub text: Text,
    /// The whole marker, mode included.
    pub span: Span,
}

/// `markers NAME { "a" | "b" }`.
#[derive(Clone, Debug, PartialEq)]
pub struct MarkerSet {
    pub name: Name,
    pub span: Span,
    pub group: Spanned<Vec<Alternative>>,
}

/// `floor NAME "title" { reason: "a", "b" ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Floor {
    pub name: Name,
    pub title: Option<Text>,
    pub span: Span,
    /// `verbs NAME "a", "b"`: verb classes of the floor's acts.
    pub verbs: Vec<(Name, Vec<Text>)>,
    pub groups: Vec<FloorGroup>,
}

/// `reason "description": "a", "b"`.
#[derive(Clone, Debug, PartialEq)]
pub struct FloorGroup {
    pub reason: Name,
    /// What the model is told it must never do.
    pub description: Option<Text>,
    pub phrases: Vec<Marker>,
    /// `act CLASS "object" | ...`.
    pub acts: Vec<Act>,
}

/// `tree NAME { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    pub name: Name,
    pub span: Span,
    pub fields: Vec<Field<TreeValue>>,
}

/// The value of one tree-policy field.
#[derive(Clone, Debug, PartialEq)]
pub enum TreeValue {
    MaxDepth(Number),
    Attempts(Number),
    Floors(Vec<Name>),
    NodeTypes(Vec<Name>),
    DepthCapText(Text),
    FailureText(Text),
    Role(Text),
    Scope(Text),
    Escalation(Text),
    /// `shape TYPE "json"`.
    Shape(Name, Text),
}
