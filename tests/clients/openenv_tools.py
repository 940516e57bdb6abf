"""OpenEnv conformance and tool calling, with the stock openenv-core 0.3.0
package, unmodified, against `taskc serve`, as CI runs it.

1. `openenv validate --url` (the package's own CLI) passes every criterion,
   and `GET /openapi.json` is a valid OpenAPI 3.0 document
   (openapi-spec-validator).
2. `MCPToolClient` (sync wrapper) over /ws: lists the tools, and plays every
   shipped task's gold episode twice, once with `call_tool` and once with
   `step(CallToolAction(...))`; the rewards sum to 1.0 both ways. Tool
   errors come back as the client's documented RuntimeError; an invalid
   action is a step, explained, as the plain action's is.
3. Production mode (`use_production_mode`): HTTP `POST /mcp` with a session,
   `start_task`, the gold episode through tool calls, the session closed.
4. Raw JSON-RPC: every error code, with HTTP 200 (never a 5xx); batches;
   notifications (202); the session limit. Raw WebSocket `mcp` messages and
   malformed `call_tool` data; the connection stays usable.

The gold actions are derived from `taskc compile` output (common.py), not
from the server.

usage: openenv_tools.py --url http://127.0.0.1:PORT --taskc PATH --max-sessions N
"""
import argparse
import asyncio
import json
import os
import subprocess
import sys

import websockets
from openapi_spec_validator import validate as validate_openapi
from openenv.core.env_server.mcp_types import CallToolAction
from openenv.core.mcp_client import MCPToolClient

from common import check, gold_actions, http, load_spec, summary

ACTIONS = ["classify", "request_info", "reply", "add_note", "set_status", "submit"]
TREE_TOOLS = ["check_node", "next_node", "normalize_walk", "tree_prompt", "tree_context"]


def tool_call(action):
    """An action as (tool name, arguments)."""
    arguments = {k: v for k, v in action.items() if k != "action_type"}
    return action["action_type"], arguments


