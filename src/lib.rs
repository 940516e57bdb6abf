//! taskc: the compiler, linter and runtime of the `.task` language.
//!
//! The pipeline is the module tree: [`source`] files are parsed by [`syntax`]
//! into a spanned AST, [`validate`] turns the AST into a [`spec::Document`]
//! while collecting every [`diagnostic::Diagnostic`], and the runtime (later
//! modules) is driven by the spec alone. The library never prints or exits;
//! the binary's `cli` module does.

pub mod diagnostic;
pub mod lint;
pub mod matching;
pub mod report;
pub mod runtime;
pub mod serve;
pub mod source;
pub mod spec;
pub mod suggest;
pub mod syntax;
pub mod validate;

pub use validate::{compile, Compilation};

pub use diagnostic::{Code, Diagnostic, Severity};
pub use source::{SourceFile, Sources};
