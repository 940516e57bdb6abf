//! Environment steps per second on one core: routing actions (the contract's
//! hot path, already checked), the gold episode of every shipped task from
//! JSON actions (reset included), and a fixed stream of random JSON actions.

use std::path::PathBuf;
use std::sync::Arc;

use divan::counter::ItemsCount;
use divan::Bencher;
use serde_json::{json, Value};
use taskc::runtime::env::{gold, Checked, Episode, TaskRuntime};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn runtimes() -> Vec<Arc<TaskRuntime>> {
    let paths = taskc::source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/");
    let (sources, read) = taskc::source::read_files(&paths).expect("readable");
    let document = taskc::compile::compile_with(&sources, read)
        .document
        .expect("compiles");
    TaskRuntime::all(&document).into_values().collect()
}

/// 1,000 classify steps (episodes restarted at the step cap).
#[divan::bench]
fn routing_steps(bencher: Bencher) {
    let rt = runtimes().remove(0);
    let max = rt.spec.max_steps;
    let actions = [
        Checked::Classify {
            queue: Some(0),
            priority: Some(1),
            issue_type: None,
        },
        Checked::Classify {
            queue: Some(1),
            priority: None,
            issue_type: Some(2),
        },
    ];
    bencher.counter(ItemsCount::new(1000usize)).bench(|| {
        let (mut episode, _) = Episode::reset(rt.clone(), None, None);
        for i in 0..1000u32 {
            if i % max == max - 1 {
                (episode, _) = Episode::reset(rt.clone(), None, None);
            }
            divan::black_box(
                episode
                    .step_checked(actions[i as usize % 2].clone())
                    .expect("running"),
            );
        }
    });
}

/// Every shipped task's gold episode from JSON actions.
#[divan::bench]
fn gold_episodes(bencher: Bencher) {
    let rts = runtimes();
    let episodes: Vec<(Arc<TaskRuntime>, Vec<Value>)> = rts
        .iter()
        .map(|rt| (rt.clone(), gold::actions(rt)))
        .collect();
    let steps: usize = episodes.iter().map(|(_, a)| a.len()).sum();
    bencher.counter(ItemsCount::new(steps)).bench(|| {
        for (rt, actions) in &episodes {
            let (mut episode, _) = Episode::reset(rt.clone(), None, None);
            for action in actions {
                divan::black_box(episode.step(action).expect("running"));
            }
        }
    });
}

/// A fixed stream of mixed valid and invalid JSON actions.
#[divan::bench]
fn random_actions(bencher: Bencher) {
    let rt = runtimes().remove(2);
    let pool = [
        json!({"action_type": "classify", "queue": "platform_engineering", "priority": "urgent"}),
        json!({"action_type": "request_info", "fields": ["request_ids", "region"]}),
        json!({"action_type": "reply", "message": "The on-call engineering team is investigating the outage; please send request IDs and UTC timestamps."}),
        json!({"action_type": "add_note", "text": "EU rollout tonight, HTTP 500 since EU data residency."}),
        json!({"action_type": "set_status", "status": "escalated", "resolution_code": "incident_opened"}),
        json!({"action_type": "clasify", "queue": "billing_ops"}),
        json!({"action_type": "classify", "queue": "nowhere"}),
        json!([1, 2, 3]),
    ];
    let mut state: u64 = 42;
    let stream: Vec<usize> = (0..1000)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % pool.len()
        })
        .collect();
    bencher.counter(ItemsCount::new(stream.len())).bench(|| {
        let (mut episode, _) = Episode::reset(rt.clone(), None, None);
        for &i in &stream {
            if episode.is_done() {
                (episode, _) = Episode::reset(rt.clone(), None, None);
            }
            divan::black_box(episode.step(&pool[i]).expect("running"));
        }
    });
}
