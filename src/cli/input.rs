//! Reading what a command is fed (actions, nodes, walks) with bounds: a
//! whole input of at most [`MAX_INPUT_BYTES`], lines of at most
//! [`MAX_LINE_BYTES`], read as a stream, so `/dev/zero` or a 200 MB line
//! gets a clear error instead of exhausting memory, and one bad line does
//! not spoil the others.

use std::io::{BufRead, BufReader, Read};

/// The most a whole JSON input (a walk, a tree, a node) may have, in bytes.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// The most one line of JSON Lines (an action, a node) may have, in bytes.
pub const MAX_LINE_BYTES: u64 = 4 << 20;

/// The read buffer: large enough that a batch of lines is read at once.
const BUFFER_BYTES: usize = 1 << 20;

/// An opened input, buffered.
pub type Reader = BufReader<Box<dyn Read>>;

/// Opens `-` (standard input) or a file.
pub fn open(input: &str) -> Result<Reader, String> {
    let source: Box<dyn Read> = if input == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(input).map_err(|e| format!("cannot read `{input}`: {e}"))?)
    };
    Ok(BufReader::with_capacity(BUFFER_BYTES, source))
}

/// The whole input, up to [`MAX_INPUT_BYTES`].
pub fn read_all(input: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    open(input)?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read `{input}`: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "`{input}` has more than {} MiB; the input of this command is at most that",
            MAX_INPUT_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// Lines of a stream, each with its 1-based number; a line over
/// [`MAX_LINE_BYTES`] is an error that ends the stream (its rest is never
/// buffered).
pub struct Lines<R> {
    reader: R,
    number: usize,
    ended: bool,
}

/// Why a line could not be read.
#[derive(Debug)]
pub enum LineError {
    /// The line has more than [`MAX_LINE_BYTES`].
    TooLong {
        line: usize,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::TooLong { line } => write!(
                f,
                "line {line} has more than {} MiB (one JSON object per line); stopped reading there",
                MAX_LINE_BYTES >> 20
            ),
            LineError::Io(e) => write!(f, "cannot read the input: {e}"),
        }
    }
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Self {
        Lines {
            reader,
            number: 0,
            ended: false,
        }
    }
}

impl<R: Read> Lines<BufReader<R>> {
    /// Whether a whole line is already read and waiting: when not, the next
    /// line may have to wait for the writer (a pipe), so work in hand should
    /// be finished and its output flushed first.
    pub fn line_ready(&self) -> bool {
        memchr::memchr(b'\n', self.reader.buffer()).is_some()
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    /// (line number, its bytes without the line break).
    type Item = Result<(usize, Vec<u8>), LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        let mut line = Vec::new();
        let read = (&mut self.reader)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut line);
        self.number += 1;
        match read {
            Ok(0) => None,
            Err(e) => {
                self.ended = true;
                Some(Err(LineError::Io(e)))
            }
            Ok(_) => {
                if line.last() == Some(&b'\n') {
                    line.pop();
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                } else if line.len() as u64 > MAX_LINE_BYTES {
                    self.ended = true;
                    return Some(Err(LineError::TooLong { line: self.number }));
                }
                Some(Ok((self.number, line)))
            }
        }
    }
}
