#!/usr/bin/env python3
"""Writes a compiled spec's tasks as the seed's Python registry module.

The module has the seed's shape (`tasks.py`: `TASKS = {id: SupportTaskSpec(...)}`
with `SupportTicket` and `KnowledgeSnippet` from `models.py`), so importing it
costs what the seed's registry costs at that size. Used by
scripts/compare-python.sh to time `import tasks` against `taskc check`.

usage: python_registry.py SPEC.json OUT_DIR
"""
import json
import sys
from pathlib import Path

MODELS = '''from dataclasses import dataclass, field


@dataclass(frozen=True)
class KnowledgeSnippet:
    article_id: str
    title: str
    content: str


@dataclass(frozen=True)
class SupportTicket:
    customer_name: str
    customer_tier: str
    company: str
    subject: str
    body: str
    region: str
    affected_users: int
    sla_minutes_remaining: int
    business_impact: str
    secondary_concerns: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
'''

HEADER = '''"""Task registry for the SupportDesk environment (generated)."""
from __future__ import annotations
from dataclasses import dataclass
from typing import Literal
from models import KnowledgeSnippet, SupportTicket


@dataclass(frozen=True)
class SupportTaskSpec:
    task_id: str
    difficulty: Literal["easy", "medium", "hard"]
    title: str
    objective: str
    ticket: SupportTicket
    knowledge_base: tuple[KnowledgeSnippet, ...]
    gold_queue: str
    gold_priority: str
    gold_issue_type: str
    gold_status: str
    gold_resolution_code: str
    required_requested_fields: tuple[str, ...]
    required_reply_markers: tuple[tuple[str, ...], ...]
    required_note_markers: tuple[tuple[str, ...], ...]
    forbidden_reply_markers: tuple[str, ...] = ()
    risk_flags: tuple[str, ...] = ()
    follow_up_outcome: Literal["none", "partial", "complete", "incorrect"] = "none"
    follow_up_message: str = ""
    follow_up_provided_fields: tuple[str, ...] = ()
    follow_up_wrong_fields: tuple[str, ...] = ()
    sla_step_cost: int = 15
    over_escalation_queues: tuple[str, ...] = ()
    under_escalation_deadline_step: int | None = None
    max_steps: int = 6


TASKS: dict[str, SupportTaskSpec] = {
'''


def tup(values):
    return "(" + "".join(repr(v) + ", " for v in values) + ")"


def task_source(t):
    tk = t["ticket"]
    kb = "".join(
        f"        KnowledgeSnippet(article_id={k['article_id']!r}, title={k['title']!r}, content={k['content']!r}),\n"
        for k in t["knowledge_base"]
    )
    groups = lambda gs: "(" + "".join(tup(g) + ", " for g in gs) + ")"
    return f'''    {t['task_id']!r}: SupportTaskSpec(
        task_id={t['task_id']!r},
        difficulty={t['difficulty']!r},
        title={t['title']!r},
        objective={t['objective']!r},
        ticket=SupportTicket(
            customer_name={tk['customer_name']!r},
            customer_tier={tk['customer_tier']!r},
            company={tk['company']!r},
            subject={tk['subject']!r},
            body={tk['body']!r},
            region={tk['region']!r},
            affected_users={tk['affected_users']!r},
            sla_minutes_remaining={tk['sla_minutes_remaining']!r},
            business_impact={tk['business_impact']!r},
            secondary_concerns={tk['secondary_concerns']!r},
            attachments={tk['attachments']!r},
        ),
        knowledge_base=(
{kb}        ),
        gold_queue={t['gold_queue']!r},
        gold_priority={t['gold_priority']!r},
        gold_issue_type={t['gold_issue_type']!r},
        gold_status={t['gold_status']!r},
        gold_resolution_code={t['gold_resolution_code']!r},
        required_requested_fields={tup(t['required_requested_fields'])},
        required_reply_markers={groups(t['required_reply_markers'])},
        required_note_markers={groups(t['required_note_markers'])},
        forbidden_reply_markers={tup(t['forbidden_reply_markers'])},
        risk_flags={tup(t['risk_flags'])},
        follow_up_outcome={t['follow_up_outcome']!r},
        follow_up_message={t['follow_up_message']!r},
        follow_up_provided_fields={tup(t['follow_up_provided_fields'])},
        follow_up_wrong_fields={tup(t['follow_up_wrong_fields'])},
        sla_step_cost={t['sla_step_cost']!r},
        over_escalation_queues={tup(t['over_escalation_queues'])},
        under_escalation_deadline_step={t['under_escalation_deadline_step']!r},
        max_steps={t['max_steps']!r},
    ),
'''


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    (out / "models.py").write_text(MODELS, encoding="utf-8")
    body = "".join(task_source(t) for t in spec["tasks"].values())
    (out / "tasks.py").write_text(HEADER + body + "}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
