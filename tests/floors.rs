//! The hard floor is at least as strict as the seed's `pattern in
//! text.lower()` on the forms people and models write (hardening round
//! three): every floor phrase of the shipped `l1` policy is rejected in
//! every look-alike of Unicode's confusables table (UTS #39, enumerated
//! here from `unicode-security`, not listed by hand), with separators or
//! letter spacing inside, and with plurals and suffixes; and ordinary
//! troubleshooting steps, near misses included, stay accepted (the
//! false-positive measure `docs/TREE.md` reports).

mod common;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::json;
use taskc::runtime::tree::Validator;

static VALIDATOR: LazyLock<Validator> =
    LazyLock::new(|| Validator::new(&common::shipped_document(), "l1").expect("the l1 policy"));

/// Every phrase of the shipped floors in the default (loose) mode, by
/// group (`floor/reason`); a phrase the author declared `word` or
/// `substring` matches as declared (`substring "runas"`: "run as expected"
/// is not `runas`).
fn phrases() -> Vec<(String, String)> {
    let document = common::shipped_document();
    let mut out = Vec::new();
    for (name, floor) in &document.floors {
        for group in &floor.groups {
            for phrase in &group.phrases {
                if phrase.mode == taskc::spec::MatchMode::FLOOR_DEFAULT {
                    out.push((format!("{name}/{}", group.reason), phrase.text.clone()));
                }
            }
        }
    }
    assert!(
        out.len() >= 25,
        "the shipped floor has {} phrases",
        out.len()
    );
    out
}

fn rejected(text: &str) -> bool {
    !VALIDATOR
        .check_node(&json!({"node_type": "instruction", "text": text}))
        .accepted
}

/// A step as a model writes one, around the phrase.
fn step(phrase: &str) -> String {
    format!("Next, {phrase} and then check again.")
}

fn skeleton(c: char) -> String {
    unicode_security::skeleton(&c.to_string()).collect()
}

/// Every non-ASCII character of the confusables table that imitates an
/// ASCII letter or digit, with the ASCII characters it imitates: those
/// whose skeleton equals its own, of its case (a capital imitates a
/// capital: `І` imitates `I`; a small letter a small one or a digit).
fn confusables() -> BTreeMap<char, Vec<char>> {
    let mut by_skeleton: BTreeMap<String, Vec<char>> = BTreeMap::new();
    for b in b'0'..=b'z' {
        let c = b as char;
        if c.is_ascii_alphanumeric() {
            by_skeleton.entry(skeleton(c)).or_default().push(c);
        }
    }
    let mut out = BTreeMap::new();
    for c in (0x80..=0x10FFFFu32).filter_map(char::from_u32) {
        let Some(ascii) = by_skeleton.get(&skeleton(c)) else {
            continue;
        };
        let imitated: Vec<char> = ascii
            .iter()
            .copied()
            .filter(|a| {
                if c.is_uppercase() {
                    a.is_ascii_uppercase() || a.is_ascii_digit()
                } else {
                    !a.is_ascii_uppercase()
                }
            })
            .collect();
        if !imitated.is_empty() {
            out.insert(c, imitated);
        }
    }
    out
}

#[test]
fn every_look_alike_of_the_confusables_table_is_seen_through() {
    let table = confusables();
    // The table's look-alikes of ASCII letters and digits, capitals and
    // mathematical letters included.
    assert!(table.len() > 1400, "{}", table.len());
    let phrases = phrases();
    let mut tried = 0;
    let mut missed = Vec::new();
    for (&c, imitated) in &table {
        for &a in imitated {
            for (group, phrase) in &phrases {
                // The phrase as written, or in capitals for a capital.
                let cased = if a.is_ascii_uppercase() {
                    phrase.to_uppercase()
                } else {
                    phrase.clone()
                };
                let Some(at) = cased.find(a) else { continue };
                let disguised = format!("{}{c}{}", &cased[..at], &cased[at + 1..]);
                tried += 1;
                if !rejected(&step(&disguised)) {
                    missed.push(format!(
                        "{group}: {disguised:?} (U+{:04X} for {a})",
                        c as u32
                    ));
                }
            }
        }
    }
    assert!(tried > 10_000, "{tried}");
    assert!(
        missed.is_empty(),
        "{} of {tried} look-alike forms accepted, e.g. {:?}",
        missed.len(),
        &missed[..missed.len().min(20)]
    );
}

