//! taskc: the compiler, linter and runtime of the `.task` language.
//!
//! The pipeline is the module tree, and [`compile`] runs it in order:
//! [`source`] files are parsed by [`syntax`] into a spanned AST, [`validate`]
//! turns the AST into spec pieces while collecting every
//! [`diagnostic::Diagnostic`], [`verify`] proves what running a task shows
//! (its gold episode scores 1.0), and the result is a [`spec::Document`].
//! The [`runtime`] (environment, tree validator) is driven by the spec alone,
//! and [`serve`] puts it on the network; [`matching`] is the one text matcher
//! all of them share, and [`lint`] and [`report`] sit beside the pipeline.
//! The library never prints or exits; the binary's `cli` module does.

pub mod catalog;
pub mod compile;
pub mod diagnostic;
pub mod lint;
pub mod lsp;
pub mod matching;
pub mod report;
pub mod runtime;
pub mod serve;
pub mod source;
pub mod spec;
pub mod suggest;
pub mod syntax;
pub mod validate;
pub(crate) mod verify;

pub use compile::{compile, Compilation};

pub use diagnostic::{Code, Diagnostic, Severity};
pub use source::{SourceFile, Sources};
