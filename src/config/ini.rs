//! The AWS-flavoured INI format of `~/.aws/config` and `~/.aws/credentials`, read the way the AWS
//! CLI reads it (Python's configparser as botocore drives it), with line numbers kept for errors.
//!
//! - `[section]` headers; `key = value` or `key: value`; keys case-insensitive, section names exact.
//! - Full-line comments with `#` or `;`; inline comments after whitespace; surrounding quotes
//!   stripped from values.
//! - Indented lines continue the previous value; an empty value followed by indented `k = v` lines
//!   is a nested sub-section (`s3 =`), read and ignored.
//!
//! This module knows nothing about profiles; `profile.rs` gives the sections their meaning.

use crate::os;
use std::fmt;
use std::path::{Path, PathBuf};

/// One parsed file.
#[derive(Debug, Clone, Default)]
pub struct Ini {
    pub path: PathBuf,
    pub sections: Vec<Section>,
    /// Whether the file was there (a missing file reads as empty).
    pub found: bool,
}

/// A `[name]` section and its entries, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub entries: Vec<Entry>,
    /// The header's line, 1-based (0 for a section not read from a file).
    pub line: usize,
    /// The header's text between the brackets as written, when it is not `name` (spaces around
    /// it): Python's configparser tells `[a]` and `[ a ]` apart. None, the usual case,
    /// allocates nothing.
    pub written: Option<String>,
}

/// A section header, or a key of one section, written twice in one file: we read the two as one
/// (later values winning, as the Go SDK does), but botocore's configparser refuses the whole
/// file (`DuplicateSectionError`, `DuplicateOptionError`: "Unable to parse config file"), and
/// with it every command of the AWS CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated {
    /// The header as written, without the brackets.
    pub header: String,
    /// The key written twice in that section; None: the header itself.
    pub key: Option<String>,
    pub first: usize,
    pub again: usize,
}

impl fmt::Display for Repeated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            None => write!(f, "section [{}]", self.header)?,
            Some(key) => write!(f, "key '{key}' of section [{}]", self.header)?,
        }
        write!(
            f,
            " at line {} and again at line {}",
            self.first, self.again
        )
    }
}

/// `key = value`; `key` is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// The key's line, 1-based; 0 for a line of a nested sub-section (`s3 =` and its indented
    /// lines), which configparser reads as part of its parent's value, not as a key.
    pub line: usize,
}

/// A file that cannot be read or parsed: names the file and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniError {
    pub path: PathBuf,
    /// 1-based; 0 when the file could not be read at all.
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for IniError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "cannot read {}: {}", self.path.display(), self.reason)
        } else {
            write!(
                f,
                "malformed file {} line {}: {}",
                self.path.display(),
                self.line,
                self.reason
            )
        }
    }
}

impl std::error::Error for IniError {}

impl Section {
    /// The value of `key` (lower-case); the last one wins, as in the Go SDK (the AWS CLI refuses
    /// the file: `-D` says so). An empty value is
    /// unset (`region =` hides nothing and exports nothing).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str())
            .filter(|v| !v.is_empty())
    }
}

