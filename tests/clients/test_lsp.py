"""`taskc lsp` driven by a real LSP client (pytest-lsp), as CI runs it
(.ci/lsp-client.sh). Each test serves a copy of the shipped tasks and
acts as an editor would: open a file, edit it, ask.

TASKC: the taskc binary (default target/release/taskc).
"""
import asyncio
import os
import pathlib
import shutil

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = pathlib.Path(__file__).resolve().parents[2]
TASKC = os.environ.get("TASKC", str(REPO / "target/release/taskc"))
TASK = "billing_refund_easy.task"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[TASKC, "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(REPO / "tasks", root / "tasks")
    shutil.copytree(REPO / "docs" / "codes", root / "docs" / "codes")
    params = types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
    )
    await lsp_client.initialize_session(params)
    lsp_client.root = root
    yield
    await lsp_client.shutdown_session()


def uri(client, name):
    return (client.root / "tasks" / name).as_uri()


def text(client, name):
    return (client.root / "tasks" / name).read_text()


def position(source, needle, offset=0):
    """The LSP position of `needle` (plus `offset` characters) in `source`."""
    index = source.index(needle) + offset
    line = source.count("\n", 0, index)
    column = index - (source.rfind("\n", 0, index) + 1)
    return types.Position(line=line, character=len(source[index - column:index].encode("utf-16-le")) // 2)


async def published(client, name, until):
    """The diagnostics of `name` once they satisfy `until` (notifications
    of earlier analyses may still be on their way)."""
    key = uri(client, name)

    async def wait():
        while key not in client.diagnostics or not until(client.diagnostics[key]):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[key]

    return await asyncio.wait_for(wait(), 30)


def has(code):
    return lambda diagnostics: any(d.code == code for d in diagnostics)


async def open_file(client, name, source, until, wait_for=None):
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri(client, name), language_id="task", version=1, text=source)))
    return await published(client, wait_for or name, until)


async def change_file(client, name, source, version, until, wait_for=None):
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri(client, name), version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=source)]))
    return await published(client, wait_for or name, until)


def errors(diagnostics):
    return [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Error]


@pytest.mark.asyncio
async def test_a_misspelt_queue_is_diagnosed_at_its_range_and_cleared_when_fixed(client: LanguageClient):
    good = text(client, TASK)
    bad = good.replace("queue      billing_ops", "queue      biling_ops")
    diagnostics = errors(await open_file(client, TASK, bad, has("E0101")))
    assert [d.code for d in diagnostics] == ["E0101"], diagnostics
    start = position(bad, "biling_ops")
    assert diagnostics[0].range.start == start
    assert diagnostics[0].range.end.character == start.character + len("biling_ops")
    assert "did you mean `billing_ops`" in diagnostics[0].message
    assert diagnostics[0].code_description.href.endswith("/docs/codes/E0101.md")
    assert "taskc explain E0101" in diagnostics[0].message
    # Hovering the mistake explains its code.
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(client, TASK)), position=start))
    assert "# E0101" in hover.contents.value

    # The quick fix applies the suggestion.
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(client, TASK)),
        range=diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=diagnostics)))
    assert len(actions) == 1 and actions[0].kind == types.CodeActionKind.QuickFix
    edit = actions[0].edit.changes[uri(client, TASK)][0]
    assert edit.new_text == "billing_ops" and edit.range == diagnostics[0].range

    await change_file(client, TASK, good, 2, lambda ds: not errors(ds))


@pytest.mark.asyncio
async def test_renaming_a_marker_set_breaks_its_users_in_other_files(client: LanguageClient):
    desk = text(client, "supportdesk.task")
    broken = await open_file(client, "supportdesk.task",
                             desk.replace("markers refund_approved_note", "markers refund_note"),
                             has("E0102"), wait_for=TASK)
    assert any(d.code == "E0102" for d in broken), broken


