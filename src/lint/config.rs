//! `taskc.toml`: per-rule levels and default paths, found the way cargo
//! finds `Cargo.toml` (this folder, then each parent). A bad file is a
//! located diagnostic like any other.
//!
//! ```toml
//! [lint]
//! paths = ["tasks"]
//!
//! [lint.rules]
//! L001 = "allow"                  # by code
//! unused-declaration = "deny"     # or by name
//!
//! [fmt]
//! width = 100                     # where `taskc fmt` wraps a long list
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::registry::{self, Level, RuleInfo};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::FileId;
use crate::source::Span;

/// The configuration in force.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Where it was read from, if a file was found.
    pub path: Option<PathBuf>,
    /// Paths to lint when none are given on the command line (relative to the file).
    pub paths: Vec<PathBuf>,
    levels: BTreeMap<&'static str, Level>,
    /// `[fmt] width`: where `taskc fmt` wraps a long list.
    pub width: Option<usize>,
}

/// The narrowest and widest `[fmt] width`.
pub const WIDTHS: std::ops::RangeInclusive<i64> = 40..=400;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    lint: Lint,
    #[serde(default)]
    fmt: Fmt,
}

#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Fmt {
    #[serde(default)]
    width: Option<toml::Spanned<i64>>,
}

#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Lint {
    #[serde(default)]
    paths: Vec<PathBuf>,
    #[serde(default)]
    rules: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
}

impl Config {
    /// The level of a rule: configured, else its default.
    pub fn level(&self, rule: &RuleInfo) -> Level {
        self.levels
            .get(rule.code)
            .copied()
            .unwrap_or(rule.default_level)
    }

    /// Sets a level (command-line overrides).
    pub fn set(&mut self, rule: &'static RuleInfo, level: Level) {
        self.levels.insert(rule.code, level);
    }

    /// The nearest `taskc.toml` at or above `dir`.
    pub fn find(dir: &Path) -> Option<PathBuf> {
        dir.ancestors()
            .map(|d| d.join("taskc.toml"))
            .find(|p| p.is_file())
    }

    /// Parses a config file's text. Problems are diagnostics in `file`.
    pub fn parse(path: &Path, file: FileId, text: &str) -> (Config, Vec<Diagnostic>) {
        let mut config = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        let mut diagnostics = Vec::new();
        let parsed: File = match toml::from_str(text) {
            Ok(parsed) => parsed,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                diagnostics.push(
                    Diagnostic::error(
                        Code::Config,
                        file,
                        Span::new(span.start, span.end.max(span.start)),
                        format!("invalid `taskc.toml`: {}", e.message()),
                    )
                    .with_label("here")
                    .with_help("see `taskc explain E0901` for the format"),
                );
                return (config, diagnostics);
            }
        };
        if let Some(width) = &parsed.fmt.width {
            if WIDTHS.contains(width.get_ref()) {
                config.width = usize::try_from(*width.get_ref()).ok();
            } else {
                let span = width.span();
                diagnostics.push(
                    Diagnostic::error(
                        Code::Config,
                        file,
                        Span::new(span.start, span.end),
                        format!(
                            "`[fmt] width` is {}; it must be from {} to {}",
                            width.get_ref(),
                            WIDTHS.start(),
                            WIDTHS.end()
                        ),
                    )
                    .with_label("out of range")
                    .with_help("100 is the default"),
                );
            }
        }
        let base = path.parent().unwrap_or(Path::new("."));
        config.paths = parsed.lint.paths.iter().map(|p| base.join(p)).collect();
        for (key, value) in parsed.lint.rules {
            let key_span = key.span();
            let value_span = value.span();
            let Some(rule) = registry::find(key.get_ref()) else {
                let names = registry::RULES.iter().flat_map(|r| [r.code, r.name]);
                let help = crate::suggest::did_you_mean(key.get_ref(), names)
                    .unwrap_or_else(|| "`taskc rules` lists every rule".to_owned());
                diagnostics.push(
                    Diagnostic::error(
                        Code::Config,
                        file,
                        Span::new(key_span.start, key_span.end),
                        format!("unknown lint rule `{}`", key.get_ref()),
                    )
                    .with_label("not a rule code or name")
                    .with_help(help),
                );
                continue;
            };
            let level = match value.get_ref().as_str() {
                "allow" => Level::Allow,
                "warn" => Level::Warn,
                "deny" => Level::Deny,
                other => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Config,
                            file,
                            Span::new(value_span.start, value_span.end),
                            format!("unknown level `{other}` for {}", rule.code),
                        )
                        .with_label("not a level")
                        .with_help_opt(
                            crate::suggest::did_you_mean(other, ["allow", "warn", "deny"])
                                .or(Some("the levels are `allow`, `warn` and `deny`".to_owned())),
                        ),
                    );
                    continue;
                }
            };
            config.levels.insert(rule.code, level);
        }
        (config, diagnostics)
    }
}
