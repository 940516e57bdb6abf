#!/usr/bin/env python3
"""The SupportDesk environment written in Python behind openenv-core's own
FastAPI app: the baseline that `examples/loadgen.rs --url` measures
`taskc serve` against (scripts/compare-serve.sh).

It runs the compiled tasks (`taskc compile` output) as the environment
contract, version 2, says: the same observation (ticket, knowledge base,
objective, allowed values, workspace, customer messages, SLA, last error),
the same actions validated against the domain's values, the follow-up and
the SLA; each customer-facing text and note graded once when it arrives
(text budget, repeats, marker density, off-topic groups of other tasks,
required markers at word starts outside negation scopes, forbidden phrases
and their variants matched loosely in each text and in the thread); the
weighted components with no free credit before routing, the gates and their
caps, and each step's reward the change in score, with the grade only at
the end. It is written the way a careful Python author would: regular
expressions compiled once per task, a text's verdict cached, like taskc's
gold-text cache. It is a baseline for throughput, not a second reference:
its scores follow the same rules but are not held byte for byte to taskc's.

usage: python_openenv_server.py SPEC.json PORT   (prints `listening on
http://127.0.0.1:PORT` once it accepts connections; needs the virtualenv of
.ci/openenv-client.sh)
"""
import functools
import json
import re
import sys
import unicodedata
from typing import Any, List, Optional

from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import Action, Observation, State

