//! Helpers shared by the integration tests: loading fixtures the way the CLI
//! loads files, and the insta settings that keep snapshots in `snapshots/`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use taskc::compile::{compile_with, Compilation};
use taskc::source::{self, FileId, Sources};

/// The shipped files that give fixtures their domain, marker sets and floors.
pub const SHARED: [&str; 2] = ["tasks/supportdesk.task", "tasks/l1.task"];

/// Every fixture under `dir`: `.task` files and fixture directories (a
/// directory of several files is one fixture), sorted.
pub fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(Path::new(dir), &mut out);
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixture directory exists") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            let has_task_files = std::fs::read_dir(&path)
                .expect("readable")
                .any(|e| e.map(|e| e.path().is_file()).unwrap_or(false));
            let is_fixture_dir = !has_task_files;
            if is_fixture_dir && path.components().count() > 4 {
                out.push(path);
            } else if is_fixture_dir {
                // A fixture directory holds sub-directories of task files.
                out.push(path);
            } else {
                collect(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "task") {
            out.push(path);
        }
    }
}

/// Compiles one fixture, with the shipped domain unless its first line says
/// `# fixture: standalone`. Returns the sources, the result, and the ids of
/// the fixture's own files.
pub fn compile_fixture(fixture: &Path) -> (Sources, Compilation, Vec<FileId>) {
    let own = source::collect_paths(&[fixture.to_path_buf()]).expect("fixture paths");
    let first = std::fs::read(&own[0]).expect("readable fixture");
    let standalone = first.starts_with(b"# fixture: standalone");
    let mut paths: Vec<PathBuf> = Vec::new();
    if !standalone {
        paths.extend(SHARED.iter().map(PathBuf::from));
    }
    let shared_count = paths.len();
    paths.extend(own);
    let (sources, read) = source::read_files(&paths).expect("readable files");
    let compilation = compile_with(&sources, read);
    let own_ids = (shared_count..sources.files.len()).map(FileId).collect();
    (sources, compilation, own_ids)
}

/// Runs `f` with snapshots stored in the top-level `snapshots/` folder.
pub fn with_snapshots(f: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(true);
    settings.set_omit_expression(true);
    settings.bind(f);
}

/// A snapshot name from a path: `invalid/semantic/unknown_queue`.
pub fn snapshot_name(path: &Path, root: &str) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.with_extension("")
        .to_string_lossy()
        .replace(['/', '\\'], "__")
}

/// The shipped `tasks/` compiled, as every command compiles them.
pub fn shipped_document() -> taskc::spec::Document {
    let paths = source::collect_paths(&[PathBuf::from("tasks")]).expect("tasks/");
    let (sources, read) = source::read_files(&paths).expect("readable");
    compile_with(&sources, read).document.expect("compiles")
}

/// Runs the `taskc` binary with `input` on standard input. The input is
/// written beside the reading of the output (a command may print before it
/// has read everything, or stop reading early: neither blocks the test), and
/// a command that has not ended within 60 s fails the test instead of
/// hanging it.
pub fn taskc_with_input(binary: &str, args: &[&str], input: &[u8]) -> std::process::Output {
    taskc_with_input_in(binary, Path::new("."), args, input)
}

/// [`taskc_with_input`], run in the folder `dir`.
pub fn taskc_with_input_in(
    binary: &str,
    dir: &Path,
    args: &[&str],
    input: &[u8],
) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(binary)
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut stdin = child.stdin.take().expect("stdin");
    let bytes = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&bytes);
    });
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(output) => {
            let _ = writer.join();
            output.expect("runs")
        }
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("`taskc {}` did not end within 60 s", args.join(" "));
        }
    }
}
