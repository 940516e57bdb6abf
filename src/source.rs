//! Source files: reading them from disk (UTF-8 checked), walking directories
//! for `*.task`, and mapping byte offsets to lines and columns.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::diagnostic::{Code, Diagnostic};

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span holding both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Index of a file in a [`Sources`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub usize);

/// One `.task` file's name and text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or a synthetic name for in-memory text).
    pub name: String,
    /// Shared with rendered diagnostics; an `Arc<String>` so that reading a
    /// file moves its text in instead of copying it.
    pub text: Arc<String>,
    /// Where lines start, built the first time a location is asked for.
    index: OnceLock<LineIndex>,
}

/// Line starts and character counts of a text, so that each location costs
/// a binary search and at most one block of counting, however long the file
/// or its lines (a generated one-line file with thousands of problems
/// would otherwise take time quadratic in its size).
#[derive(Clone, Debug)]
struct LineIndex {
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// Characters before each block of [`BLOCK`] bytes.
    chars_before_block: Vec<usize>,
}

const BLOCK: usize = 4096;

/// Characters that start in `bytes` (a byte that is not a UTF-8
/// continuation byte starts one).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let mut chars_before_block = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut chars = 0;
        for block in bytes.chunks(BLOCK) {
            chars_before_block.push(chars);
            chars += char_starts(block);
        }
        chars_before_block.push(chars);
        Self {
            line_starts,
            chars_before_block,
        }
    }

    /// Characters before byte `offset` (a character boundary).
    fn chars_before(&self, bytes: &[u8], offset: usize) -> usize {
        let block = offset / BLOCK;
        self.chars_before_block[block] + char_starts(&bytes[block * BLOCK..offset])
    }
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: Arc::new(text.into()),
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = clamp_to_char_boundary(&self.text, offset);
        self.index()
            .line_starts
            .partition_point(|&start| start <= offset)
            - 1
    }

    /// The number of lines (a final line break does not start another).
    pub fn line_count(&self) -> usize {
        let starts = &self.index().line_starts;
        if starts.len() > 1 && starts[starts.len() - 1] == self.text.len() {
            starts.len() - 1
        } else {
            starts.len()
        }
    }

    /// Byte range of 0-based `line`, without its line break.
    pub fn line_range(&self, line: usize) -> (usize, usize) {
        let starts = &self.index().line_starts;
        let start = starts[line.min(starts.len() - 1)];
        let end = starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        // A `\r\n` file: the `\r` is part of the break.
        let end = if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        (start, end.max(start))
    }

    /// The file name without directories and without the `.task` extension:
    /// the id a task declared in this file must have.
    pub fn stem(&self) -> &str {
        let base = self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name);
        base.strip_suffix(".task").unwrap_or(base)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = clamp_to_char_boundary(&self.text, offset);
        let index = self.index();
        let line = index.line_starts.partition_point(|&start| start <= offset) - 1;
        let bytes = self.text.as_bytes();
        let col =
            index.chars_before(bytes, offset) - index.chars_before(bytes, index.line_starts[line]);
        (line + 1, col + 1)
    }
}

fn clamp_to_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The set of files of one compilation, in a stable order.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    pub fn ids(&self) -> impl Iterator<Item = FileId> {
        (0..self.files.len()).map(FileId)
    }
}

/// A file that could not be read at all (missing, a directory, no permission).
#[derive(Debug)]
pub struct IoError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read `{}`: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for IoError {}

/// The `.task` files under the given paths: files as given, directories walked
/// recursively. The result is in path order (component by component, as
/// [`Path`]'s own ordering), without repeats, so that every run sees the
/// same order.
pub fn collect_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IoError> {
    collect(paths, &mut Err)
}

/// [`collect_paths`] for a server that must keep going: an entry that
/// cannot be read (a FIFO or device named `.task`, a symlink loop, a
/// folder it may not list) is left out and returned beside the files, so
/// the other files are still found.
pub fn collect_paths_skipping(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<IoError>) {
    let mut skipped = Vec::new();
    let found = collect(paths, &mut |e| {
        skipped.push(e);
        Ok(())
    })
    .unwrap_or_default();
    (found, skipped)
}

/// What to do with an entry that cannot be read: `Err` stops the walk,
/// `Ok` skips the entry.
type OnError<'a> = dyn FnMut(IoError) -> Result<(), IoError> + 'a;