SPEC = json.load(open(sys.argv[1], encoding="utf-8"))
DOMAIN = SPEC["domain"]
TASKS = SPEC["tasks"]
ALLOWED = {
    "action_types": ["classify", "request_info", "reply", "add_note", "set_status", "submit"],
    "fields": DOMAIN["fields"],
    "issue_types": DOMAIN["issue_types"],
    "priorities": DOMAIN["priorities"],
    "queues": DOMAIN["queues"],
    "resolution_codes": DOMAIN["resolution_codes"],
    "statuses": DOMAIN["statuses"],
}
WEIGHTS = DOMAIN["scoring"]
QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\"`\u00b4"), "'")
QUOTES.update(dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-"))
RULES = DOMAIN["grading"]
NEG = RULES["negation"]


def normalize(text: str) -> str:
    """NFKD, lower case, one quote and one dash, invisible characters
    dropped, whitespace runs as one space."""
    text = unicodedata.normalize("NFKD", text).lower().translate(QUOTES)
    if not text.isascii():
        text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc") or c.isspace())
    return " ".join(text.split())


def compact(text: str) -> str:
    """The loose form: no diacritics, no separators."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isalnum())


def word_start(phrases) -> "re.Pattern":
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(normalize(p)) for p in phrases) + ")")


TOKENS = re.compile(r"\w+(?:'\w+)?|[.;:!?]")
TERMINATORS = set(NEG["terminators"])
TRIGGERS = word_start(NEG["triggers"])
POST_TRIGGERS = word_start(NEG["post_triggers"])
PSEUDO = word_start(NEG["pseudo_triggers"])


def negation_scopes(text: str):
    """NegEx: a trigger opens a scope of `window` words forward, a
    post-trigger one backward, each ended by a clause boundary."""
    tokens = [(m.start(), m.end(), m.group()) for m in TOKENS.finditer(text)]
    pseudo = [(m.start(), m.end()) for m in PSEUDO.finditer(text)]
    scopes = []

    def scope(at, step):
        i = next((k for k, t in enumerate(tokens) if t[0] >= at), len(tokens))
        if step < 0:
            i -= 1
        covered = []
        while 0 <= i < len(tokens) and len(covered) < NEG["window"]:
            if tokens[i][2] in TERMINATORS:
                break
            covered.append(tokens[i])
            i += step
        if covered:
            scopes.append((min(t[0] for t in covered), max(t[1] for t in covered)))

    for m in TRIGGERS.finditer(text):
        if not any(s <= m.start() < e for s, e in pseudo):
            scope(m.end(), 1)
    for m in POST_TRIGGERS.finditer(text):
        scope(m.start(), -1)
    return scopes


class Task:
    """A task's patterns, compiled once."""

    def __init__(self, spec, others):
        self.spec = spec
        self.reply_groups = [word_start(g) for g in spec["required_reply_markers"]]
        self.note_groups = [word_start(g) for g in spec["required_note_markers"]]
        variants = SPEC["matching"].get(spec["task_id"], {}).get("forbidden_variants", {})
        self.forbidden = [compact(normalize(p)) for f in spec["forbidden_reply_markers"]
                          for p in [f, *variants.get(f, [])]]
        grading = SPEC["grading"].get(spec["task_id"], {})
        self.gates = RULES["gates"] + grading.get("gates", [])
        self.says = [[compact(normalize(p)) for ph in g["when"].get("phrases", [])
                      for p in [ph["text"], *ph.get("variants", [])]] for g in self.gates]
        self.foreign = [word_start(g) for o in others
                        for g in o["required_reply_markers"] + o["required_note_markers"]]

    @functools.lru_cache(maxsize=4096)
    def verdict(self, section: str, text: str):
        """(groups met, contradicted) of a normalized text, or None if void."""
        if len(text) > RULES["text_budget"]:
            return None
        groups = self.reply_groups if section == "reply" else self.note_groups
        hits = [(i, m.start(), m.end()) for i, g in enumerate(groups) for m in g.finditer(text)]
        if not hits:
            return (frozenset(), False)
        limit = RULES["marker_density"] if section == "reply" else RULES["note_marker_density"]
        if len({t[0] for t in hits}) >= 2 and limit < 1.0:
            words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
            covered = sum(any(s < we and ws < e for _, s, e in hits) for ws, we in words)
            if covered / max(len(words), 1) > limit:
                return None
        if sum(1 for g in self.foreign if g.search(text)) > RULES["off_topic_groups"]:
            return None
        scopes = negation_scopes(text)
        met, contradicted = set(), False
        for i, s, e in hits:
            if any(a <= s < b for a, b in scopes):
                contradicted = True
            else:
                met.add(i)
        return (frozenset(met), contradicted)


TASKS = {tid: Task(t, [o for oid, o in TASKS.items() if oid != tid]) for tid, t in TASKS.items()}


class SupportAction(Action):
    action_type: str
    queue: Optional[str] = None
    priority: Optional[str] = None
    issue_type: Optional[str] = None
    fields: Optional[List[str]] = None
    message: Optional[str] = None
    text: Optional[str] = None
    status: Optional[str] = None
    resolution_code: Optional[str] = None


class SupportObservation(Observation):
    task_id: str
    title: str
    difficulty: str
    objective: str
    ticket: dict
    knowledge_base: list
    allowed: dict
    step: int
    max_steps: int
    sla_minutes_left: int
    sla_breached: bool
    workspace: dict
    customer_messages: list
    last_action_error: Optional[str] = None


class SupportState(State):
    task_id: Optional[str] = None
    done: bool = False
    score: Optional[float] = None


def fraction(met, of):
    return met / of if of else 1.0


class SupportDesk(Environment):
    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self):
        super().__init__()
        self.task = None
        self._state = SupportState()

    def reset(self, seed=None, episode_id=None, task_id=None, **kwargs) -> SupportObservation:
        if task_id not in TASKS:
            raise ValueError(f"unknown task_id {task_id!r}; known: {', '.join(sorted(TASKS))}")
        self.task = TASKS[task_id]
        self._state = SupportState(episode_id=episode_id or f"{task_id}-0", task_id=task_id)
        self.ws = {"queue": None, "priority": None, "issue_type": None, "status": None,
                   "resolution_code": None, "requested_fields": [], "request_messages": [],
                   "replies": [], "notes": []}
        self.messages, self.queues_set, self.asked_after_follow_up = [], [], []
        self.reply_met, self.note_met, self.earlier = set(), set(), []
        self.replies_counted, self.contradicted, self.forbidden_seen = 0, False, False
        self.thread, self.says_seen = "", [False] * len(self.task.gates)
        self.follow_up_sent, self.score = False, 0.0
        self.sla_left = self.task.spec["ticket"]["sla_minutes_remaining"]
        return self.observe(None, 0.0, False)

    def observe(self, error, reward, done) -> SupportObservation:
        t = self.task.spec
        metadata = {"task_id": t["task_id"], "episode_id": self._state.episode_id,
                    "step": self._state.step_count, "valid": error is None}
        if done:
            metadata["score"] = self.score
        return SupportObservation(
            task_id=t["task_id"], title=t["title"], difficulty=t["difficulty"],
            objective=t["objective"], ticket=t["ticket"], knowledge_base=t["knowledge_base"],
            allowed=ALLOWED, step=self._state.step_count, max_steps=t["max_steps"],
            sla_minutes_left=max(self.sla_left, 0), sla_breached=self.sla_left < 0,
            workspace=self.ws, customer_messages=self.messages, last_action_error=error,
            reward=reward, done=done, metadata=metadata)

    def invalid(self, a: SupportAction) -> Optional[str]:
        def check(name, value, values):
            return None if value is None or value in values else f"`{name}` must be one of {values}, not {value!r}"
        kind = a.action_type
        if kind == "classify":
            if a.queue is None and a.priority is None and a.issue_type is None:
                return "classify sets at least one of queue, priority, issue_type"
            return (check("queue", a.queue, ALLOWED["queues"]) or check("priority", a.priority, ALLOWED["priorities"])
                    or check("issue_type", a.issue_type, ALLOWED["issue_types"]))
        if kind == "request_info":
            if not a.fields:
                return "request_info needs `fields`"
            return next((check("fields", f, ALLOWED["fields"]) for f in a.fields if f not in ALLOWED["fields"]), None)
        if kind == "reply":
            return None if a.message else "reply needs `message`"
        if kind == "add_note":
            return None if a.text else "add_note needs `text`"
        if kind == "set_status":
            if a.status is None:
                return "set_status needs `status`"
            return check("status", a.status, ALLOWED["statuses"]) or check("resolution_code", a.resolution_code, ALLOWED["resolution_codes"])
        if kind == "submit":
            return None
        return f"unknown action_type {kind!r}; one of {ALLOWED['action_types']}"

    def step(self, action: SupportAction, timeout_s=None, **kwargs) -> SupportObservation:
        if self.task is None or self._state.done:
            raise RuntimeError("the episode has ended; reset first")
        self._state.step_count += 1
        self.sla_left -= self.task.spec["sla_step_cost"]
        error = self.invalid(action)
        if error is None:
            self.apply(action)
        done = action.action_type == "submit" and error is None or self._state.step_count >= self.task.spec["max_steps"]
        before, self.score = self.score, self.grade()
        self._state.done, self._state.score = done, self.score if done else None
        return self.observe(error, self.score - before, done)

    def customer_text(self, text: str):
        """A reply or request message: forbidden phrases and the task's
        `says` gates, in the text and in the thread it joins."""
        # The thread holds this text too.
        self.thread += compact(normalize(text))
        if any(phrase in self.thread for phrase in self.task.forbidden):
            self.forbidden_seen = True
        for i, phrases in enumerate(self.task.says):
            if any(p in self.thread for p in phrases):
                self.says_seen[i] = True

    def graded_text(self, section: str, text: str):
        normalized = normalize(text)
        repeat = normalized in self.earlier
        self.earlier.append(normalized)
        verdict = None if repeat else self.task.verdict(section, normalized)
        if verdict is None:
            return
        met, contradicted = verdict
        if section == "reply":
            self.replies_counted += 1
            self.reply_met |= met
            self.contradicted |= contradicted
        else:
            self.note_met |= met

    def apply(self, a: SupportAction):
        ws, t = self.ws, self.task.spec
        if a.action_type == "classify":
            for k in ("queue", "priority", "issue_type"):
                if getattr(a, k) is not None:
                    ws[k] = getattr(a, k)
            if a.queue is not None:
                self.queues_set.append((a.queue, self._state.step_count))
        elif a.action_type == "request_info":
            if self.follow_up_sent:
                self.asked_after_follow_up.extend(a.fields)
            ws["requested_fields"] += [f for f in a.fields if f not in ws["requested_fields"]]
            if a.message:
                ws["request_messages"].append(a.message)
                self.customer_text(a.message)
            if not self.follow_up_sent and t["follow_up_outcome"] != "none":
                self.messages.append(t["follow_up_message"])
                self.follow_up_sent = True
        elif a.action_type == "reply":
            ws["replies"].append(a.message)
            self.customer_text(a.message)
            self.graded_text("reply", a.message)
        elif a.action_type == "add_note":
            ws["notes"].append(a.text)
            self.graded_text("note", a.text)
        elif a.action_type == "set_status":
            ws["status"], ws["resolution_code"] = a.status, a.resolution_code

    def grade(self) -> float:
        t, ws, task = self.task.spec, self.ws, self.task
        routed = bool(self.queues_set)
        required, asked = set(t["required_requested_fields"]), ws["requested_fields"]
        hits = sum(f in required for f in asked)
        if not required:
            info = float(routed and not asked)
        else:
            parts = [fraction(hits, len(required)), fraction(hits, len(asked)) if routed and asked else 0.0]
            if t["follow_up_outcome"] != "none":
                if not self.follow_up_sent:
                    parts.append(0.0)
                elif t["follow_up_outcome"] == "complete":
                    parts.append(float(not self.asked_after_follow_up))
                else:
                    missing = required - set(t["follow_up_provided_fields"])
                    again = set(self.asked_after_follow_up)
                    parts.append(fraction(len(missing & again), len(missing | again)))
            info = sum(parts) / len(parts)

        def groups(met, count):
            return float(routed) if not count else len(met) / count

        over = [q for q, _ in self.queues_set if q in t["over_escalation_queues"]]
        gold_at = next((k for q, k in self.queues_set if q == t["gold_queue"]), None)
        if routed:
            process = [self.queues_set[0][0] == t["gold_queue"]]
            if t["over_escalation_queues"]:
                process.append(not over)
            if t["under_escalation_deadline_step"] is not None:
                process.append(gold_at is not None and gold_at <= t["under_escalation_deadline_step"])
            process.append(gold_at is not None and gold_at * t["sla_step_cost"] <= t["ticket"]["sla_minutes_remaining"])
            process = sum(process) / len(process)
        else:
            process = 0.0
        components = {
            "queue": float(ws["queue"] == t["gold_queue"]),
            "priority": float(ws["priority"] == t["gold_priority"]),
            "issue_type": float(ws["issue_type"] == t["gold_issue_type"]),
            "status": float(ws["status"] == t["gold_status"]),
            "resolution_code": float(ws["resolution_code"] == t["gold_resolution_code"]),
            "info_requests": info,
            "reply": 0.0 if self.forbidden_seen else groups(self.reply_met, len(task.reply_groups)),
            "note": groups(self.note_met, len(task.note_groups)),
            "process": process,
        }
        score = sum(WEIGHTS[k] * v for k, v in components.items())
        wrong_queues = {q for q, _ in self.queues_set if q != t["gold_queue"]}
        fired = {
            "forbidden": self.forbidden_seen,
            "no_reply": self.replies_counted == 0,
            "contradicted": self.contradicted,
            "wrong_status": ws["status"] is not None and ws["status"] != t["gold_status"],
            "queue_hopping": len(wrong_queues) >= 2,
            "over_requested": any(f not in required for f in asked),
            "over_escalated": bool(over),
            "missed_queue": gold_at is None,
        }
        for gate, says in zip(task.gates, self.says_seen):
            when = gate["when"]
            condition = when["condition"]
            hit = (ws["status"] == when["status"] if condition == "status"
                   else says if condition == "says" else fired.get(condition, False))
            if hit:
                score = min(score, gate["cap"])
        return round(score, 6)

    @property
    def state(self) -> SupportState:
        return self._state


app = create_app(SupportDesk, SupportAction, SupportObservation, env_name="supportdesk",
                 max_concurrent_envs=1024)

if __name__ == "__main__":
    import threading
    import time

    import uvicorn

    port = int(sys.argv[2])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))

    def announce():  # uvicorn says nothing at level warning: say when it is ready
        while not server.started:
            time.sleep(0.05)
        print(f"listening on http://127.0.0.1:{port}", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
