#!/usr/bin/env python3
"""The seed's node check in a loop over JSON Lines, the baseline that
scripts/compare-tree.sh times `taskc tree check-node` against.

`validate_node` and `UnsafeNodeError` are copied verbatim from the seed tree
builder (resolutionflow, backend/app/services/ai_tree_builder.py). The seed
imports HARD_FLOOR_TEXT_PATTERNS from a module we do not have; here they are
the phrases of the floor the tree enforces, read from a compiled spec
(`taskc compile`), so both sides look for the same phrases. Each line gets one
report line, as `taskc tree check-node` writes them.

usage: seed_check_nodes.py SPEC.json NODES.jsonl > REPORTS.jsonl
"""
import json
import sys
from typing import Any

VALID_NODE_TYPES = {"question", "instruction", "resolved", "escalate"}


class UnsafeNodeError(ValueError):
    """Raised when a generated node violates the hard floor or is malformed."""


def validate_node(node: dict[str, Any]) -> dict[str, Any]:
    """Shape + hard-floor validation. Raises UnsafeNodeError on violation."""
    if not isinstance(node, dict) or node.get("node_type") not in VALID_NODE_TYPES:
        raise UnsafeNodeError(f"invalid node_type: {node!r}")
    text = (node.get("text") or "").lower()
    for pat in HARD_FLOOR_TEXT_PATTERNS:
        if pat in text:
            raise UnsafeNodeError(f"hard-floor pattern '{pat}' in node text")
    return node


def main():
    global HARD_FLOOR_TEXT_PATTERNS
    spec_path, nodes_path = sys.argv[1:3]
    spec = json.load(open(spec_path, encoding="utf-8"))
    tree = next(iter(spec["trees"].values()))
    HARD_FLOOR_TEXT_PATTERNS = [
        phrase["text"]
        for floor in tree["floors"]
        for group in spec["floors"][floor]["groups"]
        for phrase in group["phrases"]
    ]
    out = sys.stdout
    rejected = 0
    with open(nodes_path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                validate_node(json.loads(line))
                report = {"line": number, "accepted": True, "violations": []}
            except (UnsafeNodeError, ValueError) as e:
                rejected += 1
                report = {"line": number, "accepted": False, "violations": [str(e)]}
            out.write(json.dumps(report) + "\n")
    print(f"rejected {rejected}", file=sys.stderr)


if __name__ == "__main__":
    main()
