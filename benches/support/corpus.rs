//! A generated corpus of tasks for benchmarks and the Python comparison:
//! the shipped tasks repeated under new ids (`billing_refund_easy_00042`),
//! with the shipped domain and floors beside them.

use std::path::Path;

/// The shipped task files, read from `tasks/`.
pub struct Templates {
    pub shared: Vec<(String, String)>,
    pub tasks: Vec<(String, String)>,
}

impl Templates {
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let mut shared = Vec::new();
        let mut tasks = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "task") {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if text.contains(&format!("task {stem} {{")) {
                tasks.push((stem, text));
            } else {
                shared.push((stem, text));
            }
        }
        Ok(Self { shared, tasks })
    }

    /// `(file name, text)` of `n` tasks plus the shared files.
    pub fn corpus(&self, n: usize) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .shared
            .iter()
            .map(|(stem, text)| (format!("{stem}.task"), text.clone()))
            .collect();
        for i in 0..n {
            let (stem, text) = &self.tasks[i % self.tasks.len()];
            let id = format!("{stem}_{i:05}");
            let text = text.replacen(&format!("task {stem} {{"), &format!("task {id} {{"), 1);
            out.push((format!("{id}.task"), text));
        }
        out
    }
}