#[test]
fn separators_and_letter_spacing_inside_a_phrase_are_seen_through() {
    let mut missed = Vec::new();
    for (group, phrase) in phrases() {
        let letters: Vec<(usize, char)> = phrase.char_indices().collect();
        let mut forms = Vec::new();
        // A separator between any two letters of a word.
        for w in letters.windows(2) {
            let ((_, a), (at, b)) = (w[0], w[1]);
            if a.is_alphanumeric() && b.is_alphanumeric() {
                for sep in ["-", "_", ".", " ", "/"] {
                    forms.push(format!("{}{sep}{}", &phrase[..at], &phrase[at..]));
                }
            }
        }
        // Its words run together, or spaced letter by letter.
        forms.push(phrase.replace(' ', ""));
        forms.push(phrase.replace(' ', "-"));
        forms.push(phrase.replace(' ', "_"));
        let spaced: Vec<String> = phrase
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_string())
            .collect();
        forms.push(spaced.join(" "));
        forms.push(format!("{}.", spaced.join(".").to_uppercase()));
        for form in forms {
            if !rejected(&step(&form)) {
                missed.push(format!("{group}: {form:?}"));
            }
        }
    }
    assert!(missed.is_empty(), "{} accepted: {missed:?}", missed.len());
}

#[test]
fn plurals_and_suffixes_the_seed_blocks_are_blocked() {
    let mut missed = Vec::new();
    for (group, phrase) in phrases() {
        let Some(last) = phrase.chars().last().filter(|c| c.is_ascii_alphabetic()) else {
            continue;
        };
        let mut forms = vec![
            format!("{phrase}s"),
            format!("{phrase}ed"),
            format!("{phrase}ing"),
            format!("{phrase}ers"),
            format!("{phrase}32"),
            format!("{phrase}64.exe"),
            format!("{phrase}'s"),
            phrase.to_uppercase() + "S",
        ];
        let before_last = phrase.chars().rev().nth(1).unwrap_or(' ');
        if last == 'y' && !"aeiou".contains(before_last) {
            forms.push(format!("{}ies", &phrase[..phrase.len() - 1]));
        }
        if "sxz".contains(last) || phrase.ends_with("ch") || phrase.ends_with("sh") {
            forms.push(format!("{phrase}es"));
        }
        for form in forms {
            if !rejected(&step(&form)) {
                missed.push(format!("{group}: {form:?}"));
            }
        }
    }
    // The forms a held-out round found the floor let through.
    for text in [
        "Check the domain controllers",
        "Restart both DNS servers",
        "Reissue the license keys",
        "Compare the billing plans",
        "Restart dhcpd on the box",
        "Add the user to sudoers",
        "Open regedit32",
        "Review the boot configuration",
        "Clean the registries",
        "Run SUDO",
    ] {
        if !rejected(text) {
            missed.push(text.to_owned());
        }
    }
    assert!(missed.is_empty(), "{} accepted: {missed:?}", missed.len());
}

/// Near misses: words that hold a floor phrase's letters but are other
/// words (the seed's substring check rejects several of these).
const NEAR_MISSES: [&str; 27] = [
    "Do you enjoy Sudoku while waiting for the update?",
    "The pseudocode in the manual describes the steps.",
    "Go to the registration desk and ask for a guest badge.",
    "Check the biosphere poster in the lobby is not blocking the vent.",
    "Check the information on screen.",
    "Confirm the registered email address on the account page.",
    "Is the system clock showing the right time?",
    "Open the Files app and look for the document.",
    "Is the formatting of the document correct?",
    "Reformat the paragraph in the editor.",
    "Is the license keyboard shortcut printed on the sticker?",
    "Ask whether the billing planner meeting is today.",
    "Restart the print server queue from the printer's own menu.",
    "Check the production schedule on the wall calendar.",
    "Is the domain name spelled correctly in the address bar?",
    "Is the DNS setting on the laptop set to automatic?",
    "Try the admin page of the router only if the user knows its password.",
    "Is the boot screen showing the manufacturer logo?",
    "Does the display show a reset button?",
    "Is the firewall icon in the system tray green?",
    "Run the built-in troubleshooter from Settings.",
    "Check the disk usage in Storage settings.",
    "Ask the user to reenter the Wi-Fi password they already know.",
    "Is the keyboard's Caps Lock light on?",
    "Is the export format CSV or XLSX?",
    "Format cells in the spreadsheet as dates.",
    "Does the app run as expected after the restart?",
];

