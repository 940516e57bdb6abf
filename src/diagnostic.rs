//! Diagnostics: every problem the compiler finds, with a stable code, the
//! exact span, a label and help. They are rendered by [`crate::report`].

use std::fmt;

use crate::source::FileId;
use crate::source::Span;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($( $variant:ident = $code:literal; )*) => {
        /// The stable code of each compiler diagnostic. Codes are never
        /// reused. Each variant's documentation is its page in the code
        /// catalog, `docs/codes/CODE.md` (see [`crate::catalog`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes/", $code, ".md"))]
                $variant
            ),*
        }

        impl Code {
            /// Every code, sorted by its text.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// The code's page in the catalog (Markdown).
            pub fn page(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"), "/docs/codes/", $code, ".md"
                    ))),*
                }
            }

            /// One line saying what the code means: its page's title.
            pub fn summary(self) -> &'static str {
                crate::catalog::title(self.page())
            }
        }
    };
}

codes! {
    InvalidUtf8 = "E0001";
    Syntax = "E0002";
    InvalidEscape = "E0003";
    UnknownName = "E0101";
    UnknownMarkerSet = "E0102";
    UnknownFloor = "E0103";
    DuplicateTask = "E0201";
    DuplicateKb = "E0202";
    DuplicateAlternative = "E0203";
    DuplicateField = "E0204";
    DuplicateDeclaration = "E0205";
    TaskIdFileName = "E0206";
    MissingField = "E0301";
    MissingDomain = "E0302";
    OutOfRange = "E0401";
    InvalidNodeShape = "E0402";
    FollowUp = "E0501";
    GoldOverEscalation = "E0601";
    WeightsSum = "E0701";
    EmptyMarker = "E0801";
    UnmeetableGroup = "E0802";
    ConflictingMode = "E0803";
    Config = "E0901";
    Unsolvable = "E1001";
    Gameable = "E1002";
    ExampleMisbehaves = "E1003";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location, shown after the main one ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub file: FileId,
    pub span: Span,
    pub label: String,
}

/// One problem found in the sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code, as text (`E0101` for compiler errors, lint codes later).
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// An error of the compiler.
    pub fn error(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Self::new(code.as_str(), Severity::Error, file, span, message)
    }

    /// A warning of a lint rule (whose codes live in the lint registry).
    pub fn warning(
        code: &'static str,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self::new(code, Severity::Warning, file, span, message)
    }

    fn new(
        code: &'static str,
        severity: Severity,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
            file,
            span,
            label: String::new(),
            help: None,
            related: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn with_related(mut self, file: FileId, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            span,
            label: label.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// What checked declarations refer to: `(kind, name)` pairs, the kind
/// being `marker set`, `floor` or a vocabulary's singular (`customer tier`,
/// `requestable field`, ...). Validation records each name it resolves; the
/// linter's unused-declaration rule reads them instead of walking the AST.
pub type Uses = std::collections::BTreeSet<(&'static str, String)>;

/// Where the diagnostics of one file go while it is lowered or checked:
/// each check reports here and carries on, so one run reports every problem.
pub(crate) struct Cx {
    pub file: FileId,
    pub diagnostics: Vec<Diagnostic>,
    /// What the declarations checked here refer to.
    pub uses: Uses,
}

impl Cx {
    pub fn new(file: FileId) -> Self {
        Self {
            file,
            diagnostics: Vec::new(),
            uses: Uses::new(),
        }
    }

    /// Records that a declaration of `kind` named `name` is used.
    pub fn uses(&mut self, kind: &'static str, name: &str) {
        self.uses.insert((kind, name.to_owned()));
    }

    /// An error in this file, to be decorated with the `with_*` builders
    /// and then [`Cx::push`]ed.
    pub fn error(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.file, span, message)
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// Sorts diagnostics into source order: by file, then position, then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.file, a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.file,
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
}
