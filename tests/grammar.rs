//! The grammar documents itself: every rule has a `///` doc. And the default
//! L1 floor holds the phrases the issue requires.

#[test]
fn every_grammar_rule_has_a_doc_comment() {
    let grammar = std::fs::read_to_string("grammar/task.pest").expect("grammar");
    let lines: Vec<&str> = grammar.lines().collect();
    let mut undocumented = Vec::new();
    let mut rules = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some((name, _)) = line.split_once(" = ") else {
            continue;
        };
        if name.contains(' ') || name.starts_with("//") {
            continue;
        }
        rules += 1;
        // The doc is the run of `///` lines right above the rule.
        let documented = i > 0 && lines[i - 1].trim_start().starts_with("///");
        if !documented {
            undocumented.push(name.to_owned());
        }
    }
    assert!(rules > 50, "found only {rules} rules");
    assert!(
        undocumented.is_empty(),
        "rules without `///`: {undocumented:?}"
    );
}

#[test]
fn default_floor_holds_the_required_phrases() {
    let paths = taskc::source::collect_paths(&["tasks".into()]).expect("tasks/");
    let (sources, read) = taskc::source::read_files(&paths).expect("readable");
    let document = taskc::compile::compile_with(&sources, read)
        .document
        .expect("shipped tasks compile");
    let floor = &document.floors["l1_scope"];
    let phrases: Vec<&str> = floor
        .groups
        .iter()
        .flat_map(|g| g.phrases.iter().map(|p| p.text.as_str()))
        .collect();
    for required in [
        "regedit",
        "registry",
        "bcdedit",
        "diskpart",
        "format c:",
        "rm -rf",
        "domain controller",
        "dhcp",
        "disable the firewall",
        "disable antivirus",
        "reset mfa",
        "run as administrator",
        "sudo",
    ] {
        assert!(phrases.contains(&required), "missing {required:?}");
    }
    assert_eq!(document.trees["l1"].floors, ["l1_scope"]);
    assert_eq!(document.trees["l1"].max_depth, 12);
    assert_eq!(document.trees["l1"].attempts, 2);
}
