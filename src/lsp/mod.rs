//! `taskc lsp`: the Language Server Protocol over standard input and
//! output (lsp-server and lsp-types). Diagnostics on open, change and save
//! for every file of the project (a change can break another file: a
//! renamed marker set breaks its users), with codes, related locations and
//! each code's page; hover (marker sets, floors, domain values, keywords,
//! codes), go to definition, find references, completion, document
//! symbols, formatting (`taskc fmt`), and a quick fix for every "did you
//! mean". A request that fails is an error response; the server goes on.

mod position;
mod project;
mod transport;

use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    References, Request as _,
};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, CompletionItem, CompletionItemKind,
    CompletionParams, CompletionResponse, Diagnostic as LspDiagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentFormattingParams, DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind, NumberOrString,
    OneOf, PublishDiagnosticsParams, ReferenceParams, ServerCapabilities, SymbolKind,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};

use crate::syntax::lex::{self, Kind, Token};
use position::LineMap;
use project::{Analysis, Project};

/// Serves until the client says `exit` (or the connection closes). `Ok(true)`
/// when `exit` followed `shutdown`, as the protocol asks; `Ok(false)` when
/// the client left without `shutdown` (the process exits with 1).
pub fn run() -> Result<bool, String> {
    let (connection, threads) = transport::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(lsp_types::CompletionOptions::default()),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..Default::default()
    };
    let capabilities = serde_json::to_value(capabilities).map_err(|e| e.to_string())?;
    let params = connection
        .initialize(capabilities)
        .map_err(|e| format!("the client did not initialize: {e}"))?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let root = root(&params).unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let mut server = Server {
        project: Project::new(root),
        analysis: None,
        published: std::collections::BTreeMap::new(),
        versions: std::collections::BTreeMap::new(),
        generation: 0,
    };
    server.refresh(&connection);
    // After a fast analysis of one file, the full one runs, on its own
    // thread, once the editor has been quiet for a while; its result is
    // kept only if nothing changed meanwhile.
    let mut full_pending = false;
    let never = crossbeam_channel::never::<(u64, Analysis)>();
    let mut running: Option<crossbeam_channel::Receiver<(u64, Analysis)>> = None;
    // After `shutdown`, requests are refused until `exit`.
    let mut shut_down = false;
    let mut clean = false;
    // A message read while draining the queue, to handle next.
    let mut deferred: Option<Message> = None;
    loop {
        let message = match deferred.take() {
            Some(message) => message,
            None => {
                let results = running.as_ref().unwrap_or(&never);
                let quiet = if full_pending && running.is_none() {
                    FULL_ANALYSIS_AFTER
                } else {
                    IDLE
                };
                crossbeam_channel::select! {
                    recv(connection.receiver) -> message => match message {
                        Ok(message) => message,
                        Err(_) => break,
                    },
                    recv(results) -> done => {
                        running = None;
                        match done {
                            Ok((generation, analysis)) if generation == server.generation => {
                                server.install(&connection, analysis);
                            }
                            // Something changed meanwhile: analyze again, later.
                            _ => full_pending = true,
                        }
                        continue;
                    }
                    default(quiet) => {
                        if full_pending && running.is_none() {
                            let project = server.project.clone();
                            let generation = server.generation;
                            let (done, result) = crossbeam_channel::bounded(1);
                            std::thread::spawn(move || {
                                let _ = done.send((generation, project.analyze()));
                            });
                            running = Some(result);
                            full_pending = false;
                        }
                        continue;
                    }
                }
            }
        };
        match message {
            Message::Request(request) => {
                if shut_down {
                    let _ = connection.sender.send(Message::Response(Response::new_err(
                        request.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down: only `exit` is accepted now".into(),
                    )));
                    continue;
                }
                if request.method == "shutdown" {
                    shut_down = true;
                    let _ = connection
                        .sender
                        .send(Message::Response(Response::new_ok(request.id, ())));
                    continue;
                }
                let id = request.id.clone();
                let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    server.request(request)
                }))
                .unwrap_or_else(|_| {
                    Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        "taskc lsp failed on this request (a bug: please report it)".into(),
                    )
                });
                let _ = connection.sender.send(Message::Response(response));
            }
            Message::Notification(notification) => {
                if notification.method == "exit" {
                    clean = shut_down;
                    break;
                }
                let mut changed = server.apply(notification);
                // Changes queued behind this one are applied first and
                // analyzed once (5,000 keystrokes back to back are one
                // analysis, not 5,000).
                while let Ok(next) = connection.receiver.try_recv() {
                    match next {
                        Message::Notification(n) if n.method != "exit" => {
                            changed = changed.and(server.apply(n));
                        }
                        other => {
                            deferred = Some(other);
                            break;
                        }
                    }
                }
                match changed {
                    Changed::Nothing => {}
                    Changed::File(path) if server.refresh_file(&connection, &path) => {
                        full_pending = true;
                    }
                    Changed::File(_) | Changed::Project => {
                        server.refresh(&connection);
                        full_pending = false;
                    }
                }
            }
            Message::Response(_) => {}
        }
    }
    drop(connection);
    threads.join().map_err(|e| e.to_string())?;
    Ok(clean)
}