impl Ini {
    /// Reads `path`; a missing file is an empty file.
    pub fn load(path: &Path) -> Result<Ini, IniError> {
        match read(path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| IniError {
                    path: path.to_path_buf(),
                    line: 0,
                    reason: "not valid UTF-8".into(),
                })?;
                parse(&text, path)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ini {
                path: path.to_path_buf(),
                sections: Vec::new(),
                found: false,
            }),
            Err(e) => Err(IniError {
                path: path.to_path_buf(),
                line: 0,
                reason: e.to_string(),
            }),
        }
    }

    /// Each section header written again after its first line, as botocore's configparser
    /// compares them: the text between the brackets exactly as written (`[DEFAULT]`, its
    /// defaults section, excepted); and each key written again in one section (keys compared
    /// lower-cased, as configparser compares them). Not on a run's path: `-D` asks.
    pub fn repeated(&self) -> Vec<Repeated> {
        let written = |s: &Section| s.written.clone().unwrap_or_else(|| s.name.clone());
        let mut found = Vec::new();
        for (i, again) in self.sections.iter().enumerate() {
            let header = written(again);
            let first = self.sections[..i].iter().find(|s| written(s) == header);
            if let Some(first) = first.filter(|_| header != "DEFAULT") {
                found.push(Repeated {
                    header: header.clone(),
                    key: None,
                    first: first.line,
                    again: again.line,
                });
            }
            let keys: Vec<&Entry> = again.entries.iter().filter(|e| e.line > 0).collect();
            for (j, entry) in keys.iter().enumerate() {
                if let Some(first) = keys[..j].iter().find(|e| e.key == entry.key) {
                    found.push(Repeated {
                        header: header.clone(),
                        key: Some(entry.key.clone()),
                        first: first.line,
                        again: entry.line,
                    });
                }
            }
        }
        found
    }

    /// The section named exactly `name`; repeated sections are read as one, later entries winning.
    pub fn section(&self, name: &str) -> Option<Section> {
        let mut found: Option<Section> = None;
        for s in self.sections.iter().filter(|s| s.name == name) {
            match &mut found {
                None => found = Some(s.clone()),
                Some(f) => f.entries.extend(s.entries.iter().cloned()),
            }
        }
        found
    }
}

/// The bytes of `path`. Opened without blocking, so that a FIFO nobody writes to reads as empty
/// instead of hanging the run; then read blocking, so that a pipe with a writer
/// (`AWS_CONFIG_FILE=<(cat config)`) is read to its end.
fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(os::OPEN_NONBLOCKING)
        .open(path)?;
    os::set_blocking(&file);
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The lines of `text`, ended as Python reads a text file (which botocore's configparser gets):
/// by `\n`, `\r\n`, or a lone `\r`.
pub(super) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        // Searched as bytes: both ends are ASCII, which in UTF-8 never occurs inside another
        // character, so every index found is a character boundary. (A char-array pattern,
        // `find(['\r', '\n'])`, decodes every character: a fifth of a cached run's instructions.)
        let bytes = current.as_bytes();
        match bytes.iter().position(|&b| b == b'\r' || b == b'\n') {
            Some(at) => {
                let skip = if bytes[at..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
                rest = Some(&current[at + skip..]).filter(|r| !r.is_empty());
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
    .filter(|_| !text.is_empty())
}

/// Whether `text` begins with one of `ascii`: a byte compared, where a char pattern
/// (`starts_with([' ', '\t'])`, `strip_prefix('"')`) decodes or encodes a character first, on
/// every line of both files and every section header a lookup reads.
pub(super) fn begins_with(text: &str, ascii: &[u8]) -> bool {
    text.as_bytes().first().is_some_and(|b| ascii.contains(b))
}

/// Drops an inline comment: `#` or `;` preceded by whitespace.
fn strip_inline_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if (b == b'#' || b == b';') && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            return value[..i].trim_end();
        }
    }
    value
}

/// A raw value with its inline comment dropped and one pair of surrounding quotes removed; a
/// quoted value may hold ` #` (`external_id = "it's #1"  # note`).
pub(super) fn clean_value(raw: &str) -> &str {
    let raw = raw.trim();
    for q in [b'"', b'\''] {
        if begins_with(raw, &[q]) {
            let inner = &raw[1..];
            if let Some(end) = inner.rfind(char::from(q)) {
                let rest = inner[end + 1..].trim_start();
                if rest.is_empty() || begins_with(rest, b"#;") {
                    return &inner[..end];
                }
            }
        }
    }
    strip_inline_comment(raw)
}

/// Parses the text of a file; `path` is for error messages.
pub fn parse(text: &str, path: &Path) -> Result<Ini, IniError> {
    let mut ini = Ini {
        found: true,
        path: path.to_path_buf(),
        sections: Vec::new(),
    };
    // The key of the nested sub-section being read (`sts =` followed by indented lines), if any.
    let mut nested: Option<String> = None;
    for (index, line) in lines(text).enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || begins_with(trimmed, b"#;") {
            continue;
        }
        let read = if begins_with(line, b" \t") {
            continued(&mut ini, &mut nested, trimmed)
        } else {
            Ok(false)
        };
        let read = read.and_then(|done| {
            if done {
                return Ok(());
            }
            nested = None;
            line_of_its_own(&mut ini, trimmed, index + 1)
        });
        read.map_err(|reason| IniError {
            path: path.to_path_buf(),
            line: index + 1,
            reason: reason.to_string(),
        })?;
    }
    Ok(ini)
}

