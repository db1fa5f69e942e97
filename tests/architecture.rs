//! ARCHITECTURE.md kept true: the layer order it documents against every `crate::` path in src/,
//! no circle among src/'s files, every top-level module placed in a layer, no function over 80
//! lines, no file over 400 before its tests, the environment read only in env.rs, and each crate
//! used by its one owner.
//!
//! Source text is read as text: comments are dropped, and a file's `#[cfg(test)] mod tests` is
//! checked for the layers (tests may not reach up either) but not for circles (its `super` is
//! the file itself).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::util::ROOT;

/// `layer N: a, b, c` lines of ARCHITECTURE.md: module → layer.
fn documented_layers() -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md")).unwrap();
    let mut layers = BTreeMap::new();
    for line in text.lines() {
        let Some((number, modules)) = line
            .strip_prefix("layer ")
            .and_then(|rest| rest.split_once(':'))
        else {
            continue;
        };
        let Ok(number) = number.trim().parse::<usize>() else {
            continue;
        };
        for module in modules.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            let before = layers.insert(module.to_string(), number);
            assert!(before.is_none(), "{module} is in two layers");
        }
    }
    assert!(layers.len() > 5, "no layer lines found in ARCHITECTURE.md");
    layers
}

/// Every .rs file under src/.
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(ROOT).join("src"), &mut out);
    out.sort();
    out
}

/// A file's path under src/, as `a/b.rs`.
fn relative(path: &Path) -> String {
    let src = Path::new(ROOT).join("src");
    path.strip_prefix(&src)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The top-level module a file belongs to: `main`, `error`, `config`...
fn top_module(rel: &str) -> String {
    let first = rel.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first).to_string()
}

/// The file's code, without comments (line comments and doc comments).
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let code = match line.find("//") {
                // A `//` inside a string literal (a URL) is not a comment.
                Some(at) if line[..at].matches('"').count() % 2 == 0 => &line[..at],
                _ => line,
            };
            (i + 1, code.to_string())
        })
        .collect()
}

/// The line where a file's unit tests start, if it has them.
fn tests_start(lines: &[(usize, String)]) -> usize {
    lines
        .windows(2)
        .find(|w| w[0].1.trim() == "#[cfg(test)]" && w[1].1.trim().starts_with("mod tests"))
        .map_or(usize::MAX, |w| w[0].0)
}

/// Each `crate::a::b::c` path in `code`, as its segments.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` inside a macro, or part of a longer name
        }
        let segments: Vec<String> = rest
            .split("::")
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|s| !s.is_empty())
            .collect();
        out.push(segments);
    }
    out
}

/// Whether `code` names `needle` as a path of its own: `ring::` in `use ring::rand`, not in
/// `String::from` or `rustls::crypto::ring::` (another crate's module of that name).
/// (`std::env::vars_os` is still caught: by the `std::env::var` needle.)
fn names(code: &str, needle: &str) -> bool {
    code.match_indices(needle).any(|(at, _)| {
        !code[..at]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    })
}

#[test]
fn every_top_level_module_has_a_layer() {
    let layers = documented_layers();
    let modules: BTreeSet<String> = sources().iter().map(|p| top_module(&relative(p))).collect();
    for module in &modules {
        assert!(
            layers.contains_key(module),
            "src/{module} is in no layer of ARCHITECTURE.md"
        );
    }
    for module in layers.keys() {
        assert!(
            modules.contains(module),
            "ARCHITECTURE.md lists '{module}', which src/ lacks"
        );
    }
}