/// How long the editor must be quiet before a full analysis follows the
/// fast one of an edited file.
const FULL_ANALYSIS_AFTER: std::time::Duration = std::time::Duration::from_millis(300);

/// How long the loop waits when there is nothing to do but messages.
const IDLE: std::time::Duration = std::time::Duration::from_secs(3600);

/// What a notification changed.
enum Changed {
    Nothing,
    /// One open document's text.
    File(PathBuf),
    /// Anything else (a document closed: the file on disk counts again).
    Project,
}

impl Changed {
    /// What two notifications changed together.
    fn and(self, other: Changed) -> Changed {
        match (self, other) {
            (Changed::Nothing, c) | (c, Changed::Nothing) => c,
            (Changed::File(a), Changed::File(b)) if a == b => Changed::File(a),
            _ => Changed::Project,
        }
    }
}

/// The folder served: the root the client names.
fn root(params: &InitializeParams) -> Option<PathBuf> {
    #[allow(deprecated)]
    let uri = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first().map(|f| f.uri.clone()))
        .or_else(|| params.root_uri.clone())?;
    path_of(&uri)
}

struct Server {
    project: Project,
    analysis: Option<Analysis>,
    /// What the client holds: each file's diagnostics as last sent, with
    /// the document version they were for.
    published: std::collections::BTreeMap<PathBuf, (Vec<LspDiagnostic>, Option<i32>)>,
    /// The version of each open document, sent with its diagnostics.
    versions: std::collections::BTreeMap<PathBuf, i32>,
    /// Counts the changes, so that a full analysis begun before the last
    /// one is known to be stale.
    generation: u64,
}