fn collect(paths: &[PathBuf], on_error: &mut OnError<'_>) -> Result<Vec<PathBuf>, IoError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(error) => {
                on_error(IoError {
                    path: path.clone(),
                    error,
                })?;
                continue;
            }
        };
        if meta.is_dir() {
            walk(path, &mut out, on_error)?;
        } else if meta.is_file() {
            out.push(path.clone());
        } else {
            on_error(not_a_file(path))?;
        }
    }
    // A walk already yields one directory in order; only several inputs need
    // sorting (comparing whole paths component by component is slow enough
    // to show on 10,000 files).
    if paths.len() > 1 {
        out.sort();
        out.dedup();
    }
    Ok(out)
}

/// Appends the `.task` files under `dir`, entries sorted by name (so the
/// result is in [`Path`] order), descending into subdirectories in place
/// (not into links to folders, which may loop).
fn walk(dir: &Path, out: &mut Vec<PathBuf>, on_error: &mut OnError<'_>) -> Result<(), IoError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            return on_error(IoError {
                path: dir.to_path_buf(),
                error,
            })
        }
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                on_error(IoError {
                    path: dir.to_path_buf(),
                    error,
                })?;
                continue;
            }
        };
        match entry.file_type() {
            Ok(kind) => found.push((entry.file_name(), kind.is_dir())),
            Err(error) => on_error(IoError {
                path: entry.path(),
                error,
            })?,
        }
    }
    found.sort_unstable();
    for (name, is_dir) in found {
        let path = dir.join(&name);
        if is_dir {
            walk(&path, out, on_error)?;
        } else if path.extension().is_some_and(|e| e == "task") {
            // A FIFO, socket or device named `.task` would hang or flood the
            // read: only regular files (or links to them) are read.
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => out.push(path),
                Ok(_) => on_error(not_a_file(&path))?,
                Err(error) => on_error(IoError { path, error })?,
            }
        }
    }
    Ok(())
}

fn not_a_file(path: &Path) -> IoError {
    IoError {
        path: path.to_path_buf(),
        error: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, socket or device is not read)",
        ),
    }
}

/// Reads files in parallel. A file that is not valid UTF-8 is kept (decoded
/// lossily, so it can be shown) and reported with a diagnostic located at the
/// first bad byte; a file that cannot be read is an [`IoError`].
pub fn read_files(paths: &[PathBuf]) -> Result<(Sources, Vec<Diagnostic>), IoError> {
    use rayon::prelude::*;
    let read: Vec<Result<(SourceFile, Option<usize>), IoError>> = paths
        .par_iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|error| IoError {
                path: path.clone(),
                error,
            })?;
            let name = path.display().to_string();
            Ok(match String::from_utf8(bytes) {
                Ok(text) => (SourceFile::new(name, text), None),
                Err(err) => {
                    let bad = err.utf8_error().valid_up_to();
                    let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
                    (SourceFile::new(name, text), Some(bad))
                }
            })
        })
        .collect();
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    for (index, result) in read.into_iter().enumerate() {
        let (file, bad_byte) = result?;
        if let Some(offset) = bad_byte {
            // The lossy text has the same bytes up to the first bad one.
            let end = clamp_to_char_boundary(&file.text, offset + 1).max(offset);
            let end = file.text[offset..]
                .chars()
                .next()
                .map_or(end, |c| offset + c.len_utf8());
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidUtf8,
                    FileId(index),
                    Span::new(offset, end),
                    "this file is not valid UTF-8",
                )
                .with_label("this byte does not start a UTF-8 character")
                .with_help("save the file as UTF-8 (most editors have an `Encoding` menu)"),
            );
        }
        sources.files.push(file);
    }
    Ok((sources, diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the index replaces: counting from the start of the text.
    fn naive(text: &str, offset: usize) -> (usize, usize) {
        let offset = clamp_to_char_boundary(text, offset);
        let before = &text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    proptest::proptest! {
        #[test]
        fn line_col_counts_lines_and_characters(
            text in "(a|é|日|😀|\n|\r\n| ){0,300}",
            offsets in proptest::collection::vec(0usize..1400, 1..20),
        ) {
            let file = SourceFile::new("t.task", text.clone());
            for offset in offsets {
                proptest::prop_assert_eq!(file.line_col(offset), naive(&text, offset));
            }
        }
    }

    #[test]
    fn columns_far_into_a_long_line() {
        let text = format!("{}é{}x", "a".repeat(9_000), "b".repeat(70_000));
        let file = SourceFile::new("t.task", text.clone());
        let x = text.len() - 1;
        assert_eq!(file.line_col(x), (1, 79_002));
        assert_eq!(file.line_col(x), naive(&text, x));
        assert_eq!(file.line_range(0), (0, text.len()));
        assert_eq!(file.line_count(), 1);
    }
}