/// An indented line: the continuation of the last entry's value, or (after `key =` with no
/// value) a line of a nested sub-section, kept as `parent.key` (`sts.endpoint_url`). `false`:
/// there is no entry to continue, and the line is read as a line of its own.
fn continued(
    ini: &mut Ini,
    nested: &mut Option<String>,
    trimmed: &str,
) -> Result<bool, &'static str> {
    let Some(section) = ini.sections.last_mut() else {
        return Ok(false);
    };
    let Some(entry) = section.entries.last_mut() else {
        return Ok(false);
    };
    if nested.is_none() && entry.value.is_empty() {
        *nested = Some(entry.key.clone());
    }
    let Some(parent) = nested.as_deref() else {
        entry.value.push('\n');
        entry.value.push_str(clean_value(trimmed));
        return Ok(true);
    };
    // Only `=` separates here: botocore refuses the file over `key: value`.
    let Some(split) = trimmed.find('=') else {
        return Err("expected 'key = value' in a nested section");
    };
    let key = trimmed[..split].trim().to_ascii_lowercase();
    let value = clean_value(&trimmed[split + 1..]).to_string();
    let key = format!("{parent}.{key}");
    section.entries.push(Entry {
        key,
        value,
        line: 0,
    });
    Ok(true)
}

/// A section header (on line `line`) or a `key = value` line.
fn line_of_its_own(ini: &mut Ini, trimmed: &str, line: usize) -> Result<(), &'static str> {
    if begins_with(trimmed, b"[") {
        let rest = &trimmed[1..];
        // As Python's configparser reads it (botocore): the name runs to the last `]`, and
        // whatever follows it (`; note`, `# note`, `/* note */`) is ignored.
        let end = rest
            .rfind(']')
            .ok_or("section header without closing ']'")?;
        let written = &rest[..end];
        let name = written.trim();
        if name.is_empty() {
            return Err("empty section name");
        }
        ini.sections.push(Section {
            name: name.to_string(),
            entries: Vec::new(),
            line,
            written: (written != name).then(|| written.to_string()),
        });
        return Ok(());
    }
    // As bytes, as the line ends are (see `lines`): both are ASCII.
    let split = trimmed
        .bytes()
        .position(|b| b == b'=' || b == b':')
        .ok_or("expected 'key = value' or '[section]'")?;
    let key = trimmed[..split].trim();
    if key.is_empty() {
        return Err("missing key before '='");
    }
    let value = clean_value(&trimmed[split + 1..]);
    let section = ini
        .sections
        .last_mut()
        .ok_or("'key = value' before any [section] header")?;
    section.entries.push(Entry {
        key: key.to_ascii_lowercase(),
        value: value.to_string(),
        line,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Ini, IniError> {
        parse(text, Path::new("/h/.aws/config"))
    }

    #[test]
    fn reads_the_sample_config() {
        let ini = p(include_str!("../../fixtures/config")).unwrap();
        let admin = ini.section("profile admin").unwrap();
        assert_eq!(
            admin.get("role_arn"),
            Some("arn:aws:iam::123456789012:role/admin")
        );
        assert_eq!(admin.get("source_profile"), Some("dev"));
        let quoted = ini.section("profile quoted").unwrap();
        assert_eq!(quoted.get("region"), Some("eu-west-1"));
        assert_eq!(quoted.get("external_id"), Some("it's #1"));
        assert_eq!(
            quoted.get("mfa_serial"),
            Some("arn:aws:iam::123456789012:mfa/alice")
        );
        let nested = ini.section("profile nested").unwrap();
        assert_eq!(nested.get("region"), Some("us-west-2"));
        // The nested section's key is read and, empty, unset; its lines are `s3.<key>`.
        assert!(nested.entries.iter().any(|e| e.key == "s3"));
        assert_eq!(nested.get("s3"), None);
        assert!(nested.entries.iter().any(|e| e.key.starts_with("s3.")));
    }

    #[test]
    fn keys_are_case_insensitive_and_last_wins() {
        let ini = p("[default]\nRegion = a\nREGION = b\n").unwrap();
        assert_eq!(ini.section("default").unwrap().get("region"), Some("b"));
    }

    #[test]
    fn comments_quotes_and_continuations() {
        let ini = p("# top\n[x]\n; c\na = 1 # note\nb = \"two words\"\nc = x;y\nd = first\n  second\ne: colon\n").unwrap();
        let x = ini.section("x").unwrap();
        assert_eq!(x.get("a"), Some("1"));
        assert_eq!(x.get("b"), Some("two words"));
        assert_eq!(x.get("c"), Some("x;y"));
        assert_eq!(x.get("d"), Some("first\nsecond"));
        assert_eq!(x.get("e"), Some("colon"));
    }

    #[test]
    fn repeated_sections_merge() {
        let ini = p("[x]\na = 1\n[y]\n[x]\nb = 2\n").unwrap();
        let x = ini.section("x").unwrap();
        assert_eq!((x.get("a"), x.get("b")), (Some("1"), Some("2")));
    }

    #[test]
    fn sections_written_twice_are_found_as_configparser_finds_them() {
        // Each case checked against Python 3.11's configparser, which botocore reads with: the
        // header between the brackets as written, case and spaces counting; `[DEFAULT]` is its
        // defaults, which may repeat.
        let repeated = |text: &str| -> Vec<(String, usize, usize)> {
            let found = p(text).unwrap().repeated();
            found
                .into_iter()
                .map(|r| (r.header, r.first, r.again))
                .collect()
        };
        let once = |h: &str, first, again| vec![(h.to_string(), first, again)];
        assert_eq!(repeated("[a]\nx = 1\n[b]\n[a]\ny = 2\n"), once("a", 1, 4));
        assert_eq!(repeated("[a]\n[a] ; note\n"), once("a", 1, 2));
        assert_eq!(
            repeated("[profile a]\n\n[profile a]  \n"),
            once("profile a", 1, 3)
        );
        assert_eq!(repeated("[ a ]\n[ a ]\n"), once(" a ", 1, 2));
        assert_eq!(
            repeated("[a]\n[a]\n[a]\n"),
            [("a".to_string(), 1, 2), ("a".to_string(), 1, 3)]
        );
        for distinct in [
            "[a]\n[ a ]\n",
            "[profile a]\n[profile  a]\n",
            "[A]\n[a]\n",
            "[a]\n[profile a]\n",
            "[DEFAULT]\n[DEFAULT]\n",
        ] {
            assert_eq!(repeated(distinct), [], "{distinct:?}");
        }
        // Read as one all the same (see `repeated_sections_merge`).
        assert_eq!(
            p("[ a ]\nx = 1\n[a]\n").unwrap().section("a").unwrap().line,
            1
        );
    }

    #[test]
    fn keys_written_twice_in_a_section_are_found_as_configparser_finds_them() {
        // Each case checked against Python 3.11's configparser (DuplicateOptionError or not).
        let keys = |text: &str| -> Vec<(Option<String>, usize, usize)> {
            let found = p(text).unwrap().repeated();
            found
                .into_iter()
                .map(|r| (r.key, r.first, r.again))
                .collect()
        };
        assert_eq!(keys("[a]\nx = 1\nX: 2\n"), [(Some("x".to_string()), 2, 3)]);
        let nested = "[a]\ns3 =\n  k = 1\n  k = 2\n";
        for fine in [nested, "[a]\nx = 1\n[b]\nx = 2\n"] {
            assert_eq!(keys(fine), [], "{fine:?}");
        }
        let found = p("[default]\nregion = a\nregion = b\n").unwrap().repeated();
        assert_eq!(
            found[0].to_string(),
            "key 'region' of section [default] at line 2 and again at line 3"
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases = [
            ("[x]\nthis is not ini\n", 2),
            ("a = 1\n", 1),
            ("[x]\n[unclosed\n", 2),
            ("[x]\n = v\n", 2),
            ("[]\n", 1),
            ("[x]\ns3 =\n  nonsense\n", 3),
        ];
        for (text, line) in cases {
            let e = p(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}");
            assert!(
                e.to_string()
                    .starts_with(&format!("malformed file /h/.aws/config line {line}: ")),
                "{e}"
            );
        }
    }

    #[test]
    fn missing_file_is_empty() {
        let ini = Ini::load(Path::new("/nonexistent/aws-runas/config")).unwrap();
        assert!(ini.sections.is_empty());
    }

    #[test]
    fn text_after_a_section_header_is_ignored() {
        for header in [
            "[profile p] ; note",
            "[profile p]# note",
            "[profile p] /* the production account */",
            "[profile p]",
        ] {
            let ini = p(&format!("{header}\nregion = a\n")).unwrap();
            assert_eq!(ini.sections[0].name, "profile p", "{header}");
        }
        assert!(p("[profile p\nregion = a\n").is_err());
    }

    #[test]
    fn continuation_lines_keep_their_newline() {
        // As configparser (and so botocore and the CLI) reads them.
        let ini = p("[profile p]\nexternal_id = first\n  second\n\tthird\n").unwrap();
        let section = ini.section("profile p").unwrap();
        assert_eq!(section.get("external_id"), Some("first\nsecond\nthird"));
    }

    #[test]
    fn lines_end_as_python_reads_them() {
        let text = "[a]\rk = 1\r\nj = 2\n\nm = 3";
        assert_eq!(
            lines(text).collect::<Vec<_>>(),
            ["[a]", "k = 1", "j = 2", "", "m = 3"]
        );
        assert_eq!(lines("").count(), 0);
        assert_eq!(lines("x\n").collect::<Vec<_>>(), ["x"]);
        let ini = parse("[a]\rk = 1\r", Path::new("c")).unwrap();
        assert_eq!(ini.section("a").unwrap().get("k"), Some("1"));
    }

    #[test]
    fn line_ends_beside_other_characters_and_each_other() {
        // As Python's str.splitlines for these ends: a CR before a CRLF ends an empty line, an
        // LF then a CR are two ends; characters of several bytes on either side stay whole.
        let text = "[é]\r\r\nk = ü\n\rj = 日本\r\n€";
        assert_eq!(
            lines(text).collect::<Vec<_>>(),
            ["[é]", "", "k = ü", "", "j = 日本", "€"]
        );
        assert_eq!(lines("\r\n").collect::<Vec<_>>(), [""]);
        assert_eq!(lines("\r").collect::<Vec<_>>(), [""]);
        assert_eq!(lines("\n\n").collect::<Vec<_>>(), ["", ""]);
        // Line numbers count every end: the bad line is the fourth.
        let e = parse("[a]\rk = ü\r\n\rnot ini\n", Path::new("c")).unwrap_err();
        assert_eq!(e.line, 4);
    }

    #[test]
    fn one_pair_of_quotes_is_removed_when_only_a_comment_follows() {
        let cases = [
            ("'x' ; note", "x"),
            ("\"x\"# note", "x"),
            ("\"a\" b", "\"a\" b"),
            ("\"", "\""),
            ("''", ""),
            ("'é\"'", "é\""),
            ("\"x' # note", "\"x'"),
        ];
        for (raw, value) in cases {
            assert_eq!(clean_value(raw), value, "{raw:?}");
        }
    }

    #[test]
    fn the_first_equals_sign_or_colon_splits_a_line() {
        let ini = p("[x]\ndé:b=c\nk=ü:v\n").unwrap();
        let x = ini.section("x").unwrap();
        assert_eq!((x.get("dé"), x.get("k")), (Some("b=c"), Some("ü:v")));
    }

    #[test]
    fn a_nested_line_needs_an_equals_sign() {
        let e = parse("[p]\ns3 =\n  addressing_style: path\n", Path::new("c")).unwrap_err();
        assert_eq!(e.line, 3);
        let ini = parse("[p]\ns3 =\n  addressing_style = path\n", Path::new("c")).unwrap();
        assert_eq!(
            ini.section("p").unwrap().get("s3.addressing_style"),
            Some("path")
        );
    }
}
