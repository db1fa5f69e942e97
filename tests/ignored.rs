//! The tests plain `cargo test` leaves out: each is `#[ignore]`d with a reason that starts with
//! one of the two kinds make test knows, `slow: <why>` (make test runs it) or `needs root, <why>`
//! (make test runs it as root only). As another user, make test skips the root-only ones by the
//! names it reads from the sources (the Makefile's `ROOT_ONLY`): checked here to be exactly
//! those, and to skip no other test by accident (`--skip` matches a part of a name).
//!
//! Source text is read as text: a test is a `#[test]` line, its attribute lines, then its `fn`
//! line, as rustfmt writes them at the start of a line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::*;

/// A test of this binary, as its source reads.
struct Test {
    /// `tests/a/b.rs:12`, where its `#[test]` is.
    at: String,
    name: String,
    /// The reason of its `#[ignore = "..."]` (the whole line if it is not of that form).
    ignore: Option<String>,
}

/// Every .rs file of the integration tests (not the fuzz crate's, not the browser's modules).
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !["fuzz", "node_modules", "target"].contains(&name.as_str()) {
                    walk(&path, out);
                }
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(ROOT).join("tests"), &mut out);
    out.sort();
    out
}

/// Every test in the sources; an `#[ignore` line outside a test's attributes is reported as a
/// test without a name, so that it cannot go unseen.
fn tests() -> Vec<Test> {
    let mut found = Vec::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).unwrap();
        let rel = path.strip_prefix(ROOT).unwrap().display().to_string();
        let lines: Vec<&str> = text.lines().collect();
        let mut seen = BTreeSet::new();
        for (i, line) in lines.iter().enumerate() {
            if *line != "#[test]" {
                continue;
            }
            let mut ignore = None;
            let mut j = i + 1;
            while let Some(attribute) = lines.get(j).filter(|l| l.starts_with("#[")) {
                if attribute.starts_with("#[ignore") {
                    seen.insert(j);
                    let reason = attribute
                        .strip_prefix("#[ignore = \"")
                        .and_then(|r| r.strip_suffix("\"]"));
                    ignore = Some(reason.unwrap_or(attribute).to_string());
                }
                j += 1;
            }
            let name = lines
                .get(j)
                .and_then(|l| l.strip_prefix("fn "))
                .map(|l| l.split('(').next().unwrap().to_string())
                .unwrap_or_default();
            found.push(Test {
                at: format!("{rel}:{}", i + 1),
                name,
                ignore,
            });
        }
        for (j, line) in lines.iter().enumerate() {
            if line.trim_start().starts_with("#[ignore") && !seen.contains(&j) {
                found.push(Test {
                    at: format!("{rel}:{}", j + 1),
                    name: String::new(),
                    ignore: Some(line.to_string()),
                });
            }
        }
    }
    found
}

/// Whether an ignore reason is one make test knows, with a why after it.
fn kind(reason: &str) -> Option<&'static str> {
    ["slow: ", "needs root, "]
        .into_iter()
        .find(|kind| reason.strip_prefix(kind).is_some_and(|why| why.len() > 5))
}

#[test]
fn every_ignored_test_says_slow_or_needs_root_and_why() {
    let tests = tests();
    let ignored: Vec<&Test> = tests.iter().filter(|t| t.ignore.is_some()).collect();
    // The reading finds tests, and the ignored ones among them.
    assert!(tests.len() > 100, "{} tests found", tests.len());
    assert!(ignored.len() >= 4, "{} ignored tests found", ignored.len());
    let wrong: Vec<String> = ignored
        .iter()
        .filter(|t| t.name.is_empty() || kind(t.ignore.as_deref().unwrap()).is_none())
        .map(|t| format!("{} {}: {:?}", t.at, t.name, t.ignore.as_deref().unwrap()))
        .collect();
    let form = r#"#[ignore = "slow: <why>"] or #[ignore = "needs root, <why>"]"#;
    assert!(
        wrong.is_empty(),
        "each ignored test says {form}, between #[test] and its fn:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn make_test_skips_the_root_only_tests_by_name_and_no_other() {
    let tests = tests();
    let root_only: BTreeSet<&str> = tests
        .iter()
        .filter(|t| t.ignore.as_deref().and_then(kind) == Some("needs root, "))
        .map(|t| t.name.as_str())
        .collect();
    assert!(!root_only.is_empty());
    let out = Command::new("make")
        .args(["-s", "--no-print-directory", "-C", ROOT])
        .args(["--eval", "root-only: ; @echo $(ROOT_ONLY)", "root-only"])
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("MAKELEVEL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = stdout(&out);
    let skipped: BTreeSet<&str> = listed.split_whitespace().collect();
    assert_eq!(skipped, root_only, "the Makefile's ROOT_ONLY");
    // --skip takes a part of a name: each root-only name is a part of its own test's only.
    for name in &root_only {
        let matched: Vec<&str> = tests
            .iter()
            .filter(|t| t.name.contains(name))
            .map(|t| t.at.as_str())
            .collect();
        assert_eq!(matched.len(), 1, "--skip {name} matches {matched:?}");
    }
}
