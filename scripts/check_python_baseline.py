#!/usr/bin/env python3
"""How closely the Python baseline server grades like taskc: plays each
task's gold episode (built from the spec as taskc's gold episode is) and
every stock exploit `taskc probe --format json` prints through a running
server, and compares the summed rewards with taskc's scores. Run by
scripts/compare-serve.sh before the load, so the throughput it measures is
that of a server doing the contract's work.

usage: check_python_baseline.py SPEC.json PROBE.jsonl ws://HOST:PORT/ws
"""
import asyncio
import json
import pathlib
import sys

import websockets

# The gold episode as the client tests derive it from the compiled spec.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "clients"))
from common import gold_actions  # noqa: E402


async def play(ws, task_id, actions):
    await ws.send(json.dumps({"type": "reset", "data": {"task_id": task_id}}))
    await ws.recv()
    total = 0.0
    for action in actions:
        await ws.send(json.dumps({"type": "step", "data": action}))
        reply = json.loads(await ws.recv())
        if reply["type"] != "observation":
            sys.exit(f"{task_id}: {reply}")
        total += reply["data"]["reward"]
        if reply["data"]["done"]:
            break
    return total


async def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    episodes = [(tid, "gold", 1.0, gold_actions(t, spec["grading"].get(tid, {}))) for tid, t in spec["tasks"].items()]
    episodes += [(e["task"], e["kind"], e["score"], e["actions"])
                 for e in map(json.loads, open(sys.argv[2], encoding="utf-8"))]
    same, differ = 0, []
    async with websockets.connect(sys.argv[3], max_size=None) as ws:
        for task_id, kind, expected, actions in episodes:
            score = await play(ws, task_id, actions)
            if abs(score - expected) < 1e-3:
                same += 1
            else:
                differ.append(f"{task_id} {kind}: taskc {expected:.3f}, Python {score:.3f}")
    print(f"Python baseline: {same} of {len(episodes)} episodes (gold and stock exploits) score as taskc")
    for line in differ:
        print("  differs:", line)
    if any(" gold:" in line for line in differ):
        sys.exit("a gold episode does not score 1.0 on the Python baseline")


asyncio.run(main())
