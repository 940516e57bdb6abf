"""The stock openenv-core client against `taskc serve`, as CI runs it.

1. Plays the gold episode of every shipped task with the unmodified
   `GenericEnvClient` over /ws and checks a final score of 1.0. The gold
   actions are derived here, in Python, from `taskc compile` output, not
   taken from the server, so this also checks the server independently.
2. Sends malformed frames (not JSON, unknown type, bad data, oversized) on
   one raw WebSocket and checks each error code, then checks the connection
   still works; also an action after the end, through the stock client.
3. Opens more sessions than --max-sessions and checks CAPACITY_REACHED.

usage: openenv_client.py --url http://127.0.0.1:PORT --taskc PATH --max-sessions N
Exits 0 when every check passes; prints one line per check and a summary.
"""
import argparse
import asyncio
import json
import sys

from openenv.core import GenericEnvClient
import websockets

from common import check, gold_actions, http, load_spec, summary


def play_gold_episodes(url, spec):
    for task_id, task in sorted(spec["tasks"].items()):
        grading = spec.get("grading", {}).get(task_id, {})
        with GenericEnvClient(base_url=url).sync() as env:
            result = env.reset(task_id=task_id)
            total = result.reward or 0.0
            for action in gold_actions(task, grading):
                result = env.step(action)
                total += result.reward
            state = env.state()
            check(f"gold episode of {task_id} scores 1.0",
                  result.done and abs(state["score"] - 1.0) < 1e-9 and abs(total - 1.0) < 1e-9,
                  f"done={result.done} score={state['score']} rewards={total}")
            check(f"state of {task_id} has episode_id and step_count",
                  state.get("episode_id") and state.get("step_count") == len(gold_actions(task, grading)))
            try:
                env.step({"action_type": "submit"})
                check(f"a step after the end of {task_id} is refused", False, "no error")
            except RuntimeError as e:
                check(f"a step after the end of {task_id} is refused", "EXECUTION_ERROR" in str(e), str(e))


async def malformed_frames(url, max_bytes):
    ws_url = url.replace("http://", "ws://") + "/ws"
    async with websockets.connect(ws_url, max_size=None) as ws:
        async def ask(raw):
            await ws.send(raw)
            return json.loads(await asyncio.wait_for(ws.recv(), 10))

        cases = [
            ("not JSON", "this is not json", "INVALID_JSON"),
            ("unknown message type", json.dumps({"type": "fly"}), "UNKNOWN_TYPE"),
            ("reset without task_id", json.dumps({"type": "reset", "data": {}}), "VALIDATION_ERROR"),
            ("unknown task", json.dumps({"type": "reset", "data": {"task_id": "nope"}}), "VALIDATION_ERROR"),
            ("step before reset", json.dumps({"type": "step", "data": {"action_type": "submit"}}), "EXECUTION_ERROR"),
            ("oversized message", json.dumps({"type": "step", "data": {"x": "a" * (max_bytes + 10)}}), "VALIDATION_ERROR"),
        ]
        for name, raw, code in cases:
            reply = await ask(raw)
            check(f"{name} gets {code}", reply.get("type") == "error" and reply["data"].get("code") == code, reply)
        reply = await ask(json.dumps({"type": "reset", "data": {"task_id": "billing_refund_easy"}}))
        check("the connection still works after errors", reply.get("type") == "observation", reply)
        reply = await ask(json.dumps({"type": "step", "data": "not an object"}))
        check("a non-object action gets VALIDATION_ERROR",
              reply.get("type") == "error" and reply["data"]["code"] == "VALIDATION_ERROR" and reply["data"].get("errors"), reply)
        reply = await ask(json.dumps({"type": "step", "data": {"action_type": "clasify", "queue": "billing_ops"}}))
        error = reply["data"]["observation"].get("last_action_error") or {}
        check("an invalid action is consumed and explained",
              reply.get("type") == "observation" and "did you mean `classify`" in error.get("message", ""), reply)
        await ws.send(json.dumps({"type": "close"}))
        try:
            await asyncio.wait_for(ws.recv(), 5)
            check("close ends the session", False, "got a frame")
        except websockets.ConnectionClosed as e:
            check("close ends the session with 1000", e.rcvd is not None and e.rcvd.code == 1000, e)


