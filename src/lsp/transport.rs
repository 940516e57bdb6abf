//! The language server's stdio transport: `lsp-server`'s messages, read by
//! our own loop, which bounds a message before allocating it and answers a
//! malformed one with the protocol's error instead of stopping (the crate's
//! reader allocates whatever `Content-Length` declares and ends the
//! connection on the first bad message).

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, Message};
use serde_json::{json, Value};

/// The largest message body read; a longer one is skipped unread (its bytes
/// discarded as they come) and answered with an error.
pub const MAX_MESSAGE_BYTES: usize = 16 << 20;

/// The longest header line; a longer one is a malformed header.
const MAX_HEADER_LINE: usize = 8 << 10;

/// JSON-RPC's codes for a message that is not JSON, or not a request.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// The reader and writer threads.
pub struct Threads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Waits for the writer to send what is queued (once the connection is
    /// dropped). The reader may still be blocked on input nobody sends: it
    /// is left to end with the process.
    pub fn join(self) -> io::Result<()> {
        drop(self.reader);
        self.writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread failed")))
    }
}

/// A connection over stdin and stdout.
pub fn stdio() -> (Connection, Threads) {
    // A queue, so that changes sent back to back can be coalesced.
    let (to_server, server_inbox) = crossbeam_channel::bounded::<Message>(32);
    let (server_outbox, from_server) = crossbeam_channel::bounded::<Message>(0);
    let (raw_sender, raw_inbox) = crossbeam_channel::unbounded::<Value>();
    let writer = thread::spawn(move || write_loop(from_server, raw_inbox));
    let reader = thread::spawn(move || {
        let stdin = io::stdin();
        read_loop(&mut stdin.lock(), &to_server, &raw_sender);
    });
    (
        Connection {
            sender: server_outbox,
            receiver: server_inbox,
        },
        Threads { reader, writer },
    )
}

fn write_loop(messages: Receiver<Message>, raw: Receiver<Value>) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut raw = raw;
    loop {
        crossbeam_channel::select! {
            recv(messages) -> message => match message {
                Ok(message) => message.write(&mut out)?,
                // The server dropped its side: what is queued is written.
                Err(_) => {
                    while let Ok(value) = raw.try_recv() {
                        write_raw(&mut out, &value)?;
                    }
                    return Ok(());
                }
            },
            recv(raw) -> value => match value {
                Ok(value) => write_raw(&mut out, &value)?,
                // The reader is done; the server may still write.
                Err(_) => raw = crossbeam_channel::never(),
            },
        }
    }
}

fn write_raw(out: &mut impl Write, value: &Value) -> io::Result<()> {
    let text = value.to_string();
    write!(out, "Content-Length: {}\r\n\r\n{text}", text.len())?;
    out.flush()
}

/// One error answer of the reader.
fn error(id: Value, code: i64, message: String) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Reads messages until the input ends or `exit` is read, answering each
/// malformed one with an error and going on.
pub(crate) fn read_loop(input: &mut impl BufRead, server: &Sender<Message>, raw: &Sender<Value>) {
    loop {
        let body = match read_body(input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(problem) => {
                if raw.send(error(Value::Null, PARSE_ERROR, problem)).is_err() {
                    return;
                }
                continue;
            }
        };
        let value: Value = match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(e) => {
                let _ = raw.send(error(
                    Value::Null,
                    PARSE_ERROR,
                    format!("Parse error: the message is not JSON: {e}"),
                ));
                continue;
            }
        };
        let id = value.get("id").cloned().unwrap_or(Value::Null);
        // An object: serde would read a request out of an array too.
        let parsed = match value.is_object() {
            true => serde_json::from_value::<Message>(value).ok(),
            false => None,
        };
        let message = match parsed {
            Some(message) => message,
            None => {
                let _ = raw.send(error(
                    id,
                    INVALID_REQUEST,
                    "Invalid Request: a message is one JSON object: a request (`id`, `method`), a notification (`method`) or a response (`id`, `result` or `error`)".into(),
                ));
                continue;
            }
        };
        let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
        if server.send(message).is_err() || exit {
            return;
        }
    }
}