/// A file path from a `file:` URI (percent-decoded).
fn path_of(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str().strip_prefix("file://")?;
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

/// A `file:` URI for a path (percent-encoding what a URI path cannot hold).
fn uri_of(path: &Path) -> Option<Uri> {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.parse().ok()
}

impl Server {
    /// Re-analyzes the project and publishes every file's diagnostics
    /// (clearing those of files that have none now, or are gone), on this
    /// thread.
    fn refresh(&mut self, connection: &Connection) {
        let analysis = self.project.analyze();
        self.install(connection, analysis);
    }

    /// Takes a full analysis and publishes the diagnostics that changed
    /// (a file's, or its version's), clearing those of files now clean or
    /// gone.
    fn install(&mut self, connection: &Connection, analysis: Analysis) {
        for (path, diagnostics) in &analysis.diagnostics {
            let Some(text) = analysis.text(path) else {
                continue;
            };
            let map = LineMap::new(text);
            let items: Vec<LspDiagnostic> = diagnostics
                .iter()
                .map(|d| to_lsp(&analysis, &map, text, d))
                .collect();
            self.publish(connection, path, items, false);
        }
        let gone: Vec<PathBuf> = self
            .published
            .keys()
            .filter(|p| !analysis.diagnostics.contains_key(*p))
            .cloned()
            .collect();
        for path in gone {
            self.publish(connection, &path, Vec::new(), false);
        }
        self.analysis = Some(analysis);
    }

    /// Sends a file's diagnostics unless the client has them already
    /// (`always`: after an edit, when the client waits for its version).
    fn publish(
        &mut self,
        connection: &Connection,
        path: &Path,
        items: Vec<LspDiagnostic>,
        always: bool,
    ) {
        let version = self.versions.get(path).copied();
        let known = match self.published.get(path) {
            Some((sent, sent_version)) => *sent == items && *sent_version == version,
            None => items.is_empty(),
        };
        if known && !always {
            return;
        }
        if items.is_empty() {
            self.published.remove(path);
        } else {
            self.published
                .insert(path.to_path_buf(), (items.clone(), version));
        }
        publish(connection, path, items, version);
    }

    /// The fast analysis of one edited file ([`Project::analyze_file`]),
    /// its diagnostics published; false when a full analysis is needed.
    fn refresh_file(&mut self, connection: &Connection, path: &Path) -> bool {
        let Some(analysis) = self.analysis.as_mut() else {
            return false;
        };
        if self.project.analyze_file(analysis, path).is_none() {
            return false;
        }
        let (Some(text), Some(diagnostics)) = (analysis.text(path), analysis.diagnostics.get(path))
        else {
            return false;
        };
        let map = LineMap::new(text);
        let items: Vec<LspDiagnostic> = diagnostics
            .iter()
            .map(|d| to_lsp(analysis, &map, text, d))
            .collect();
        self.publish(connection, path, items, true);
        true
    }

    /// Applies a notification; what it changed.
    /// Applies a notification and counts a change (a panic in it counts as
    /// a change of the whole project).
    fn apply(&mut self, n: Notification) -> Changed {
        let changed =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.notification(n)))
                .unwrap_or(Changed::Project);
        if !matches!(changed, Changed::Nothing) {
            self.generation += 1;
        }
        changed
    }

    fn notification(&mut self, n: Notification) -> Changed {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return Changed::Nothing;
                };
                let Some(path) = path_of(&p.text_document.uri) else {
                    return Changed::Nothing;
                };
                self.versions.insert(path.clone(), p.text_document.version);
                self.project.open.insert(path.clone(), p.text_document.text);
                Changed::File(path)
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return Changed::Nothing;
                };
                let (Some(path), Some(change)) = (
                    path_of(&p.text_document.uri),
                    p.content_changes.into_iter().last(),
                ) else {
                    return Changed::Nothing;
                };
                self.versions.insert(path.clone(), p.text_document.version);
                self.project.open.insert(path.clone(), change.text);
                Changed::File(path)
            }
            // The text was already known; a save changes nothing here.
            DidSaveTextDocument::METHOD => {
                let _ = serde_json::from_value::<DidSaveTextDocumentParams>(n.params);
                Changed::Nothing
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return Changed::Nothing;
                };
                if let Some(path) = path_of(&p.text_document.uri) {
                    self.versions.remove(&path);
                    self.project.open.remove(&path);
                }
                Changed::Project
            }
            _ => Changed::Nothing,
        }
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let method = request.method.clone();
        let result = match method.as_str() {
            HoverRequest::METHOD => self.with(request, |s, p: HoverParams| {
                let at = &p.text_document_position_params;
                serde_json::to_value(s.hover(&at.text_document.uri, at.position))
            }),
            GotoDefinition::METHOD => self.with(request, |s, p: GotoDefinitionParams| {
                let at = &p.text_document_position_params;
                let found = s.definitions(&at.text_document.uri, at.position);
                serde_json::to_value(
                    (!found.is_empty()).then_some(GotoDefinitionResponse::Array(found)),
                )
            }),
            References::METHOD => self.with(request, |s, p: ReferenceParams| {
                let at = &p.text_document_position;
                serde_json::to_value(s.references(
                    &at.text_document.uri,
                    at.position,
                    p.context.include_declaration,
                ))
            }),
            Completion::METHOD => self.with(request, |s, p: CompletionParams| {
                let at = &p.text_document_position;
                serde_json::to_value(CompletionResponse::Array(
                    s.completion(&at.text_document.uri, at.position),
                ))
            }),
            DocumentSymbolRequest::METHOD => self.with(request, |s, p: DocumentSymbolParams| {
                serde_json::to_value(DocumentSymbolResponse::Nested(
                    s.symbols(&p.text_document.uri),
                ))
            }),
            Formatting::METHOD => self.with(request, |s, p: DocumentFormattingParams| {
                serde_json::to_value(s.formatting(&p.text_document.uri))
            }),
            CodeActionRequest::METHOD => self.with(request, |s, p: CodeActionParams| {
                serde_json::to_value(s.quick_fixes(&p.text_document.uri, p.range))
            }),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("taskc lsp does not handle `{method}`"),
                )
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(message) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
        }
    }

    /// Decodes a request's params and runs `f` on them.
    fn with<P: serde::de::DeserializeOwned>(
        &mut self,
        request: Request,
        f: impl FnOnce(&Server, P) -> serde_json::Result<serde_json::Value>,
    ) -> Result<serde_json::Value, String> {
        let params: P = serde_json::from_value(request.params)
            .map_err(|e| format!("invalid params for `{}`: {e}", request.method))?;
        f(self, params).map_err(|e| e.to_string())
    }

    /// A document's path, text and tokens, from the last analysis.
    fn document(&self, uri: &Uri) -> Option<(PathBuf, std::sync::Arc<String>, Vec<Token>)> {
        let path = path_of(uri)?;
        let analysis = self.analysis.as_ref()?;
        let text = analysis.text(&path)?.clone();
        let tokens = lex::tokens(&text);
        Some((path, text, tokens))
    }

    /// The word under the cursor (a name, a value, a keyword).
    fn word_at(
        &self,
        uri: &Uri,
        at: lsp_types::Position,
    ) -> Option<(PathBuf, String, crate::source::Span)> {
        let (path, text, tokens) = self.document(uri)?;
        let offset = LineMap::new(&text).offset(&text, at);
        let t = tokens.iter().find(|t| {
            t.span.start <= offset && offset <= t.span.end && t.kind != Kind::Punct(b'{')
        })?;
        match t.kind {
            Kind::Word => Some((path, t.text(&text).to_owned(), t.span)),
            Kind::Comment => {
                // A diagnostic code in a comment (`#~ E0101`).
                let within = offset - t.span.start;
                let comment = t.text(&text);
                let start = comment[..within]
                    .rfind(|c: char| !c.is_ascii_alphanumeric())
                    .map_or(0, |i| i + 1);
                let end = comment[within..]
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .map_or(comment.len(), |i| within + i);
                let word = &comment[start..end];
                let span = crate::source::Span::new(t.span.start + start, t.span.start + end);
                (!word.is_empty()).then(|| (path, word.to_owned(), span))
            }
            _ => None,
        }
    }

    fn hover(&self, uri: &Uri, at: lsp_types::Position) -> Option<Hover> {
        let analysis = self.analysis.as_ref()?;
        let mut parts = Vec::new();
        // The explanation of each diagnostic under the cursor.
        if let Some((path, text, _)) = self.document(uri) {
            let offset = LineMap::new(&text).offset(&text, at);
            for d in analysis.diagnostics.get(&path).into_iter().flatten() {
                if d.span.start <= offset && offset <= d.span.end {
                    if let Some(page) = code_page(d.code) {
                        parts.push(page.to_owned());
                    }
                }
            }
        }
        let Some((_, word, _)) = self.word_at(uri, at) else {
            return (!parts.is_empty()).then(|| markdown_hover(parts));
        };
        for d in analysis.declarations.get(&word).into_iter().flatten() {
            let mut part = format!("**{}** `{word}`", d.kind);
            if !d.detail.is_empty() {
                part.push_str("\n\n");
                part.push_str(&d.detail);
            }
            parts.push(part);
        }
        if parts.is_empty() {
            if let Some(doc) = keyword_doc(&word) {
                parts.push(format!("`{word}`: {doc}"));
            } else if let Some(page) = code_page(&word) {
                parts.push(page.to_owned());
            }
        }
        (!parts.is_empty()).then(|| markdown_hover(parts))
    }

    fn location(&self, path: &Path, span: crate::source::Span) -> Option<Location> {
        let text = self.analysis.as_ref()?.text(path)?;
        Some(Location::new(
            uri_of(path)?,
            LineMap::new(text).range(text, span),
        ))
    }

    fn definitions(&self, uri: &Uri, at: lsp_types::Position) -> Vec<Location> {
        let Some((_, word, _)) = self.word_at(uri, at) else {
            return Vec::new();
        };
        let Some(analysis) = self.analysis.as_ref() else {
            return Vec::new();
        };
        analysis
            .declarations
            .get(&word)
            .into_iter()
            .flatten()
            .filter_map(|d| self.location(&d.file, d.span))
            .collect()
    }

    /// Every use of a declared name: the same word anywhere in the project
    /// (comments and texts aside).
    fn references(&self, uri: &Uri, at: lsp_types::Position, declaration: bool) -> Vec<Location> {
        let Some((_, word, _)) = self.word_at(uri, at) else {
            return Vec::new();
        };
        let Some(analysis) = self.analysis.as_ref() else {
            return Vec::new();
        };
        let Some(declared) = analysis.declarations.get(&word) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (path, text) in &analysis.files {
            let map = LineMap::new(text);
            for t in lex::tokens(text) {
                if t.kind != Kind::Word || t.text(text) != word {
                    continue;
                }
                let is_declaration = declared.iter().any(|d| &d.file == path && d.span == t.span);
                if is_declaration && !declaration {
                    continue;
                }
                if let Some(uri) = uri_of(path) {
                    out.push(Location::new(uri, map.range(text, t.span)));
                }
            }
        }
        out
    }

    fn completion(&self, uri: &Uri, at: lsp_types::Position) -> Vec<CompletionItem> {
        let Some((_, text, tokens)) = self.document(uri) else {
            return Vec::new();
        };
        let Some(analysis) = self.analysis.as_ref() else {
            return Vec::new();
        };
        let offset = LineMap::new(&text).offset(&text, at);
        // The tokens before the cursor; the block it is in; the words of
        // its line so far.
        let before: Vec<&Token> = tokens
            .iter()
            .filter(|t| t.span.end <= offset && !t.is_comment())
            .collect();
        let mut blocks: Vec<&str> = vec!["file"];
        for (k, t) in before.iter().enumerate() {
            if t.is(b'{') {
                let head = (0..=k)
                    .rev()
                    .find(|&j| before[j].line_start)
                    .filter(|&j| before[j].kind == Kind::Word)
                    .map_or("", |j| before[j].text(&text));
                blocks.push(head);
            } else if t.is(b'}') && blocks.len() > 1 {
                blocks.pop();
            }
        }
        let block = *blocks.last().unwrap_or(&"file");
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let on_line: Vec<&str> = before
            .iter()
            .filter(|t| t.span.start >= line_start && t.kind == Kind::Word)
            .map(|t| t.text(&text))
            .collect();
        let typing = text[line_start..offset]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let words_before = if typing {
            on_line.len().saturating_sub(1)
        } else {
            on_line.len()
        };
        let item = |label: &str, kind: CompletionItemKind, detail: &str| CompletionItem {
            label: label.to_owned(),
            kind: Some(kind),
            detail: Some(detail.to_owned()),
            ..Default::default()
        };
        if words_before == 0 {
            return crate::syntax::hints::fields_of(block)
                .iter()
                .map(|k| {
                    item(
                        k,
                        CompletionItemKind::KEYWORD,
                        &keyword_doc(k).unwrap_or_default(),
                    )
                })
                .collect();
        }
        let field = on_line[0];
        let vocabulary = match field {
            "queue" | "queues" | "over_escalation" => Some("queues"),
            "priority" => Some("priorities"),
            "status" => Some("statuses"),
            "issue_type" => Some("issue_types"),
            "resolution" => Some("resolution_codes"),
            "tier" => Some("tiers"),
            "request" | "provides" => Some("fields"),
            "risk" => Some("risk_flags"),
            _ => None,
        };
        if let Some(vocabulary) = vocabulary {
            return analysis
                .vocabularies
                .get(vocabulary)
                .into_iter()
                .flatten()
                .map(|v| item(v, CompletionItemKind::ENUM_MEMBER, vocabulary))
                .collect();
        }
        let kind = match field {
            "require" | "forbid" => "marker set",
            "floors" => "floor",
            "difficulty" => {
                return ["easy", "medium", "hard"]
                    .iter()
                    .map(|d| item(d, CompletionItemKind::ENUM_MEMBER, "difficulty"))
                    .collect()
            }
            _ => return Vec::new(),
        };
        analysis
            .declarations
            .iter()
            .filter(|(_, ds)| ds.iter().any(|d| d.kind == kind))
            .map(|(name, _)| item(name, CompletionItemKind::REFERENCE, kind))
            .collect()
    }

    /// Declarations and their blocks, as an outline.
    #[allow(deprecated)]
    fn symbols(&self, uri: &Uri) -> Vec<DocumentSymbol> {
        let Some((_, text, tokens)) = self.document(uri) else {
            return Vec::new();
        };
        let map = LineMap::new(&text);
        // (name, kind, start, children) for each open block.
        let mut stack: Vec<(String, SymbolKind, usize, usize, Vec<DocumentSymbol>)> = Vec::new();
        let mut top = Vec::new();
        for (k, t) in tokens.iter().enumerate() {
            if t.is(b'{') {
                let first = (0..=k).rev().find(|&j| tokens[j].line_start).unwrap_or(k);
                let head = tokens[first].text(&text);
                let name_token = tokens[first + 1..k]
                    .iter()
                    .find(|t| t.kind == Kind::Word && t.text(&text) != "domain");
                let (name, kind) = match (stack.is_empty(), name_token) {
                    (true, Some(n)) => (
                        format!("{head} {}", n.text(&text)),
                        if head == "task" {
                            SymbolKind::CLASS
                        } else {
                            SymbolKind::NAMESPACE
                        },
                    ),
                    _ => (head.to_owned(), SymbolKind::FIELD),
                };
                let selection = name_token.map_or(tokens[first].span, |n| n.span);
                stack.push((
                    name,
                    kind,
                    tokens[first].span.start,
                    selection.start,
                    Vec::new(),
                ));
            } else if t.is(b'}') {
                let Some((name, kind, start, selection, children)) = stack.pop() else {
                    continue;
                };
                let range = map.range(&text, crate::source::Span::new(start, t.span.end));
                let selection_end = text[selection..]
                    .find(|c: char| c.is_whitespace() || c == '{')
                    .map_or(text.len(), |e| selection + e);
                let symbol = DocumentSymbol {
                    name,
                    detail: None,
                    kind,
                    tags: None,
                    deprecated: None,
                    range,
                    selection_range: map
                        .range(&text, crate::source::Span::new(selection, selection_end)),
                    children: Some(children),
                };
                match stack.last_mut() {
                    Some(parent) => parent.4.push(symbol),
                    None => top.push(symbol),
                }
            }
        }
        top
    }

    fn formatting(&self, uri: &Uri) -> Option<Vec<TextEdit>> {
        let (_, text, _) = self.document(uri)?;
        let parses = crate::syntax::parse(
            crate::source::FileId(0),
            text.strip_prefix('\u{feff}').unwrap_or(&text),
        )
        .0
        .is_some();
        if !parses {
            return None;
        }
        let style = self.project.style();
        let formatted = crate::syntax::format::format(&text, style);
        if formatted == *text {
            return Some(Vec::new());
        }
        let map = LineMap::new(&text);
        Some(vec![TextEdit::new(
            map.range(&text, crate::source::Span::new(0, text.len())),
            formatted,
        )])
    }

    /// A quick fix for every diagnostic with a "did you mean" in the range.
    // lsp-types keys `WorkspaceEdit::changes` by `Uri` (which caches its
    // parse inside): the map is built and sent, never looked up.
    #[allow(clippy::mutable_key_type)]
    fn quick_fixes(&self, uri: &Uri, range: lsp_types::Range) -> Vec<CodeActionOrCommand> {
        let Some((path, text, _)) = self.document(uri) else {
            return Vec::new();
        };
        let Some(analysis) = self.analysis.as_ref() else {
            return Vec::new();
        };
        let map = LineMap::new(&text);
        let (from, to) = (map.offset(&text, range.start), map.offset(&text, range.end));
        let mut out = Vec::new();
        for d in analysis.diagnostics.get(&path).into_iter().flatten() {
            if d.span.end < from || d.span.start > to {
                continue;
            }
            let Some(suggestion) = d.help.as_deref().and_then(suggested) else {
                continue;
            };
            let edit_range = map.range(&text, d.span);
            let mut changes = std::collections::HashMap::new();
            changes.insert(
                uri.clone(),
                vec![TextEdit::new(edit_range, suggestion.to_owned())],
            );
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Change to `{suggestion}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(analysis, &map, &text, d)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..Default::default()
                }),
                is_preferred: Some(true),
                ..Default::default()
            }));
        }
        out
    }
}

fn markdown_hover(parts: Vec<String>) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: None,
    }
}

/// The `X` of a help saying "did you mean `X`?".
fn suggested(help: &str) -> Option<&str> {
    let rest = &help[help.find("did you mean `")? + "did you mean `".len()..];
    Some(&rest[..rest.find('`')?])
}

/// Publishes a file's diagnostics, with the version of the text they are
/// for when the file is open.
fn publish(
    connection: &Connection,
    path: &Path,
    diagnostics: Vec<LspDiagnostic>,
    version: Option<i32>,
) {
    let Some(uri) = uri_of(path) else {
        return;
    };
    let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
    let _ = connection
        .sender
        .send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_owned(),
            params,
        )));
}

