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

/// The editor grammar (editors/vscode) colours exactly the language's
/// keywords: each `k_*` rule's word is a declaration or a keyword there.
#[test]
fn the_editor_grammar_knows_every_keyword() {
    let pest = std::fs::read_to_string("grammar/task.pest").expect("the grammar");
    let mut keywords: Vec<String> = pest
        .lines()
        .filter(|l| l.starts_with("k_") && l.contains(" = @{ \""))
        .filter_map(|l| l.split('"').nth(1).map(str::to_owned))
        .collect();
    keywords.sort();
    let tm: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("editors/vscode/syntaxes/task.tmLanguage.json")
            .expect("the editor grammar"),
    )
    .expect("JSON");
    // The words of the first group that starts at `open` in a pattern.
    let group = |pattern: &str, open: &str| -> Vec<String> {
        let start = pattern.find(open).expect("a group") + open.len();
        let end = start + pattern[start..].find(')').expect("its end");
        pattern[start..end].split('|').map(str::to_owned).collect()
    };
    let repository = &tm["repository"];
    let mut colored = group(
        repository["keyword"]["match"].as_str().expect("keywords"),
        "(?:",
    );
    for declaration in repository["declaration"]["patterns"]
        .as_array()
        .expect("patterns")
    {
        let pattern = declaration["match"].as_str().expect("a match");
        colored.extend(group(pattern, "^\\s*("));
        if pattern.contains("(domain)") {
            colored.push("domain".to_owned());
        }
    }
    colored.sort();
    colored.dedup();
    assert_eq!(colored, keywords);
}
