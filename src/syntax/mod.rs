//! Text → typed AST. Pest stays in this module: [`parse`] runs the grammar
//! (`grammar/task.pest`), `lower/` turns pest pairs into [`ast`] nodes (one
//! `from_pair` per AST type), `errors` turns pest errors into diagnostics
//! an author can read (with `hints` for the usual mistakes), and `recover`
//! carries on after an error so that a file reports all of them (reading
//! the broken text with `lex`).

pub mod ast;
mod errors;
pub mod format;
pub(crate) mod hints;
pub(crate) mod lex;
mod lower;
mod recover;

pub use ast::Spanned;

use pest::Parser as _;

use crate::diagnostic::Diagnostic;
use crate::source::FileId;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/task.pest"]
pub(crate) struct TaskParser;

/// Parses one file. On a syntax error the file yields no AST and a
/// diagnostic for every syntax error in it ([`recover`]); escapes that
/// cannot be decoded yield diagnostics beside the AST.
pub fn parse(file: FileId, text: &str) -> (Option<ast::File>, Vec<Diagnostic>) {
    match TaskParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let mut cx = lower::Cx::new(file);
            let root = pairs
                .next()
                .expect("the `file` rule always yields one pair");
            let ast = ast::File::from_pair(root, &mut cx);
            (Some(ast), cx.diagnostics)
        }
        Err(error) => (None, recover::all_errors(file, text, error)),
    }
}

/// Every rule of the grammar, for the test that each has a description.
#[cfg(test)]
pub(crate) fn all_rules() -> &'static [Rule] {
    Rule::all_rules()
}