#[test]
fn no_import_points_up_the_layers() {
    let layers = documented_layers();
    let mut wrong = Vec::new();
    for path in sources() {
        let rel = relative(&path);
        let from = top_module(&rel);
        let Some(&from_layer) = layers.get(&from) else {
            continue; // reported by every_top_level_module_has_a_layer
        };
        for (line, code) in code_lines(&path) {
            for segments in crate_paths(&code) {
                let to = segments.first().cloned().unwrap_or_default();
                if to == from {
                    continue;
                }
                match layers.get(&to) {
                    Some(&to_layer) if to_layer < from_layer => {}
                    Some(&to_layer) => wrong.push(format!(
                        "src/{rel}:{line}: {from} (layer {from_layer}) imports {to} (layer {to_layer}): {}",
                        code.trim()
                    )),
                    None => wrong.push(format!(
                        "src/{rel}:{line}: crate::{to} is not a module of ARCHITECTURE.md's layers: {}",
                        code.trim()
                    )),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layer order:\n{}",
        wrong.join("\n")
    );
}

/// The file a module path names: `config::files` → `config/files.rs` (or `.../mod.rs`).
fn file_of(segments: &[String], files: &BTreeSet<String>) -> Option<String> {
    for n in (1..=segments.len()).rev() {
        let base = segments[..n].join("/");
        for candidate in [format!("{base}.rs"), format!("{base}/mod.rs")] {
            if files.contains(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// Which files each file uses (outside its unit tests), by `crate::` and `super::` paths.
fn file_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files: BTreeSet<String> = sources().iter().map(|p| relative(p)).collect();
    let mut graph = BTreeMap::new();
    for path in sources() {
        let rel = relative(&path);
        let lines = code_lines(&path);
        let end = tests_start(&lines);
        // The module a `super::` in this file names: the file's parent module.
        let mut parent: Vec<String> = rel
            .trim_end_matches(".rs")
            .split('/')
            .map(String::from)
            .collect();
        parent.pop();
        if rel.ends_with("/mod.rs") {
            parent.pop();
        }
        let mut uses = BTreeSet::new();
        for (line, code) in lines.iter().filter(|(n, _)| *n < end) {
            let _ = line;
            for segments in crate_paths(code) {
                uses.extend(file_of(&segments, &files));
            }
            let mut rest = code.as_str();
            while let Some(at) = rest.find("super::") {
                rest = &rest[at + "super::".len()..];
                let mut segments = parent.clone();
                let names: Vec<String> = rest
                    .split("::")
                    .map(|s| {
                        s.chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect()
                    })
                    .take_while(|s: &String| !s.is_empty())
                    .collect();
                segments.extend(names);
                uses.extend(file_of(&segments, &files));
            }
            // `use super::{a, b::C}`: each name in the braces.
            if let Some(group) = code.split("super::{").nth(1) {
                for name in group
                    .split([',', '}'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    let mut segments = parent.clone();
                    segments.extend(name.split("::").map(|s| s.trim().to_string()));
                    uses.extend(file_of(&segments, &files));
                }
            }
        }
        uses.remove(&rel);
        graph.insert(rel, uses);
    }
    graph
}

#[test]
fn no_circle_among_the_files() {
    let graph = file_graph();
    // Depth-first search; a file met again while on the stack closes a circle.
    fn visit(
        file: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|f| f == file) {
            let mut circle = stack[at..].to_vec();
            circle.push(file.to_string());
            return Some(circle);
        }
        if done.contains(file) {
            return None;
        }
        stack.push(file.to_string());
        for next in graph.get(file).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, stack, done) {
                return Some(circle);
            }
        }
        stack.pop();
        done.insert(file.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for file in graph.keys() {
        if let Some(circle) = visit(file, &graph, &mut Vec::new(), &mut done) {
            panic!("a module circle: {}", circle.join(" -> "));
        }
    }
    // The graph is not empty by accident: a file known to import others does.
    assert!(
        graph["session.rs"].contains("creds/plan.rs"),
        "{:?}",
        graph["session.rs"]
    );
    assert!(graph["config/resolve.rs"].contains("config/chain.rs"));
}

#[test]
fn no_function_over_60_lines() {
    let mut long = Vec::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let signature = [
                "fn ",
                "pub fn ",
                "pub(crate) fn ",
                "const fn ",
                "pub const fn ",
            ]
            .iter()
            .any(|p| trimmed.starts_with(p));
            if !signature {
                continue;
            }
            // rustfmt closes a function at the indentation of its `fn`.
            let close = format!("{}}}", &line[..line.len() - trimmed.len()]);
            if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
                let length = end + 2;
                if length > 60 {
                    long.push(format!("src/{}:{}: {length} lines", relative(&path), i + 1));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 60 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn no_file_over_400_lines_before_its_tests() {
    let mut long = Vec::new();
    for path in sources() {
        let lines = code_lines(&path);
        let code = tests_start(&lines).min(lines.len() + 1) - 1;
        if code > 400 {
            long.push(format!("src/{}: {code} lines", relative(&path)));
        }
    }
    assert!(
        long.is_empty(),
        "files over 400 lines before their tests:\n{}",
        long.join("\n")
    );
}

#[test]
fn only_env_rs_reads_the_environment_and_each_crate_has_one_owner() {
    let owners: &[(&str, &[&str])] = &[
        ("std::env::var", &["env.rs"]),
        ("env::vars_os", &["env.rs"]),
        ("lexopt::", &["cli/args.rs"]),
        ("ureq::", &["aws/http.rs"]),
        ("rustls::", &["aws/tls.rs"]),
        ("ring::", &["aws/dpop.rs"]),
        ("webpki::", &["aws/tls.rs"]),
        ("aws_sigv4::", &["aws/query.rs"]),
        ("aws_credential_types::", &["aws/query.rs"]),
        ("quick_xml::", &["aws/xml.rs"]),
        ("rpassword::", &["creds/terminal.rs"]),
        ("httpdate::", &["time/mod.rs"]),
        (
            "serde_json::",
            &[
                "aws/policy.rs",
                "creds/process.rs",
                "creds/cache/entry.rs",
                "aws/metadata.rs",
                "export.rs",
                "server/json.rs",
                "aws/federation.rs",
                "aws/sso.rs",
                "aws/oidc.rs",
                "creds/sso/token.rs",
                "creds/sso/registration.rs",
                "creds/login/token.rs",
                "creds/login/document.rs",
                "creds/login/sdk_cases.rs",
                "aws/dpop.rs",
                "aws/signin.rs",
            ],
        ),
        ("sha1::", &["creds/sso/token.rs"]),
        ("tiny_http::", &["http_server.rs"]),
        ("hmac::", &["server/token.rs"]),
        ("getrandom::", &["random.rs"]),
        ("subtle::", &["server/http.rs"]),
        // Every call into the OS that std does not make is behind one seam.
        ("libc::", &["os.rs"]),
        // config/ini.rs opens the config files without blocking (a FIFO without a writer);
        // config/edit.rs creates its temporary file 0600 from the start (creds/store.rs is a
        // layer above it).
        (
            "OpenOptions",
            &[
                "creds/store.rs",
                "creds/terminal.rs",
                "config/ini.rs",
                "config/edit.rs",
                "os.rs",
            ],
        ),
    ];
    let mut wrong = Vec::new();
    for path in sources() {
        let rel = relative(&path);
        for (line, code) in code_lines(&path) {
            for (needle, allowed) in owners {
                if names(&code, needle) && !allowed.contains(&rel.as_str()) {
                    wrong.push(format!("src/{rel}:{line}: {needle} outside {allowed:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
