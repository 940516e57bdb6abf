"""What the client tests share: the check counter, the gold episode of a
task derived from `taskc compile` output (independently of the server),
and a small HTTP helper."""
import json
import subprocess
import urllib.error
import urllib.request

counts = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    if ok:
        counts["passed"] += 1
        print(f"ok   {name}", flush=True)
    else:
        counts["failed"] += 1
        print(f"FAIL {name} {detail}", flush=True)


def gold_actions(task, grading):
    """The gold episode, as ENVIRONMENT.md describes it."""
    actions = [{"action_type": "classify", "queue": task["gold_queue"],
                "priority": task["gold_priority"], "issue_type": task["gold_issue_type"]}]
    required = task["required_requested_fields"]
    if required:
        actions.append({"action_type": "request_info", "fields": required})
        if task["follow_up_outcome"] in ("partial", "incorrect"):
            missing = [f for f in required if f not in task["follow_up_provided_fields"]]
            actions.append({"action_type": "request_info", "fields": missing})
    forbidden = [f.lower() for f in task["forbidden_reply_markers"]]

    def pick(group):
        for alt in group:
            if not any(f in alt.lower() for f in forbidden):
                return alt
        return group[0]

    # The texts the task declares (contract v2: markers alone are a salad).
    reply = grading.get("gold_reply") or ". ".join(pick(g) for g in task["required_reply_markers"]) + "."
    note = grading.get("gold_note") or ". ".join(g[0] for g in task["required_note_markers"]) + "."
    if task["required_reply_markers"] or grading.get("gold_reply"):
        actions.append({"action_type": "reply", "message": reply})
    if task["required_note_markers"] or grading.get("gold_note"):
        actions.append({"action_type": "add_note", "text": note})
    actions.append({"action_type": "set_status", "status": task["gold_status"],
                    "resolution_code": task["gold_resolution_code"]})
    actions.append({"action_type": "submit"})
    if len(actions) > task["max_steps"]:
        actions.pop()
    return actions


def http(url, method="GET", body=None):
    """(status, JSON body) of one HTTP request."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    return status, (json.loads(raw) if raw else None)



def load_spec(taskc):
    """The compiled shipped tasks."""
    return json.loads(subprocess.run([taskc, "compile", "tasks"], check=True,
                                     capture_output=True, text=True).stdout)


def summary():
    """Prints the counts; the exit status."""
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] else 0
