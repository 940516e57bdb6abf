//! `taskc compile`: the spec as JSON or TOML, to stdout or a file. Nothing is
//! written when there is an error.

use super::args::{CompileArgs, Format};
use super::{load_document, write_stdout, Outcome};

pub fn run(args: &CompileArgs) -> Outcome {
    let document = match load_document(&args.paths) {
        Ok(document) => document,
        Err(outcome) => return outcome,
    };
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&document).map_err(|e| e.to_string()),
        Format::Toml => toml::to_string(&document).map_err(|e| e.to_string()),
    };
    let text = match text {
        Ok(text) => text,
        Err(e) => return Outcome::Failed(format!("cannot serialize the spec: {e}")),
    };
    match &args.output {
        None => write_stdout(text.trim_end()),
        Some(path) => match std::fs::write(path, format!("{}\n", text.trim_end())) {
            Ok(()) => Outcome::Clean,
            Err(e) => Outcome::Failed(format!("cannot write `{}`: {e}", path.display())),
        },
    }
}
