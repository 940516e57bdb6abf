//! An episode for people to read (`taskc run --summary`, `taskc play`):
//! scores rounded to 4 decimals (JSON output keeps them exact), one line
//! per step, and a closing summary with the final score, the breakdown, the
//! gates, the voided texts, the invalid actions and the marker groups still
//! unmet.

use taskc::runtime::env::{Episode, Info, StepResult};

/// A score or reward for people: 4 decimals (`0.4500`, not
/// `0.44999999999999996`).
pub fn score(x: f64) -> String {
    format!("{x:.4}")
}

/// A reward with its sign.
pub fn reward(x: f64) -> String {
    format!("{x:+.4}")
}

/// One step on one line, and its invalid-action error (if any) on the next.
pub fn step_line(r: &StepResult, action: &str) -> String {
    let mut s = format!(
        "step {:>2}  reward {}  score {}  {}",
        r.observation.step,
        reward(r.reward),
        score(r.info.score),
        taskc::runtime::excerpt(action)
    );
    if let Some(e) = &r.observation.last_action_error {
        s.push_str(&format!("\n         INVALID ACTION: {}", e.message));
    }
    s
}

/// The breakdown on two lines: `queue 1.0000  priority 0.5000 ...`, the
/// routing components first.
pub fn breakdown(info: &Info) -> String {
    let parts: Vec<String> = info
        .breakdown
        .components()
        .iter()
        .map(|(n, v)| format!("{n} {}", score(*v)))
        .collect();
    let (routing, rest) = parts.split_at(5);
    format!("{}\n  {}", routing.join("  "), rest.join("  "))
}

/// The marker groups no counted text has met, one per line, or `None`.
pub fn unmet_groups(episode: &Episode) -> Option<String> {
    let unmet = episode.unmet_groups();
    if unmet.is_empty() {
        return None;
    }
    let lines: Vec<String> = unmet
        .iter()
        .map(|(section, _, group)| {
            let alternatives: Vec<String> = group.iter().map(|m| format!("\"{m}\"")).collect();
            format!("  {section:<5} needs one of {}", alternatives.join(" | "))
        })
        .collect();
    Some(lines.join("\n"))
}

/// The closing summary. `invalid` lists `(step, message)` of every invalid
/// action, which an author must not miss.
pub fn summary(episode: &Episode, invalid: &[(u32, String)]) -> String {
    let info = episode.info();
    let state = episode.state();
    let ending = if state.done {
        format!("ended at step {} of {}", state.step_count, state.max_steps)
    } else {
        format!(
            "not ended: {} of {} steps taken, no submit",
            state.step_count, state.max_steps
        )
    };
    let mut s = format!(
        "final score {} ({ending})\n  {}",
        score(info.score),
        breakdown(&info)
    );
    for g in &info.gates {
        s.push_str(&format!(
            "\ngate `{}` caps the score at {}",
            g.name,
            score(g.cap)
        ));
        if let Some(because) = &g.because {
            s.push_str(&format!(": {because}"));
        }
    }
    for v in &info.voided {
        s.push_str(&format!(
            "\nthe {} of step {} met no group: {}",
            v.section, v.step, v.reason
        ));
    }
    if !invalid.is_empty() {
        s.push_str(&format!(
            "\n{} invalid action{} (each cost a step and did nothing):",
            invalid.len(),
            if invalid.len() == 1 { "" } else { "s" }
        ));
        for (step, message) in invalid {
            s.push_str(&format!("\n  step {step}: {message}"));
        }
    }
    match unmet_groups(episode) {
        Some(groups) => s.push_str(&format!("\nmarker groups still unmet:\n{groups}")),
        None => s.push_str("\nevery marker group is met"),
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn scores_read_as_four_decimals() {
        assert_eq!(super::score(0.449_999_999_999_999_96), "0.4500");
        assert_eq!(super::reward(0.15), "+0.1500");
        assert_eq!(super::reward(-0.05), "-0.0500");
        assert_eq!(super::score(1.0), "1.0000");
    }
}
