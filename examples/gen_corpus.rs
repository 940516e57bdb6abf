//! Writes a corpus of N tasks (the shipped tasks under new ids, each with
//! its own marker words: see benches/support/corpus.rs) to a folder, for
//! measuring `taskc check` at scale:
//!
//! ```text
//! cargo run --release --example gen_corpus -- 10000 target/corpus
//! ```

#[path = "../benches/support/corpus.rs"]
mod corpus;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(n), Some(dir)) = (args.next(), args.next()) else {
        eprintln!("usage: gen_corpus N DIR");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("error: N must be a whole number, not `{n}`");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    let result = (|| -> std::io::Result<()> {
        let templates = corpus::Templates::load(&PathBuf::from("tasks"))?;
        std::fs::create_dir_all(&dir)?;
        for (name, text) in templates.corpus(n) {
            std::fs::write(dir.join(name), text)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => {
            println!("wrote {n} tasks to {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