/// Ordinary L1 steps (a few hundred), built from the kinds of steps the
/// scope allows: observe, toggle, restart, reconnect, re-enter what the
/// user knows.
fn ordinary_steps() -> Vec<String> {
    let things = [
        "the laptop",
        "the router",
        "the printer",
        "Outlook",
        "Teams",
        "the VPN client",
        "the monitor",
        "the docking station",
        "the web browser",
        "the Wi-Fi adapter",
        "Bluetooth",
        "the headset",
        "the webcam",
        "OneDrive sync",
        "the phone app",
        "the keyboard",
        "the mouse",
        "the network cable",
        "the power adapter",
        "Zoom",
    ];
    let steps = [
        "Restart {}.",
        "Is {} turned on?",
        "Unplug {} and plug it back in.",
        "Does {} show any error message?",
        "Sign out of {} and sign back in with the password you already know.",
        "Check whether {} is connected.",
        "Close {} and open it again.",
        "Is the status light on {} green?",
        "Toggle {} off and on again.",
        "Update {} from its own settings page if an update is offered.",
        "Reconnect {} to the network.",
        "Does {} work after a restart of the computer?",
        "Check the cable between {} and the wall.",
        "Is {} listed in the Bluetooth and devices page?",
        "Clear the cache of {} from its settings.",
    ];
    let mut out = Vec::new();
    for step in steps {
        for thing in things {
            out.push(step.replace("{}", thing));
        }
    }
    out
}

#[test]
fn ordinary_steps_and_near_misses_stay_accepted() {
    let steps = ordinary_steps();
    assert!(steps.len() >= 300, "{}", steps.len());
    let false_positives: Vec<&str> = NEAR_MISSES
        .iter()
        .copied()
        .chain(steps.iter().map(String::as_str))
        .filter(|s| rejected(s))
        .collect();
    assert!(
        false_positives.is_empty(),
        "{} of {} benign steps rejected: {false_positives:?}",
        false_positives.len(),
        steps.len() + NEAR_MISSES.len()
    );
}

#[test]
fn acts_are_caught_in_any_inflection_and_word_order() {
    for text in [
        "Try disabling the firewall for a minute.",
        "The firewall was disabled by the script; leave it.",
        "Turn the firewall off and retry.",
        "Switch off Windows Defender.",
        "Uninstall the antivirus and reboot.",
        "Formatting the drive will fix it.",
        "Reformat the disk from the recovery menu.",
        "Wipe the disks and reinstall.",
        "The partitions should be deleted first.",
        "Run rm -fr /tmp/cache",
        "runas /user:Administrator cmd",
        "If it still fails, turn the firewall off.",
        "Whether or not it helps, wipe the disk afterwards.",
    ] {
        assert!(rejected(text), "accepted: {text}");
    }
    for text in [
        "Is the firewall turned off?",
        "Check whether the disk was wiped.",
        "If the antivirus is disabled, escalate to security.",
        "Do not reformat the disk; escalate instead.",
        "Never wipe the disk yourself.",
        "Stop the print spooler and start it again.",
        "Remove the USB drive and plug it back in.",
        "Delete the browser cache and reload the page.",
        "Clean the mouse sensor with a dry cloth.",
    ] {
        assert!(!rejected(text), "rejected: {text}");
    }
}

#[test]
fn every_string_a_node_carries_is_checked() {
    for node in [
        json!({"node_type": "escalate", "text": "Escalate.", "reason_category": "run regedit"}),
        json!({"node_type": "instruction", "text": "Restart.", "command": "sudo reboot"}),
        json!({"node_type": "instruction", "text": "Restart.", "details": {"steps": ["open", "diskpart"]}}),
        json!({"node_type": "instruction", "text": "Restart.", "disable the firewall": true}),
    ] {
        let report = VALIDATOR.check_node(&node);
        assert!(!report.accepted, "{node}");
        let v = serde_json::to_value(&report.violations).expect("serializes");
        assert!(v[0]["field"].is_string(), "{v}");
    }
    let report = VALIDATOR.check_node(&json!({
        "node_type": "question", "text": "Is it on?", "id": "n1", "yes_next": "n2", "no_next": "n3"
    }));
    assert!(report.accepted, "{report:?}");
}