/// Reads one message's headers and body: `None` at the end of the input,
/// an error for a malformed header or a body past [`MAX_MESSAGE_BYTES`]
/// (whose bytes are read and dropped, so the next message is found).
fn read_body(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, String> {
    let mut length: Option<usize> = None;
    let mut malformed = None;
    let mut any = false;
    loop {
        let mut line = Vec::new();
        let read = input
            .by_ref()
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("the input failed: {e}"))?;
        if read == 0 {
            // The end of the input; a partial header is dropped.
            return Ok(None);
        }
        if !line.ends_with(b"\n") {
            // Past the longest header line: skip the rest of it.
            let mut rest = Vec::new();
            let _ = input.by_ref().take(1 << 30).read_until(b'\n', &mut rest);
            malformed.get_or_insert_with(|| {
                format!("a header line is longer than {MAX_HEADER_LINE} bytes")
            });
            continue;
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !any {
                // Blank lines between messages.
                continue;
            }
            break;
        }
        any = true;
        match line.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        malformed.get_or_insert_with(|| {
                            format!("Content-Length is not a number of bytes: {}", value.trim())
                        });
                    }
                }
            }
            Some(_) => {}
            None => {
                malformed.get_or_insert_with(|| "a header line has no `:`".into());
            }
        }
    }
    let Some(length) = length else {
        return Err(malformed.unwrap_or_else(|| "a message has no Content-Length header".into()));
    };
    if length > MAX_MESSAGE_BYTES {
        let _ = io::copy(&mut input.by_ref().take(length as u64), &mut io::sink());
        return Err(format!(
            "a message of {length} bytes is past the {MAX_MESSAGE_BYTES} bytes one may have; it was skipped"
        ));
    }
    let mut body = vec![0; length];
    if input.read_exact(&mut body).is_err() {
        return Ok(None);
    }
    match malformed {
        Some(problem) => Err(problem),
        None => Ok(Some(body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// What the reader forwards and answers for an input.
    fn read(input: &[u8]) -> (Vec<Message>, Vec<Value>) {
        let (to_server, inbox) = crossbeam_channel::unbounded();
        let (raw, answers) = crossbeam_channel::unbounded();
        read_loop(&mut io::BufReader::new(input), &to_server, &raw);
        drop((to_server, raw));
        (inbox.iter().collect(), answers.iter().collect())
    }

    #[test]
    fn malformed_messages_are_answered_and_the_next_one_is_read() {
        let ping = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let mut input = Vec::new();
        for bad in [
            "{not json".to_string(),
            r#"{"jsonrpc":"2.0","id":2,"method":"x","params":"\ud800"}"#.into(),
            "[1, 2]".into(),
            "\"a string\"".into(),
        ] {
            input.extend(framed(&bad).into_bytes());
        }
        input.extend(b"Content-Length: 3\r\n\r\n\xff\xfe{");
        input.extend(b"Content-Length: nine\r\n\r\n");
        input.extend(framed(ping).into_bytes());
        let (messages, answers) = read(&input);
        assert_eq!(messages.len(), 1, "{messages:?}");
        let codes: Vec<i64> = answers
            .iter()
            .map(|a| a["error"]["code"].as_i64().expect("a code"))
            .collect();
        assert_eq!(
            codes,
            [
                PARSE_ERROR,
                PARSE_ERROR,
                INVALID_REQUEST,
                INVALID_REQUEST,
                PARSE_ERROR,
                PARSE_ERROR
            ],
            "{answers:?}"
        );
    }

    #[test]
    fn a_huge_declared_length_is_never_allocated() {
        // A body that never comes: the reader ends with the input, having
        // allocated nothing of the declared terabyte.
        let (messages, answers) = read(b"Content-Length: 1000000000000\r\n\r\n{}");
        assert!(messages.is_empty());
        assert_eq!(answers.len(), 1, "{answers:?}");
        assert!(answers[0]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("skipped")));
    }

    #[test]
    fn exit_ends_the_reading() {
        let mut input = framed(r#"{"jsonrpc":"2.0","method":"exit"}"#).into_bytes();
        input.extend(framed(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#).into_bytes());
        let (messages, _) = read(&input);
        assert_eq!(messages.len(), 1);
    }
}
