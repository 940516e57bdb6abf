//! `taskc fmt [PATHS] [--check] [--diff]`: the canonical layout
//! ([`taskc::syntax::format`]). A file with a syntax error (or not UTF-8)
//! is left as it is, with its diagnostics. Exit 0 when every file is (or
//! now is) formatted; 1 when a file could not be formatted, or, with
//! `--check` or `--diff`, would change; 2 on usage or I/O errors.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::args::FmtArgs;
use super::{input, plural, write_failed, Outcome};
use taskc::lint::config::Config;
use taskc::source::{self, FileId, SourceFile, Sources};
use taskc::syntax::format::{format, Style};

pub fn run(args: &FmtArgs) -> Outcome {
    let style = match style() {
        Ok(style) => style,
        Err(outcome) => return outcome,
    };
    if args.paths.len() == 1 && args.paths[0] == Path::new("-") {
        return stdin(style);
    }
    let paths = match source::collect_paths(&args.paths) {
        Ok(paths) => paths,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let (mut changed, mut failed) = (0, 0);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in &paths {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return Outcome::Failed(format!("cannot read `{}`: {e}", path.display())),
        };
        let name = path.display().to_string();
        let Some(formatted) = formatted(&name, bytes, style) else {
            failed += 1;
            continue;
        };
        let Some((old, new)) = formatted else {
            continue;
        };
        changed += 1;
        let written = if args.diff {
            let diff = similar::TextDiff::from_lines(&old, &new);
            write!(
                out,
                "{}",
                diff.unified_diff().context_radius(3).header(&name, &name)
            )
        } else if args.check {
            writeln!(out, "would reformat {name}")
        } else {
            replace(path, &new)
                .map_err(|e| {
                    failed += 1;
                    eprintln!("cannot write `{name}`: {e}");
                })
                .ok();
            Ok(())
        };
        if let Err(e) = written {
            return write_failed(e);
        }
    }
    let files = plural(paths.len(), "file", "files");
    if args.check || args.diff {
        if changed > 0 {
            eprintln!("{changed} of {files} would be reformatted (run `taskc fmt`)");
        }
    } else if changed > 0 {
        eprintln!("reformatted {changed} of {files}");
    }
    if failed > 0 {
        eprintln!(
            "{} not formatted: fix the errors above first",
            plural(failed, "file was", "files were")
        );
    }
    if failed > 0 || ((args.check || args.diff) && changed > 0) {
        Outcome::Problems
    } else {
        Outcome::Clean
    }
}

/// The `[fmt]` of the nearest `taskc.toml`.
fn style() -> Result<Style, Outcome> {
    let Some(path) = std::env::current_dir().ok().and_then(|d| Config::find(&d)) else {
        return Ok(Style::default());
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Outcome::Failed(format!("cannot read `{}`: {e}", path.display())))?;
    let (config, diagnostics) = Config::parse(&path, FileId(0), &text);
    if !diagnostics.is_empty() {
        let mut sources = Sources::default();
        sources
            .files
            .push(SourceFile::new(path.display().to_string(), text));
        for d in &diagnostics {
            eprint!("{}", taskc::report::human(&sources, d));
        }
        return Err(Outcome::Problems);
    }
    Ok(Style {
        width: config.width.unwrap_or(Style::DEFAULT_WIDTH),
    })
}

/// The file formatted: `None` when it cannot be (its diagnostics printed),
/// `Some(None)` when it already is, else the old and new texts.
#[allow(clippy::option_option)]
fn formatted(name: &str, bytes: Vec<u8>, style: Style) -> Option<Option<(String, String)>> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            eprintln!(
                "error: `{name}` is not UTF-8 (invalid byte at offset {}); not formatted",
                e.utf8_error().valid_up_to()
            );
            return None;
        }
    };
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let (ast, diagnostics) = taskc::syntax::parse(FileId(0), body);
    if ast.is_none() {
        let mut sources = Sources::default();
        sources
            .files
            .push(SourceFile::new(name.to_owned(), body.to_owned()));
        for d in &diagnostics {
            eprint!("{}", taskc::report::human(&sources, d));
        }
        return None;
    }
    let new = format(&text, style);
    Some((new != text).then_some((text, new)))
}

/// Replaces a file's contents through a temporary file beside it, so a
/// failed write never leaves half a file.
fn replace(path: &PathBuf, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.taskc-fmt"));
    std::fs::write(&temporary, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&temporary, meta.permissions());
    }
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// `taskc fmt -`: standard input to standard output; nothing is printed
/// when it cannot be formatted.
fn stdin(style: Style) -> Outcome {
    let bytes = match input::read_all("-") {
        Ok(bytes) => bytes,
        Err(message) => return Outcome::Failed(message),
    };
    match formatted("<stdin>", bytes.clone(), style) {
        None => Outcome::Problems,
        Some(Some((_, new))) => super::write_raw(&new),
        Some(None) => super::write_raw(&String::from_utf8_lossy(&bytes)),
    }
}
