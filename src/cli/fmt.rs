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
    let (mut changed, mut failed, mut unwritten) = (0, 0, 0);
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
            if let Err(e) = replace(path, &new) {
                changed -= 1;
                unwritten += 1;
                eprintln!("error: cannot write `{name}`: {e}; it was left as it was");
            }
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
    if unwritten > 0 {
        return Outcome::Failed(format!(
            "{} could not be written",
            plural(unwritten, "file", "files")
        ));
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

/// Replaces a file's contents, keeping what makes it that file: a symlink
/// stays a link and its target is formatted; a file with other hard links
/// is written in place, so every link sees the new text; otherwise through
/// a temporary file created exclusively, under a random name, beside the
/// file (a planted link of that name is never followed) and given the
/// file's mode and owner before it replaces the file, so a failed write
/// never leaves half a file. Where a temporary file cannot be made (a
/// read-only folder) or cannot be given the owner, the file is written in
/// place.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let path = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&path)?;
    if links(&meta) > 1 {
        return write_in_place(&path, text);
    }
    let Some(temporary) = temporary_beside(&path, &meta)? else {
        return write_in_place(&path, text);
    };
    let (file, temporary) = temporary;
    let written = (|| {
        let mut file = file;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if !same_owner(&file, &meta)? {
            return Ok(false);
        }
        std::fs::rename(&temporary, &path)?;
        Ok(true)
    })();
    match written {
        Ok(true) => Ok(()),
        Ok(false) => {
            let _ = std::fs::remove_file(&temporary);
            write_in_place(&path, text)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            Err(e)
        }
    }
}

/// A new temporary file beside `path`, with its mode, and its name;
/// `None` when the folder does not let one be made.
fn temporary_beside(
    path: &Path,
    meta: &std::fs::Metadata,
) -> std::io::Result<Option<(std::fs::File, PathBuf)>> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for _ in 0..16 {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(std::io::Error::other)?;
        let tag: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let temporary = path.with_file_name(format!(".{name}.{tag}.taskc-fmt"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(meta.permissions().mode() & 0o7777);
        }
        match options.open(&temporary) {
            Ok(file) => {
                // The mode exactly (the umask narrowed it at creation).
                file.set_permissions(meta.permissions())?;
                return Ok(Some((file, temporary)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "could not make a temporary file with a fresh name",
    ))
}

/// Writes a file's new text into the file itself.
fn write_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_: &std::fs::Metadata) -> u64 {
    1
}

/// Gives the temporary file the original's owner and group; false when
/// that is not allowed (another user's file, formatted by someone who may
/// write it but not give files away).
#[cfg(unix)]
fn same_owner(file: &std::fs::File, meta: &std::fs::Metadata) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let now = file.metadata()?;
    if now.uid() == meta.uid() && now.gid() == meta.gid() {
        return Ok(true);
    }
    Ok(std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())).is_ok())
}

#[cfg(not(unix))]
fn same_owner(_: &std::fs::File, _: &std::fs::Metadata) -> std::io::Result<bool> {
    Ok(true)
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