def validate(url):
    cli = os.path.join(os.path.dirname(sys.executable), "openenv")
    run = subprocess.run([cli, "validate", "--url", url], capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        check("openenv validate --url prints its report", False, run.stdout + run.stderr)
        return
    failed = [c["id"] for c in report["criteria"] if not c["passed"]]
    check("openenv validate --url passes every criterion",
          run.returncode == 0 and report["passed"] and not failed and len(report["criteria"]) == 6,
          f"exit {run.returncode}, failed: {failed}")
    check("openenv validate sees simulation mode", report["mode"] == "simulation", report["mode"])
    status, document = http(url + "/openapi.json")
    try:
        validate_openapi(document)
        problem = None
    except Exception as e:  # the validator's own error types
        problem = str(e)[:500]
    check("GET /openapi.json is a valid OpenAPI 3.0 document", status == 200 and problem is None, problem)
    _, metadata = http(url + "/metadata")
    check("GET /openapi.json's info.version is the server's version",
          document["info"]["version"] == metadata["version"], document["info"])


def tools_over_websocket(url, spec):
    with MCPToolClient(base_url=url).sync() as env:
        tools = env.list_tools()
        names = [t.name for t in tools]
        check("list_tools names the actions and the tree tools, no start_task",
              names == ACTIONS + TREE_TOOLS, names)
        classify = next(t for t in tools if t.name == "classify")
        queue = classify.input_schema["properties"]["queue"]
        check("tool input schemas carry the domain's values",
              "billing_ops" in queue.get("enum", []) and "action_type" not in classify.input_schema["properties"],
              classify.input_schema)
        check("every tool has a description an LLM can act on",
              all(len(t.description) > 40 for t in tools), [t.description for t in tools])
        try:
            env.call_tool("classify", queue="billing_ops")
            check("an action tool before a reset is refused", False, "no error")
        except RuntimeError as e:
            check("an action tool before a reset is refused", "no episode" in str(e), str(e))
        report = env.call_tool("check_node", node={
            "node_type": "instruction", "text": "Open regedit and delete the key."})
        check("check_node works without an episode and rejects a floor violation",
              report["accepted"] is False and report["violations"][0]["kind"] == "hard_floor", report)
        prompt = env.call_tool("tree_prompt")["prompt"]
        check("tree_prompt: the rules the validator enforces, in words",
              "NEVER produce steps that: edit the registry" in prompt and "DO NOT GUESS" in prompt, prompt)
        context = env.call_tool("tree_context", problem="No sound", category="audio",
                                walk=[{"node_type": "meta", "category": "audio"},
                                      {"node_type": "question", "text": "Is it muted?", "answer": "no"}])
        check("tree_context: the seed's user message",
              context["context"].endswith("STEPS SO FAR:\n1. [question] Is it muted? -> no"), context)
        chosen = env.call_tool("next_node", walk=[], candidates=[
            "I am not sure.", "```json\n{\"node_type\": \"question\", \"text\": \"Is it muted?\"}\n```"])
        check("next_node: raw model output is parsed; unparsable output is a rejected attempt",
              chosen["attempt"] == 2 and chosen["node"]["text"] == "Is it muted?"
              and chosen["rejected"][0]["violations"][0]["kind"] == "unparsable", chosen)

        for task_id, task in sorted(spec["tasks"].items()):
            grading = spec.get("grading", {}).get(task_id, {})
            actions = gold_actions(task, grading)
            # call_tool: the result is the step's reply, reward included.
            env.reset(task_id=task_id)
            total, reply = 0.0, None
            for action in actions:
                name, arguments = tool_call(action)
                reply = env.call_tool(name, **arguments)
                total += reply["reward"]
            check(f"call_tool plays the gold episode of {task_id}: rewards sum to 1.0",
                  reply["done"] and abs(total - 1.0) < 1e-9 and abs(reply["metadata"]["score"] - 1.0) < 1e-9,
                  f"rewards={total} last={reply['metadata']}")
            # step(CallToolAction): the client's StepResult carries reward and done.
            env.reset(task_id=task_id)
            total, result = 0.0, None
            for action in actions:
                name, arguments = tool_call(action)
                result = env.step(CallToolAction(tool_name=name, arguments=arguments))
                total += result.reward
            check(f"step(CallToolAction) plays the gold episode of {task_id}: rewards sum to 1.0",
                  result.done and abs(total - 1.0) < 1e-9 and result.observation.error is None,
                  f"rewards={total} done={result.done}")
            try:
                env.call_tool("submit")
                check(f"a tool call after the end of {task_id} is refused", False, "no error")
            except RuntimeError as e:
                check(f"a tool call after the end of {task_id} is refused", "execution_error" in str(e), str(e))

        env.reset(task_id="billing_refund_easy")
        reply = env.call_tool("classify", queue="biling_ops")
        error = reply["observation"]["last_action_error"] or {}
        check("an invalid action through a tool is a step, explained with the closest value",
              reply["metadata"]["valid"] is False and reply["metadata"]["step"] == 1
              and error.get("suggestion") == "billing_ops", reply["metadata"])
        for name, arguments, kind in [
            ("clasify", {"queue": "billing_ops"}, "tool_not_found"),
            ("classify", {"action_type": "reply"}, "invalid_args"),
            ("check_node", {}, "invalid_args"),
            ("check_node", {"node": {}, "tree": "nope"}, "invalid_args"),
        ]:
            try:
                env.call_tool(name, **arguments)
                check(f"{name} {arguments} is refused as {kind}", False, "no error")
            except RuntimeError as e:
                check(f"{name} {arguments} is refused as {kind}", kind in str(e), str(e))
        check("refused tool calls take no step", env.state().step_count == 1, env.state())


def production_mode(url, spec):
    task_id = "billing_refund_easy"
    task, grading = spec["tasks"][task_id], spec.get("grading", {}).get(task_id, {})
    _, before = http(url + "/metadata")
    client = MCPToolClient(base_url=url)
    client.use_production_mode = True
    with client.sync() as env:
        names = [t.name for t in env.list_tools()]
        check("production mode lists the tools over HTTP /mcp, with start_task",
              names == ACTIONS + TREE_TOOLS + ["start_task"], names)
        first = env.call_tool("start_task", task_id=task_id)
        check("start_task answers the first observation",
              first["observation"]["task_id"] == task_id and first["done"] is False, first.get("metadata"))
        total, reply = 0.0, None
        for action in gold_actions(task, grading):
            name, arguments = tool_call(action)
            reply = env.call_tool(name, **arguments)
            total += reply["reward"]
        check("production mode plays the gold episode: rewards sum to 1.0, score 1.0",
              reply["done"] and abs(total - 1.0) < 1e-9 and abs(reply["metadata"]["score"] - 1.0) < 1e-9,
              f"rewards={total}")
        _, during = http(url + "/metadata")
        # The stock client keeps its /ws connection open in production
        # mode too: two slots, that one and the MCP session.
        check("an MCP session holds a session slot",
              during["active_sessions"] == before["active_sessions"] + 2, (before, during))
    _, after = http(url + "/metadata")
    check("closing the client closes its MCP session",
          after["active_sessions"] == before["active_sessions"], (before, after))


def rpc(url, body):
    return http(url + "/mcp", "POST", body)


def json_rpc_errors(url, max_sessions):
    cases = [
        ("not JSON", b"{nope", -32700),
        ("not an object", [1], -32600),
        ("no jsonrpc", {"id": 1, "method": "tools/list"}, -32600),
        ("no method", {"jsonrpc": "2.0", "id": 1}, -32600),
        ("an object id", {"jsonrpc": "2.0", "id": {}, "method": "ping"}, -32600),
        ("unknown method", {"jsonrpc": "2.0", "id": 1, "method": "tools/run"}, -32601),
        ("params not an object", {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": [1]}, -32602),
        ("tools/call without a name", {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {}}, -32602),
        ("an unknown tool", {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "fly"}}, -32602),
        ("an unknown session", {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"session_id": "x"}}, -32602),
        ("closing an unknown session", {"jsonrpc": "2.0", "id": 1, "method": "openenv/session/close", "params": {"session_id": "x"}}, -32602),
    ]
    for name, body, code in cases:
        status, reply = rpc(url, body)
        if isinstance(reply, list):
            reply = reply[0]
        check(f"JSON-RPC: {name} is {code} with HTTP 200",
              status == 200 and reply["jsonrpc"] == "2.0" and reply["error"]["code"] == code, (status, reply))
    status, reply = rpc(url, {"jsonrpc": "2.0", "id": "a", "method": "initialize", "params": {}})
    check("JSON-RPC: initialize names the server and its tools capability",
          status == 200 and reply["result"]["serverInfo"]["name"] == "taskc" and "tools" in reply["result"]["capabilities"], reply)
    status, reply = rpc(url, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    check("JSON-RPC: a notification is answered 202 with no body", status == 202 and reply is None, (status, reply))
    status, reply = rpc(url, [{"jsonrpc": "2.0", "id": 1, "method": "ping"},
                              {"jsonrpc": "2.0", "method": "ping"},
                              {"jsonrpc": "2.0", "id": 2, "method": "nope"}])
    check("JSON-RPC: a batch is answered per request, notifications left out",
          status == 200 and [r["id"] for r in reply] == [1, 2] and reply[1]["error"]["code"] == -32601, reply)
    status, reply = rpc(url, {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                              "params": {"name": "classify", "arguments": {"queue": "billing_ops"}}})
    check("JSON-RPC: an action without a session is a tool error result",
          status == 200 and reply["result"]["isError"] is True, reply)
    # Earlier checks may hold slots (HTTP episodes live until idle).
    active = http(url + "/metadata")[1]["active_sessions"]
    sessions = []
    for _ in range(max_sessions - active + 1):
        _, reply = rpc(url, {"jsonrpc": "2.0", "id": 1, "method": "openenv/session/create"})
        sessions.append(reply)
    made = [r["result"]["session_id"] for r in sessions if "result" in r]
    last = sessions[-1]
    check("JSON-RPC: past the session limit, session/create is -32000 with the counts",
          len(made) == max_sessions - active and last["error"]["code"] == -32000
          and last["error"]["data"]["max_sessions"] == max_sessions, last)
    for session_id in made:
        _, reply = rpc(url, {"jsonrpc": "2.0", "id": 1, "method": "openenv/session/close",
                             "params": {"session_id": session_id}})
    check("JSON-RPC: session/close frees the slots", reply.get("result", {}).get("closed") is True
          and http(url + "/metadata")[1]["active_sessions"] == active, reply)


async def websocket_messages(url):
    async with websockets.connect(url.replace("http://", "ws://") + "/ws") as ws:
        async def ask(message):
            await ws.send(json.dumps(message))
            return json.loads(await asyncio.wait_for(ws.recv(), 10))

        reply = await ask({"type": "mcp", "data": {"jsonrpc": "2.0", "id": 7, "method": "tools/list"}})
        names = [t["name"] for t in reply["data"]["result"]["tools"]]
        check("WebSocket mcp message: tools/list", reply["type"] == "mcp" and reply["data"]["id"] == 7
              and names == ACTIONS + TREE_TOOLS, reply)
        await ask({"type": "reset", "data": {"task_id": "billing_refund_easy"}})
        reply = await ask({"type": "mcp", "data": {"jsonrpc": "2.0", "id": 8, "method": "tools/call",
                                                   "params": {"name": "classify", "arguments": {"queue": "billing_ops"}}}})
        result = reply["data"]["result"]
        check("WebSocket mcp message: tools/call steps the connection's episode",
              result["isError"] is False and result["data"]["metadata"]["step"] == 1, reply)
        reply = await ask({"type": "mcp", "data": {"jsonrpc": "2.0", "id": 9, "method": "openenv/session/create"}})
        session_id = reply["data"]["result"]["session_id"]
        reply = await ask({"type": "mcp", "data": {"jsonrpc": "2.0", "id": 10, "method": "openenv/session/close",
                                                   "params": {"session_id": session_id}}})
        check("WebSocket mcp message: the connection's own session cannot be closed by JSON-RPC",
              reply["data"]["error"]["code"] == -32600, reply)
        for name, data, code in [
            ("call_tool without tool_name", {"type": "call_tool", "arguments": {}}, "VALIDATION_ERROR"),
            ("mcp without data", None, "VALIDATION_ERROR"),
        ]:
            message = {"type": "step", "data": data} if data is not None else {"type": "mcp"}
            reply = await ask(message)
            check(f"WebSocket: {name} gets {code}", reply["type"] == "error" and reply["data"]["code"] == code, reply)
        reply = await ask({"type": "mcp", "data": "not a request"})
        check("WebSocket mcp message: a malformed request is a JSON-RPC error",
              reply["type"] == "mcp" and reply["data"]["error"]["code"] == -32600, reply)
        reply = await ask({"type": "step", "data": {"type": "call_tool", "tool_name": "add_note",
                                                    "arguments": {"text": "Checked the duplicate charge."}}})
        observation = reply["data"]["observation"]
        check("WebSocket: the connection still works, and the episode went on",
              observation["tool_name"] == "add_note" and observation["error"] is None
              and reply["data"]["metadata"]["step"] == 2, reply)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--taskc", required=True)
    parser.add_argument("--max-sessions", type=int, required=True)
    args = parser.parse_args()
    spec = load_spec(args.taskc)
    validate(args.url)
    tools_over_websocket(args.url, spec)
    production_mode(args.url, spec)
    json_rpc_errors(args.url, args.max_sessions)
    asyncio.run(websocket_messages(args.url))
    sys.exit(summary())


if __name__ == "__main__":
    main()