@pytest.mark.asyncio
async def test_hover_definition_and_references(client: LanguageClient):
    source = text(client, TASK)
    await open_file(client, TASK, source, lambda ds: True)
    at = position(source, "refund_approved_note", 3)
    doc = types.TextDocumentIdentifier(uri=uri(client, TASK))

    hover = await client.text_document_hover_async(types.HoverParams(text_document=doc, position=at))
    assert "marker set" in hover.contents.value and '"refund approved"' in hover.contents.value

    found = await client.text_document_definition_async(types.DefinitionParams(text_document=doc, position=at))
    assert len(found) == 1 and found[0].uri == uri(client, "supportdesk.task")
    desk = text(client, "supportdesk.task")
    assert found[0].range.start == position(desk, "refund_approved_note")

    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc, position=at, context=types.ReferenceContext(include_declaration=False)))
    assert {r.uri for r in refs} >= {uri(client, TASK)} and all(r.uri != "" for r in refs)

    # A domain value and a keyword.
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=doc, position=position(source, "queue      billing_ops", 13)))
    assert "**queue**" in hover.contents.value
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=doc, position=position(source, "max_steps", 1)))
    assert "max_steps" in hover.contents.value


@pytest.mark.asyncio
async def test_completion_offers_keywords_values_and_marker_sets(client: LanguageClient):
    source = text(client, TASK)
    await open_file(client, TASK, source, lambda ds: True)
    doc = types.TextDocumentIdentifier(uri=uri(client, TASK))

    def labels(result):
        items = result.items if hasattr(result, "items") else result
        return {i.label for i in items}

    # After `queue` in `expect`: the domain's queues.
    at = position(source, "queue      billing_ops", len("queue      "))
    got = await client.text_document_completion_async(types.CompletionParams(text_document=doc, position=at))
    assert {"billing_ops", "trust_and_safety"} <= labels(got)
    # At the start of a line in `ticket`: its field keywords.
    at = position(source, "    tier     pro", 4)
    got = await client.text_document_completion_async(types.CompletionParams(text_document=doc, position=at))
    assert {"customer", "tier", "region"} <= labels(got)
    # After `require`: the marker sets.
    at = position(source, "require refund_approved_note", len("require "))
    got = await client.text_document_completion_async(types.CompletionParams(text_document=doc, position=at))
    assert "refund_approved_note" in labels(got)


@pytest.mark.asyncio
async def test_symbols_and_formatting(client: LanguageClient):
    source = text(client, TASK)
    messy = source.replace("  title         ", "\ttitle ")
    await open_file(client, TASK, messy, lambda ds: True)
    doc = types.TextDocumentIdentifier(uri=uri(client, TASK))
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc))
    assert symbols[0].name == "task billing_refund_easy"
    assert {"ticket", "expect", "reply", "note"} <= {c.name for c in symbols[0].children}

    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=doc, options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert len(edits) == 1 and edits[0].new_text == source


@pytest.mark.asyncio
async def test_bad_input_never_kills_the_server(client: LanguageClient):
    # A half-typed file, a file that is not UTF-8 on disk, a deleted file.
    half = await open_file(client, "half.task", "task half {\n  title \"Half", has("E0002"))
    assert half[0].code == "E0002"
    (client.root / "tasks" / "binary.task").write_bytes(b"task binary { title \"\xff\" }\n")
    (client.root / "tasks" / "api_incident_hard.task").unlink()
    binary = await change_file(client, "half.task", "task half {\n  title \"Half\"", 2, has("E0001"),
                               wait_for="binary.task")
    assert "E0001" in [d.code for d in binary], binary
    # An unknown request is an error response; the server still answers.
    with pytest.raises(Exception):
        await client.protocol.send_request_async("taskc/nothing", {})
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(client, "half.task")),
        position=types.Position(line=99, character=99)))
    # Past the end is the end, where the half-typed text's error is.
    assert hover is not None and "E0002" in hover.contents.value


@pytest.mark.asyncio
async def test_an_edit_is_checked_at_once_and_across_files_when_the_editor_is_quiet(client: LanguageClient):
    source = text(client, TASK)
    await open_file(client, TASK, source, lambda ds: True)
    # The id of another task: this file's name no longer matches (at once,
    # from the file alone), and two files declare one task (once the
    # whole project is analyzed again, after a quiet moment).
    clash = source.replace("task billing_refund_easy {", "task api_incident_hard {")
    await change_file(client, TASK, clash, 2, has("E0206"))
    later = await published(client, TASK, has("E0201"))
    assert {"E0206", "E0201"} <= {d.code for d in later}