async def capacity(url, max_sessions):
    ws_url = url.replace("http://", "ws://") + "/ws"
    # HTTP episodes hold sessions too: fill what is left.
    _, meta = http(url + "/metadata")
    check("metadata reports the session limit", meta["max_sessions"] == max_sessions, meta)
    held = [await websockets.connect(ws_url) for _ in range(max_sessions - meta["active_sessions"])]
    try:
        for ws in held:
            await ws.send(json.dumps({"type": "state"}))
            await asyncio.wait_for(ws.recv(), 10)
        async with websockets.connect(ws_url) as extra:
            reply = json.loads(await asyncio.wait_for(extra.recv(), 10))
            data = reply.get("data", {})
            check("one session too many gets CAPACITY_REACHED",
                  data.get("code") == "CAPACITY_REACHED" and data.get("max_sessions") == max_sessions
                  and data.get("active_sessions") == max_sessions, reply)
            try:
                await asyncio.wait_for(extra.recv(), 5)
                check("and is closed with 1000", False, "no close")
            except websockets.ConnectionClosed as e:
                check("and is closed with 1000", e.rcvd is not None and e.rcvd.code == 1000, e)
    finally:
        for ws in held:
            await ws.close()
    # The stock client sees the capacity error as its documented RuntimeError.
    await asyncio.sleep(0.5)
    with GenericEnvClient(base_url=url).sync() as env:
        result = env.reset(task_id="api_incident_hard")
        check("sessions are free again after closing", result.done is False)


def http_endpoints(url, max_bytes):
    status, body = http(url + "/health")
    check("GET /health", status == 200 and body == {"status": "healthy"}, body)
    status, body = http(url + "/schema")
    check("GET /schema has action, observation, state", status == 200 and {"action", "observation", "state"} <= set(body), list(body))
    status, body = http(url + "/tasks")
    check("GET /tasks lists ids, titles, difficulties", status == 200 and len(body) == 4 and all({"task_id", "title", "difficulty"} <= set(t) for t in body), body)
    status, body = http(url + "/reset", "POST", {"task_id": "billing_refund_easy", "episode_id": "ci-http"})
    check("POST /reset", status == 200 and body["metadata"]["episode_id"] == "ci-http" and body["reward"] == 0.0, body)
    status, body = http(url + "/step", "POST", {"episode_id": "ci-http", "action": {"action_type": "classify", "queue": "billing_ops"}})
    check("POST /step", status == 200 and body["metadata"]["step"] == 1 and body["reward"] > 0, body)
    check("no grade in the metadata before the end",
          not {"score", "breakdown"} & set(body["metadata"]) and "score" not in body["observation"], body)
    status, body = http(url + "/state?episode_id=ci-http")
    check("GET /state", status == 200 and body["step_count"] == 1, body)
    check("no grade in the state before the end", not {"score", "breakdown"} & set(body), body)
    for name, path, payload, expected in [
        ("a body that is not JSON", "/step", b"{oops", 400),
        ("a step without an action", "/step", {"episode_id": "ci-http"}, 422),
        ("a step of an unknown episode", "/step", {"episode_id": "nope", "action": {"action_type": "submit"}}, 404),
        ("a reset of an unknown task", "/reset", {"task_id": "nope"}, 422),
        ("a step that names no episode", "/step", {"action": {"action_type": "submit"}}, 422),
        ("a reset that names a live episode", "/reset", {"task_id": "billing_refund_easy", "episode_id": "ci-http"}, 409),
        ("an oversized body", "/tree/check-node", b'{"text": "' + b"a" * (max_bytes + 10) + b'"}', 413),
    ]:
        status, body = http(url + path, "POST", payload)
        check(f"{name} gets {expected} with a JSON error", status == expected and "error" in body, (status, body))
    status, body = http(url + "/tree/check-node", "POST", {"node_type": "instruction", "text": "Open ｒｅｇedit"})
    check("POST /tree/check-node rejects an evasion", status == 200 and body["accepted"] is False, body)
    status, body = http(url + "/tree/next", "POST", {"walk": [], "candidates": [{"node_type": "question", "text": "Is it on?"}]})
    check("POST /tree/next", status == 200 and body["source"] == "candidate", body)
    status, body = http(url + "/tree/normalize", "POST", [{"id": "a", "text": "A?", "answer": "yes"}, {"id": "a", "node_type": "resolved", "text": "B"}])
    check("POST /tree/normalize refuses a repeated id", status == 422 and body["error"]["step"] == 1, body)
    status, body = http(url + "/tree/prompt", "POST", {})
    check("POST /tree/prompt", status == 200 and body["tree"] == "l1" and "HARD RULES" in body["prompt"], body)
    status, body = http(url + "/tree/context", "POST", {"problem": "p", "category": "c", "walk": []})
    check("POST /tree/context", status == 200 and body["context"].startswith("PROBLEM: p\nCATEGORY: c"), body)
    status, body = http(url + "/tree/context", "POST", {"problem": "p"})
    check("POST /tree/context without a category is 422", status == 422 and body["error"]["code"] == "VALIDATION_ERROR", body)
    status, body = http(url + "/tree/next", "POST", {"walk": [], "candidates": ["no node", "Sure: {\"node_type\": \"resolved\", \"text\": \"Fixed.\"}"]})
    check("POST /tree/next takes raw model output", status == 200 and body["attempt"] == 2 and body["node"]["node_type"] == "resolved", body)
    status, body = http(url + "/tree/check", "POST", {"id": "r", "nodes": {"r": {"id": "r", "node_type": "resolved", "text": "Done."}}})
    check("POST /tree/check", status == 200 and body["valid"] is True, body)