/// A diagnostic as LSP has it: code, its page, related locations.
fn to_lsp(
    analysis: &Analysis,
    map: &LineMap,
    text: &str,
    d: &crate::diagnostic::Diagnostic,
) -> LspDiagnostic {
    let mut message = d.message.clone();
    if !d.label.is_empty() {
        message.push_str(&format!("\n{}", d.label));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    message.push_str(&format!("\n(`taskc explain {}` explains it)", d.code));
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let (path, text) = analysis.files.get(r.file.0)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_of(path)?, LineMap::new(text).range(text, r.span)),
                message: r.label.clone(),
            })
        })
        .collect();
    LspDiagnostic {
        range: map.range(text, d.span),
        severity: Some(if d.is_error() {
            DiagnosticSeverity::ERROR
        } else {
            DiagnosticSeverity::WARNING
        }),
        code: Some(NumberOrString::String(d.code.to_owned())),
        // The code's page, where the project has the catalog (docs/codes/).
        code_description: analysis
            .codes
            .as_ref()
            .map(|dir| dir.join(format!("{}.md", d.code)))
            .filter(|page| page.is_file())
            .and_then(|page| uri_of(&page))
            .map(|href| CodeDescription { href }),
        source: Some("taskc".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// A keyword's documentation: the `///` doc of its grammar rule.
fn keyword_doc(word: &str) -> Option<String> {
    static DOCS: std::sync::LazyLock<std::collections::BTreeMap<String, String>> =
        std::sync::LazyLock::new(|| {
            let grammar = include_str!("../../grammar/task.pest");
            let mut docs = std::collections::BTreeMap::new();
            let mut pending: Vec<&str> = Vec::new();
            for line in grammar.lines() {
                if let Some(doc) = line.strip_prefix("///") {
                    pending.push(doc.trim());
                } else if let Some((rule, _)) = line.split_once(" = ") {
                    if !pending.is_empty() {
                        docs.insert(rule.trim().to_owned(), pending.join(" "));
                    }
                    pending.clear();
                } else {
                    pending.clear();
                }
            }
            docs
        });
    if let Some(doc) = DOCS.get(word) {
        return Some(doc.clone());
    }
    // A field rule named after its block (`expect_queue`), documented by
    // its form (`` `queue NAME` ``).
    let form = format!("`{word} ");
    let form_alone = format!("`{word}`");
    DOCS.iter()
        .filter(|(rule, _)| !rule.starts_with("k_"))
        .find(|(_, doc)| doc.starts_with(&form) || doc.starts_with(&form_alone))
        .map(|(_, doc)| doc.clone())
}

/// The page of a diagnostic code (`E0101`, `L004`).
fn code_page(word: &str) -> Option<&'static str> {
    if let Some(code) = crate::diagnostic::Code::ALL
        .iter()
        .find(|c| c.as_str() == word)
    {
        return Some(code.page());
    }
    crate::lint::registry::find(word)
        .filter(|r| r.code == word)
        .map(|r| r.page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_paths_round_trip() {
        let path = Path::new("/tmp/a b/Café.task");
        let uri = uri_of(path).expect("a URI");
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/Caf%C3%A9.task");
        assert_eq!(path_of(&uri).as_deref(), Some(path));
    }

    #[test]
    fn keywords_and_codes_have_docs() {
        assert!(keyword_doc("max_depth")
            .expect("a doc")
            .contains("walks this long"));
        assert!(keyword_doc("role").is_some());
        assert!(code_page("E0101").is_some() && code_page("L004").is_some());
        assert_eq!(
            suggested("did you mean `billing_ops`?"),
            Some("billing_ops")
        );
    }
}
