//! The runtime, driven by compiled specs only (never AST or pest types).
//! `matching` is the one text-matching engine the grader and the tree
//! validator share.

pub mod env;
pub mod matching;
pub mod tree;
