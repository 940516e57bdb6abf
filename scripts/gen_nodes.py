#!/usr/bin/env python3
"""Writes N generated tree nodes as JSON Lines, the shape a model returns to
the L1 tree builder: mostly instructions and questions of 1 to 6 sentences,
some resolved and escalate nodes, about 2% carrying a hard-floor phrase of
tasks/l1.task, a few with the typographic quotes and dashes models emit.
Deterministic: the same N gives the same bytes.

usage: gen_nodes.py N OUT.jsonl
"""
import json
import random
import sys

SENTENCES = [
    "Restart the computer and sign in again.",
    "Check whether the Wi-Fi icon in the taskbar shows a connection.",
    "Unplug the printer, wait 30 seconds, and plug it back in.",
    "Open Outlook and check whether new mail arrives within a minute.",
    "Close every browser window, then open the browser again.",
    "Make sure the network cable is firmly seated at both ends.",
    "Sign out of Teams and sign back in with your usual password.",
    "Toggle airplane mode off and on, then reconnect to the office network.",
    "Check that the monitor's power light is on and the input is set to HDMI.",
    "Try printing a test page from the printer's own menu.",
    "Clear the browser's cache for the last hour and reload the page.",
    "Reconnect the VPN client and wait for the green status icon.",
    "Check the battery level and plug in the charger if it is below 20%.",
    "Look at the sound settings and confirm the headset is the output device.",
    "Restart the router by unplugging it for ten seconds.",
    "Confirm the caps lock light is off before typing the password again.",
    "Open the Sudoku app only after Outlook has finished syncing.",
    "Check the status page of the mail service for a reported outage.",
    "Dock the laptop again and wait for the external screens to wake.",
    "Note the exact error message shown on the screen.",
]
QUESTIONS = [
    "Does the problem happen on more than one device?",
    "Is the Wi-Fi icon showing a connection?",
    "Did the printer print the test page?",
    "Can you open any website at all?",
    "Does the error appear again after the restart?",
    "Is the VPN status icon green?",
    "Do other people in the office see the same problem?",
]
TYPOGRAPHIC = [
    "It\u2019s fine to leave the app open \u2014 just wait a minute.",
    "Press \u201cRetry\u201d when the dialog appears.",
    "Don\u2019t unplug anything else while it restarts.",
]
FLOOR = [
    "Open regedit and delete the Outlook profile key.",
    "Run the cleanup as administrator from the Start menu.",
    "Disable the firewall for a moment and try again.",
    "Type sudo systemctl restart networking in a terminal.",
    "Use diskpart to clean the second disk.",
    "Ask them to reset MFA for the account.",
    "Restart the DHCP service on the office router.",
    "Change the billing plan to the team tier.",
]


def text(rng, pool, lo, hi):
    parts = []
    for _ in range(rng.randint(lo, hi)):
        parts.append(rng.choice(TYPOGRAPHIC) if rng.random() < 0.04 else rng.choice(pool))
    return " ".join(parts)


def node(rng):
    kind = rng.random()
    if kind < 0.60:
        n = {"node_type": "instruction", "text": text(rng, SENTENCES, 1, 6)}
    elif kind < 0.90:
        n = {"node_type": "question", "text": text(rng, SENTENCES, 0, 3) + " " + rng.choice(QUESTIONS)}
        n["text"] = n["text"].strip()
    elif kind < 0.95:
        n = {"node_type": "resolved", "text": "The issue is fixed: " + text(rng, SENTENCES, 1, 2)}
    else:
        n = {"node_type": "escalate", "reason_category": "exhausted_safe_steps",
             "text": "No safe step is left after these: " + text(rng, SENTENCES, 1, 3)}
    if rng.random() < 0.02:
        n["text"] = n["text"] + " " + rng.choice(FLOOR)
    return n


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_nodes.py N OUT.jsonl")
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(16)
    with open(out, "w", encoding="utf-8") as f:
        for _ in range(n):
            f.write(json.dumps(node(rng), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
