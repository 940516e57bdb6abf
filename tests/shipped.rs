//! The shipped tasks: they compile cleanly, the four seed tasks equal the
//! seed's reference data field by field, every compiled task is
//! snapshotted, and the compiled form validates against `taskc schema`.

mod common;

use std::path::PathBuf;

use serde_json::Value;
use taskc::source;
use taskc::spec::Document;

fn compile_shipped() -> Document {
    let paths = source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/ exists");
    let (sources, read) = source::read_files(&paths).expect("readable");
    clean(&sources, taskc::compile::compile_with(&sources, read))
}

/// The document of a compilation that must find nothing (else every
/// diagnostic, rendered).
fn clean(sources: &source::Sources, compilation: taskc::Compilation) -> Document {
    let rendered: Vec<String> = compilation
        .diagnostics
        .iter()
        .map(|d| taskc::report::human(sources, d))
        .collect();
    assert!(rendered.is_empty(), "{}", rendered.join(""));
    compilation
        .document
        .expect("a document when there is no error")
}

fn reference() -> Value {
    // A verbatim copy of the seed's reference data (tests/data/README.md).
    serde_json::from_str(include_str!("data/seed_tasks.reference.json")).expect("reference is JSON")
}

#[test]
fn seed_tasks_equal_the_reference_field_by_field() {
    let document = serde_json::to_value(compile_shipped()).expect("serializable");
    let reference = reference();
    let ref_tasks = reference["tasks"].as_object().expect("tasks object");
    assert_eq!(ref_tasks.len(), 4);
    let mut differences = Vec::new();
    for (id, ref_task) in ref_tasks {
        let ours = &document["tasks"][id];
        assert!(ours.is_object(), "task {id} is not compiled");
        let ref_fields = ref_task.as_object().expect("task object");
        let our_fields = ours.as_object().expect("task object");
        for (field, value) in ref_fields {
            if our_fields.get(field) != Some(value) {
                differences.push(format!(
                    "{id}.{field}: ours {:?}, reference {value}",
                    our_fields.get(field)
                ));
            }
        }
        for field in our_fields.keys() {
            if !ref_fields.contains_key(field) {
                differences.push(format!("{id}.{field}: not in the reference"));
            }
        }
    }
    for list in ["queues", "priorities", "statuses", "issue_types"] {
        if document["domain"][list] != reference[list] {
            differences.push(format!("domain.{list} differs"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn every_compiled_task_is_snapshotted() {
    let document = compile_shipped();
    common::with_snapshots(|| {
        for (id, task) in &document.tasks {
            insta::assert_json_snapshot!(format!("task__{id}"), task);
        }
        insta::assert_json_snapshot!("domain", document.domain.as_ref().expect("a domain"));
        insta::assert_json_snapshot!("floors", document.floors);
        insta::assert_json_snapshot!("trees", document.trees);
        // Beside the seed's fields: how markers match and each task's own
        // grading (contract v2).
        insta::assert_json_snapshot!("matching", document.matching);
        insta::assert_json_snapshot!("grading", document.grading);
    });
}

#[test]
fn compiled_form_validates_against_the_schema() {
    let schema = serde_json::to_value(taskc::spec::schema()).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let document = serde_json::to_value(compile_shipped()).expect("serializable");
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // The schema is not vacuous: a task with a wrong type is rejected.
    let mut broken = document.clone();
    broken["tasks"]["billing_refund_easy"]["max_steps"] = Value::from("six");
    assert!(!validator.is_valid(&broken));
    let mut unknown = document;
    unknown["tasks"]["billing_refund_easy"]["surprise"] = Value::from(1);
    assert!(!validator.is_valid(&unknown));
}

#[test]
fn compiled_json_round_trips_and_is_deterministic() {
    let first = serde_json::to_string_pretty(&compile_shipped()).expect("json");
    let second = serde_json::to_string_pretty(&compile_shipped()).expect("json");
    assert_eq!(first, second);
    let back: Document = serde_json::from_str(&first).expect("deserializes");
    assert_eq!(back, compile_shipped());
    let toml_text = toml::to_string(&back).expect("toml");
    let from_toml: Document = toml::from_str(&toml_text).expect("toml deserializes");
    assert_eq!(from_toml, back);
}

#[path = "../benches/support/corpus.rs"]
mod corpus;

/// The corpus the benchmarks and `scripts/compare-python.sh` measure:
/// copies of the shipped tasks that compile cleanly, each with marker
/// words of its own (the project-wide checks must see distinct markers).
#[test]
fn the_generated_corpus_compiles_cleanly_with_markers_of_its_own() {
    let templates = corpus::Templates::load(std::path::Path::new("tasks")).expect("tasks/");
    let n = 120;
    let sources = taskc::source::Sources {
        files: templates
            .corpus(n)
            .into_iter()
            .map(|(name, text)| taskc::source::SourceFile::new(name, text))
            .collect(),
    };
    let document = clean(&sources, taskc::compile(&sources));
    assert_eq!(document.tasks.len(), n);
    // Two copies of the same shipped task share only the markers of the
    // project's marker sets (declared once, beside the domain).
    let markers = |id: &str| -> std::collections::BTreeSet<String> {
        let t = &document.tasks[id];
        t.required_reply_markers
            .iter()
            .chain(&t.required_note_markers)
            .flatten()
            .cloned()
            .collect()
    };
    let sets: std::collections::BTreeSet<String> =
        document.marker_sets.values().flatten().cloned().collect();
    let (a, b) = ("billing_refund_easy_00002", "billing_refund_easy_00006");
    let own = |id| -> std::collections::BTreeSet<String> {
        markers(id).difference(&sets).cloned().collect()
    };
    assert!(own(a).len() >= 5, "{:?}", own(a));
    assert!(own(a).is_disjoint(&own(b)), "{:?}\n{:?}", own(a), own(b));
}

/// The shipped domain writes out the grading defaults ("These are the
/// defaults, written out"): a domain that leaves a list out gets the same
/// words the shipped one lists, so the two may not drift apart.
#[test]
fn the_shipped_domain_writes_out_the_grading_defaults() {
    let document = compile_shipped();
    let shipped = &document.domain.as_ref().expect("a domain").grading;
    let default = taskc::spec::Grading::default();
    // The same words, in any order.
    let sorted = |n: &taskc::spec::NegationSpec| {
        let mut n = n.clone();
        for list in [
            &mut n.triggers,
            &mut n.post_triggers,
            &mut n.pseudo_triggers,
            &mut n.terminators,
            &mut n.verbs,
            &mut n.conditionals,
        ] {
            list.sort();
        }
        n
    };
    assert_eq!(sorted(&shipped.negation), sorted(&default.negation));
    assert_eq!(shipped.verbs, default.verbs);
    assert_eq!(shipped.languages, default.languages);
}