def tree_builder_loop(url):
    """docs/TREE.md's loop against the server, with a scripted model whose
    outputs come as models write them (fences, prose, one refusal)."""
    outputs = iter([
        "I'm not able to help.",                                         # unparsable
        "```json\n{\"node_type\": \"question\", \"text\": \"Is Outlook up to date?\"}\n```",
        "Next: {\"node_type\": \"instruction\", \"text\": \"Open regedit and delete the profile key.\"}",
        "{\"node_type\": \"instruction\", \"text\": \"Sign out of Outlook and sign in again.\"}",
        "{\"node_type\": \"resolved\", \"text\": \"Outlook no longer asks for the password.\"}",
        "unused",
    ])
    _, reply = http(url + "/tree/prompt", "POST", {})
    system = reply["prompt"]
    walk = [{"node_type": "meta", "category": "email"}]
    attempts_seen = []
    for _ in range(10):
        _, reply = http(url + "/tree/context", "POST", {
            "problem": "Outlook keeps asking for my password", "category": "email", "walk": walk})
        user = reply["context"]
        assert system and user
        # One output per attempt (the policy's `attempts`, 2 for l1).
        candidates = [next(outputs), next(outputs)]
        _, step = http(url + "/tree/next", "POST", {"walk": walk, "candidates": candidates})
        attempts_seen.append(step.get("attempt"))
        node = step["node"]
        if node["node_type"] in ("resolved", "escalate"):
            walk.append(node)
            break
        node["answer"] = "no" if node["node_type"] == "question" else "done"
        walk.append(node)
    _, context = http(url + "/tree/context", "POST", {"problem": "p", "category": "email", "walk": walk})
    status, tree = http(url + "/tree/normalize", "POST", {"walk": walk})
    check("docs/TREE.md's builder loop: raw outputs parsed, the unsafe one and the refusal rejected, a tree made",
          status == 200 and attempts_seen == [2, 2, 1] and len(tree["nodes"]) >= 3
          and "Open regedit" not in json.dumps(tree) and "[resolved]" in context["context"],
          (attempts_seen, walk, tree))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--taskc", required=True)
    parser.add_argument("--max-sessions", type=int, required=True)
    parser.add_argument("--max-message-bytes", type=int, default=1 << 20)
    args = parser.parse_args()
    spec = load_spec(args.taskc)
    play_gold_episodes(args.url, spec)
    http_endpoints(args.url, args.max_message_bytes)
    tree_builder_loop(args.url)
    asyncio.run(malformed_frames(args.url, args.max_message_bytes))
    asyncio.run(capacity(args.url, args.max_sessions))
    sys.exit(summary())


if __name__ == "__main__":
    main()
