//! Setting keys of one profile in the config file, keeping every other byte: the lines of the
//! section are found as `ini.rs` reads them and the section as `files.rs` finds it, so what is
//! written reads back; only the lines of the keys set change, and new keys are added after the
//! section's last entry (or a new section at the end), as the AWS CLI's `ConfigFileWriter`
//! does for `aws login` and `aws configure set`. Then the file is replaced atomically (its own
//! small writer: `creds/store.rs` is a layer above). What the keys mean is the caller's.

use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use super::files::prefixed_name;
use super::ini::{begins_with, clean_value, lines};
use crate::log::escape;
use crate::random;

/// Why the keys were not set; the file, if there is one, is as it was.
#[derive(Debug)]
pub enum EditError {
    /// A profile name, key or value that would not read back as it was given (`what` names it;
    /// a value is never repeated: it may be a secret).
    Refused { what: String, reason: &'static str },
    /// The file (or its directory, or the link to it), what could not be done with it (`read`,
    /// `write`, `edit` a file that is not UTF-8...), and why.
    File(PathBuf, &'static str, io::Error),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused { what, reason } => write!(f, "cannot set {what}: {reason}"),
            Self::File(path, action, error) => {
                write!(f, "cannot {action} {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for EditError {}

/// One line of the file and its end (`\n`, `\r\n`, a lone `\r` as Python reads it, or none at
/// the end of the file).
struct Line<'a> {
    text: &'a str,
    end: &'a str,
}

/// What a line is to `ini.rs`.
#[derive(Debug, PartialEq)]
enum Kind {
    /// Blank, a comment, or a line `ini.rs` refuses (kept as it is).
    Other,
    /// `[name]`, the name trimmed as `ini.rs` trims it.
    Header(String),
    /// `key = value`, the key lower-cased.
    Key(String),
    /// An indented line: more of the last key's value (or its sub-section).
    More,
}

/// A key's lines in the section: its own, and the last line of its value.
struct Entry<'a> {
    key: &'a str,
    first: usize,
    last: usize,
}

/// The text of a config file with `keys` set in `profile`'s section, every other byte kept.
///
/// The section is the one our reader takes the profile's values from: the last `[profile NAME]`
/// (however spaced or quoted), else for `default` the last `[default]`; with none, a new
/// `[profile NAME]` (`[default]`) is appended. A key there has its value replaced on its line
/// (its spelling, indentation and separator kept; an inline comment after the old value and the
/// indented lines of a multi-line value or sub-section go with it); a key not there is added
/// after the section's last entry as `key = value` (`key=value` if the section writes them so).
/// Refused: an empty or odd profile name (whitespace, quotes, brackets, backslashes, control
/// characters), a key other than letters, digits, `_` and `-`, and a value that is empty, holds
/// a control character or would read back otherwise (surrounding spaces or quotes, ` #`).
pub fn set_keys(text: &str, profile: &str, keys: &[(&str, &str)]) -> Result<String, EditError> {
    check(profile, keys)?;
    let lines = split(text);
    let kinds = classify(&lines);
    let eol = lines
        .iter()
        .find(|l| !l.end.is_empty())
        .map_or("\n", |l| l.end);
    Ok(match section_of(&kinds, profile) {
        Some(header) => edit_section(&lines, &kinds, header, keys, eol),
        None => append_section(text, &lines, profile, keys, eol),
    })
}

/// Refuses what would be written wrong, or read back otherwise than given: what a caller checks
/// before work it would lose (`--login` before the browser opens).
pub fn check(profile: &str, keys: &[(&str, &str)]) -> Result<(), EditError> {
    let refuse = |what: String, reason| Err(EditError::Refused { what, reason });
    let odd = |c: char| c.is_control() || c.is_whitespace() || "[]\"'\\".contains(c);
    if profile.is_empty() || profile.contains(odd) {
        // Such a name makes no `[profile NAME]` header that botocore's shlex split and ours
        // read back as NAME.
        return refuse(
            format!("keys of profile '{}'", escape(profile)),
            "a profile name holds no whitespace, quotes, brackets, backslashes or control characters",
        );
    }
    for (i, (key, value)) in keys.iter().enumerate() {
        let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        if key.is_empty() || !key.bytes().all(plain) {
            return refuse(
                format!("key '{}'", escape(key)),
                "keys are letters, digits, _ and -",
            );
        }
        if keys[..i].iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return refuse(format!("key '{key}'"), "it is given twice");
        }
        let reasons = [
            (value.is_empty(), "it is empty"),
            (
                value.contains(char::is_control),
                "it holds a control character",
            ),
            // Our reader would drop them (botocore would keep them).
            (
                clean_value(value) != *value,
                "surrounding spaces, quotes or ' #' would not read back",
            ),
        ];
        if let Some((_, reason)) = reasons.into_iter().find(|(bad, _)| *bad) {
            return refuse(
                format!("the value of '{key}' in profile '{profile}'"),
                reason,
            );
        }
    }
    Ok(())
}

/// The lines of `text` with their ends, split by `ini.rs` (`\n`, `\r\n`, a lone `\r`).
fn split(text: &str) -> Vec<Line<'_>> {
    let mut split = Vec::new();
    for line in lines(text) {
        // Each line is a slice of `text`: its end follows it there.
        let at = line.as_ptr() as usize - text.as_ptr() as usize + line.len();
        let crlf = text.get(at..at + 2).filter(|end| *end == "\r\n");
        let end = crlf.or(text.get(at..at + 1)).unwrap_or("");
        split.push(Line { text: line, end });
    }
    split
}

/// Each line as `ini.rs` `parse` reads it: an indented line continues the section's last entry
/// (blank and comment lines between them too), if it has one; else it is a line of its own.
fn classify(lines: &[Line]) -> Vec<Kind> {
    let mut has_entry = false;
    let mut in_section = false;
    let kind = |line: &Line| {
        let trimmed = line.text.trim();
        if trimmed.is_empty() || begins_with(trimmed, b"#;") {
            return Kind::Other;
        }
        if has_entry && begins_with(line.text, b" \t") {
            return Kind::More;
        }
        if begins_with(trimmed, b"[") {
            has_entry = false;
            let Some(end) = trimmed.rfind(']') else {
                return Kind::Other;
            };
            in_section = true;
            return Kind::Header(trimmed[1..end].trim().to_string());
        }
        match trimmed.bytes().position(|b| b == b'=' || b == b':') {
            Some(at) if in_section => {
                has_entry = true;
                Kind::Key(trimmed[..at].trim().to_ascii_lowercase())
            }
            _ => Kind::Other,
        }
    };
    lines.iter().map(kind).collect()
}

/// The header line of the section to edit: the last one of those our reader merges for
/// `profile`, later values winning (`files.rs` `config_section`), so that the value set is the
/// value read. The CLI's writer edits the first `[profile NAME]` written exactly so; but a
/// header written twice makes botocore refuse the file, and of `[profile a]` and
/// `[profile  a]` it reads the later. For `default`, a `[profile default]` is the section our
/// reader reads (the CLI's writer would append a `[default]`, and botocore read only that one).
/// A bare `[NAME]` is not `NAME`'s section to botocore: a new `[profile NAME]` is appended.
fn section_of(kinds: &[Kind], profile: &str) -> Option<usize> {
    let header = |want: &dyn Fn(&str) -> bool| {
        kinds
            .iter()
            .rposition(|kind| matches!(kind, Kind::Header(name) if want(name)))
    };
    header(&|name| prefixed_name(name) == Some(profile))
        .or_else(|| header(&|name| profile == "default" && name == "default"))
}

/// The section's entries, from its header line `header` to the next header.
fn entries<'a>(kinds: &'a [Kind], header: usize) -> Vec<Entry<'a>> {
    let mut entries: Vec<Entry> = Vec::new();
    for (i, kind) in kinds.iter().enumerate().skip(header + 1) {
        match kind {
            Kind::Header(_) => break,
            Kind::Key(key) => entries.push(Entry {
                key,
                first: i,
                last: i,
            }),
            Kind::More => entries.last_mut().into_iter().for_each(|e| e.last = i),
            Kind::Other => {}
        }
    }
    entries
}

/// The text with `keys` set in the section headed at line `header`.
fn edit_section(
    lines: &[Line],
    kinds: &[Kind],
    header: usize,
    keys: &[(&str, &str)],
    eol: &str,
) -> String {
    let entries = entries(kinds, header);
    let value_of = |key: &str| keys.iter().find(|(k, _)| k.eq_ignore_ascii_case(key));
    // Indentation is never copied: an indented line after an entry continues its value.
    let tight = !entries.is_empty()
        && entries
            .iter()
            .all(|e| separator(lines[e.first].text) == "=");
    let separator = if tight { "=" } else { " = " };
    let added: String = keys
        .iter()
        .filter(|(k, _)| !entries.iter().any(|e| k.eq_ignore_ascii_case(e.key)))
        .map(|(k, v)| format!("{k}{separator}{v}{eol}"))
        .collect();
    let after = entries.last().map_or(header, |e| e.last);
    let mut out = String::with_capacity(lines.iter().map(|l| l.text.len() + 2).sum());
    for (i, line) in lines.iter().enumerate() {
        let entry = entries.iter().find(|e| e.first <= i && i <= e.last);
        match entry.and_then(|e| Some((e.first == i, value_of(e.key)?))) {
            // Every line of a key set, so that the value read, first or last, is the new one.
            Some((true, (_, value))) => push_replaced(&mut out, line, value),
            Some((false, _)) => {}
            None => out.extend([line.text, line.end]),
        }
        if i == after && !added.is_empty() {
            if !out.ends_with(['\n', '\r']) {
                out.push_str(eol);
            }
            out.push_str(&added);
        }
    }
    out
}

/// A key line's separator as written: from the end of the key to the value (` = `, `=`, `: `).
fn separator(text: &str) -> &str {
    let trimmed = text.trim_start();
    let at = trimmed.bytes().position(|b| b == b'=' || b == b':');
    let at = at.unwrap_or(trimmed.len());
    let key_end = trimmed[..at].trim_end().len();
    let value_start = trimmed.len() - trimmed[at..].get(1..).unwrap_or("").trim_start().len();
    &trimmed[key_end..value_start.max(key_end)]
}

/// A key line with `value` in place of its value (and of any comment after it): the key, its
/// indentation, the separator and the line end as they were.
fn push_replaced(out: &mut String, line: &Line, value: &str) {
    let at = line.text.bytes().position(|b| b == b'=' || b == b':');
    let (head, rest) = line.text.split_at(at.map_or(line.text.len(), |at| at + 1));
    let space = &rest[..rest.len() - rest.trim_start().len()];
    // An empty value (`s3 =`) has no space after the separator: one, as there is one before it.
    let spaced = head
        .strip_suffix(['=', ':'])
        .is_some_and(|h| h.ends_with([' ', '\t']));
    let space = if rest.is_empty() && spaced {
        " "
    } else {
        space
    };
    out.extend([head, space, value, line.end]);
}

/// The text with a new section for `profile` at its end: after a line end if the last line has
/// none, and a blank line if the last line is not blank (the CLI's writer adds no blank line).
fn append_section(
    text: &str,
    lines: &[Line],
    profile: &str,
    keys: &[(&str, &str)],
    eol: &str,
) -> String {
    let mut out = text.to_string();
    if let Some(last) = lines.last() {
        if last.end.is_empty() {
            out.push_str(eol);
        }
        if !last.text.trim().is_empty() {
            out.push_str(eol);
        }
    }
    let prefix = if profile == "default" { "" } else { "profile " };
    out.extend(["[", prefix, profile, "]", eol]);
    for (key, value) in keys {
        out.extend([*key, " = ", value, eol]);
    }
    out
}

/// Reads the config file at `path` (absent: empty), sets `keys` in `profile`'s section
/// ([`set_keys`]), and replaces the file atomically: a new file beside it with its mode (0600
/// for a new file, in a directory made 0700 if missing), fsynced, renamed over it. A symbolic
/// link (a dotfiles manager's) stays a link: its target is written. Unchanged text is not
/// written; on an error the file is as it was, and no temporary file is left.
pub fn write_keys(path: &Path, profile: &str, keys: &[(&str, &str)]) -> Result<(), EditError> {
    let fail = |path: &Path, action| {
        let path = path.to_path_buf();
        move |error| EditError::File(path, action, error)
    };
    let target = target_of(path).map_err(fail(path, "follow the link"))?;
    let (old, mode) = match fs::read(&target) {
        Ok(bytes) => {
            let meta = fs::metadata(&target).map_err(fail(&target, "read"))?;
            (bytes, Some(meta.permissions().mode() & 0o7777))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => (Vec::new(), None),
        Err(e) => return Err(fail(&target, "read")(e)),
    };
    let not_text = |_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8");
    let old = String::from_utf8(old).map_err(|e| fail(&target, "edit")(not_text(e)))?;
    let new = set_keys(&old, profile, keys)?;
    if mode.is_some() && new == old {
        return Ok(());
    }
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if mode.is_none() {
        // Made only when missing, as the CLI makes ~/.aws: an existing directory keeps its mode.
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail(dir, "create the directory"))?;
    }
    replace(&target, dir, new.as_bytes(), mode.unwrap_or(0o600)).map_err(fail(&target, "write"))
}

/// The file `path` names, its links followed (relative ones from the link's directory); a
/// missing file is its own target.
fn target_of(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = current.parent().unwrap_or(Path::new("")).join(link);
            }
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => return Ok(current),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Writes `data` to a new temporary file in `dir` (exclusive, random name, `mode`), fsyncs it
/// and renames it over `target`; the temporary file is removed on any error.
fn replace(target: &Path, dir: &Path, data: &[u8], mode: u32) -> io::Result<()> {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", random::hex_token::<8>()?));
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)?;
    // Only now is the file ours to remove (create_new refuses a name someone else holds).
    let written = file
        .set_permissions(fs::Permissions::from_mode(mode))
        .and_then(|()| file.write_all(data))
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&temp, target));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    // The rename made lasting; a directory that cannot be synced (some filesystems) is no error.
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::files::Files;
    use crate::config::ini::{parse, Ini};

    /// Before, profile, keys, after.
    type Case = (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
        &'static str,
    );

    const ARN: &str = "arn:aws:iam::123456789012:user/alice";

    /// (before, profile, keys, after): every rule of `set_keys`.
    #[rustfmt::skip]
    const CASES: &[Case] = &[
        // A key there: its value replaced on its line; odd spacing, comments, the key's spelling
        // kept byte for byte; an inline comment after the old value goes with it.
        ("# top\n[profile a]\n  Region   =\tus-east-1  # old\n; c\noutput=json\n\n[profile b]\nregion = x\n",
         "a", &[("region", "eu-west-1")],
         "# top\n[profile a]\n  Region   =\teu-west-1\n; c\noutput=json\n\n[profile b]\nregion = x\n"),
        // A key not there: after the section's last entry, before the blank line and comment
        // that precede the next section; `key=value` kept as the section's habit.
        ("[profile a]\nregion=x\noutput=json\n\n# next\n[profile b]\n",
         "a", &[("login_session", ARN)],
         "[profile a]\nregion=x\noutput=json\nlogin_session=arn:aws:iam::123456789012:user/alice\n\n# next\n[profile b]\n"),
        // Both: one replaced, one added; `key: value` kept.
        ("[profile a]\nregion: x\nmfa_serial = m\n",
         "a", &[("login_session", ARN), ("region", "us-west-2")],
         "[profile a]\nregion: us-west-2\nmfa_serial = m\nlogin_session = arn:aws:iam::123456789012:user/alice\n"),
        // `[profile  a]` and `[profile "a"]` are profile a, as our reader and botocore read them.
        ("[profile  a] ; note\nregion = x\n", "a", &[("region", "y")], "[profile  a] ; note\nregion = y\n"),
        ("[profile \"a\"]\n", "a", &[("region", "y")], "[profile \"a\"]\nregion = y\n"),
        // `[profile ab]` and a bare `[a]` are not: a new `[profile a]`, after a blank line.
        ("[profile ab]\nregion = x\n[a]\nregion = x\n", "a", &[("region", "y")],
         "[profile ab]\nregion = x\n[a]\nregion = x\n\n[profile a]\nregion = y\n"),
        // default: `[default]`; a `[profile default]` where there is one (our reader's choice).
        ("[default]\nregion = x\n[profile default2]\n", "default", &[("region", "y")],
         "[default]\nregion = y\n[profile default2]\n"),
        ("[default]\nregion = x\n[profile default]\noutput = json\n", "default", &[("region", "y")],
         "[default]\nregion = x\n[profile default]\noutput = json\nregion = y\n"),
        ("[profile a]\n", "default", &[("region", "y")], "[profile a]\n\n[default]\nregion = y\n"),
        // A section written twice: the last one, whose values our reader takes.
        ("[profile a]\nregion = x\n[profile b]\n[profile a]\noutput = json\n\n", "a", &[("region", "y")],
         "[profile a]\nregion = x\n[profile b]\n[profile a]\noutput = json\nregion = y\n\n"),
        // A key written twice in the section: each line says the new value.
        ("[profile a]\nregion = x\nREGION = z\n", "a", &[("region", "y")], "[profile a]\nregion = y\nREGION = y\n"),
        // A sub-section or multi-line value: replaced whole, its comments with it; the indented
        // line of another key's sub-section is not that key.
        ("[profile a]\ns3 =\n  addressing_style = path\n  # c\n  region = q\nregion = x\n",
         "a", &[("s3", "v")], "[profile a]\ns3 = v\nregion = x\n"),
        ("[profile a]\ns3 =\n  region = q\n# after\n", "a", &[("region", "y")],
         "[profile a]\ns3 =\n  region = q\nregion = y\n# after\n"),
        ("[profile a]\nexternal_id = one\n\ttwo\noutput = json", "a", &[("external_id", "e")],
         "[profile a]\nexternal_id = e\noutput = json"),
        // An empty section: right after its header.
        ("[profile a]\n# c\n[profile b]\n", "a", &[("region", "y")], "[profile a]\nregion = y\n# c\n[profile b]\n"),
        // No line end at the end of the file: one added before what is added.
        ("[profile a]\nregion = x", "a", &[("output", "json")], "[profile a]\nregion = x\noutput = json\n"),
        ("[profile b]\nregion = x", "a", &[("region", "y")], "[profile b]\nregion = x\n\n[profile a]\nregion = y\n"),
        // Appended: no blank line doubled, none in an empty file.
        ("[profile b]\n\n", "a", &[("region", "y")], "[profile b]\n\n[profile a]\nregion = y\n"),
        ("", "a", &[("login_session", ARN), ("region", "y")],
         "[profile a]\nlogin_session = arn:aws:iam::123456789012:user/alice\nregion = y\n"),
        // CRLF kept, and used on the lines written.
        ("[profile a]\r\nregion = x\r\n\r\n[profile b]\r\n", "a", &[("region", "y"), ("output", "json")],
         "[profile a]\r\nregion = y\r\noutput = json\r\n\r\n[profile b]\r\n"),
        ("[profile b]\r\n", "a", &[("region", "y")], "[profile b]\r\n\r\n[profile a]\r\nregion = y\r\n"),
        // An empty value (`key =`) gets its space back.
        ("[profile a]\nregion =\n", "a", &[("region", "y")], "[profile a]\nregion = y\n"),
    ];

    fn set(text: &str, profile: &str, keys: &[(&str, &str)]) -> String {
        set_keys(text, profile, keys).unwrap()
    }

    #[test]
    fn each_case_changes_only_the_keys_set() {
        for (before, profile, keys, after) in CASES {
            assert_eq!(set(before, profile, keys), *after, "{before:?}");
        }
    }

    /// Sections as (header, [(key, value)]), leaving out the keys set in `profile`'s sections
    /// (and a section the edit appended, if `appended`).
    fn others(
        ini: &Ini,
        profile: &str,
        keys: &[(&str, &str)],
        appended: bool,
    ) -> Vec<(String, Vec<(String, String)>)> {
        let n = ini.sections.len() - usize::from(appended);
        let set = |s: &str, k: &str| {
            let ours = prefixed_name(s) == Some(profile) || s == profile;
            ours && keys
                .iter()
                .any(|(key, _)| k == *key || k.starts_with(&format!("{key}.")))
        };
        let entries = |s: &crate::config::ini::Section| {
            let kept = s.entries.iter().filter(|e| !set(&s.name, &e.key));
            kept.map(|e| (e.key.clone(), e.value.clone())).collect()
        };
        ini.sections[..n]
            .iter()
            .map(|s| (s.name.clone(), entries(s)))
            .collect()
    }

    #[test]
    fn what_is_written_reads_back_and_nothing_else_changes() {
        for (before, profile, keys, _) in CASES {
            let after = set(before, profile, keys);
            let files = Files::from_texts(&after, "");
            let section = files.config_section(profile).unwrap();
            for (key, value) in *keys {
                assert_eq!(section.get(key), Some(*value), "{before:?} {key}");
            }
            let (old, new) = (
                parse(before, Path::new("c")).unwrap(),
                parse(&after, Path::new("c")).unwrap(),
            );
            let appended = new.sections.len() > old.sections.len();
            assert_eq!(
                others(&old, profile, keys, false),
                others(&new, profile, keys, appended),
                "{before:?}"
            );
            // Setting the same keys again changes nothing.
            assert_eq!(set(&after, profile, keys), after, "{before:?}");
        }
    }

    #[test]
    fn names_and_values_that_would_not_read_back_are_refused() {
        let refused = |profile: &str, key: &str, value: &str| {
            let e = set_keys("[profile a]\n", profile, &[(key, value)]).unwrap_err();
            let line = e.to_string();
            assert!(
                !line.contains('\n') && line.starts_with("cannot set "),
                "{line}"
            );
            line
        };
        for value in [
            "a\nb", "a\rb", "a\u{7}", "", " a", "a ", "\"a\"", "a #b", "a ;b", "a\u{85}b",
        ] {
            let line = refused("a", "region", value);
            assert!(
                line.starts_with("cannot set the value of 'region' in profile 'a': "),
                "{line}"
            );
        }
        for key in ["", "a b", "a=b", "a\nb", "[x]", "a.b"] {
            refused("a", key, "v");
        }
        for profile in ["", "a]", "a b", "a\nb", "a\rb", "\"a\"", "a'", "a\\b", "[a"] {
            assert!(refused(profile, "region", "v").starts_with("cannot set keys of profile '"));
        }
        let twice = set_keys("", "a", &[("region", "x"), ("Region", "y")]).unwrap_err();
        assert_eq!(
            twice.to_string(),
            "cannot set key 'Region': it is given twice"
        );
        // Accepted: what reads back as it is.
        assert_eq!(set("", "a", &[("k", "\"x")]), "[profile a]\nk = \"x\n");
        assert_eq!(
            set("", "a-b_c.d@e", &[("k", "x#y")]),
            "[profile a-b_c.d@e]\nk = x#y\n"
        );
    }

    /// A fresh directory for one test.
    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("aws-runas-edit-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_missing_file_and_directory_are_made_private() {
        let root = scratch("missing");
        let config = root.join(".aws/config");
        write_keys(&config, "a", &[("login_session", ARN)]).unwrap();
        assert_eq!(
            fs::read_to_string(&config).unwrap(),
            format!("[profile a]\nlogin_session = {ARN}\n")
        );
        assert_eq!((mode(&config), mode(&root.join(".aws"))), (0o600, 0o700));
        assert_eq!(names(&root.join(".aws")), ["config"]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_mode_is_kept_and_an_unchanged_file_is_not_written() {
        let root = scratch("mode");
        let config = root.join("config");
        fs::write(&config, "[default]\nregion = x\n").unwrap();
        fs::set_permissions(&config, fs::Permissions::from_mode(0o640)).unwrap();
        write_keys(&config, "default", &[("region", "y")]).unwrap();
        assert_eq!(
            fs::read_to_string(&config).unwrap(),
            "[default]\nregion = y\n"
        );
        assert_eq!(mode(&config), 0o640);
        assert_eq!(names(&root), ["config"]);
        // Unchanged: the same inode, not a copy.
        use std::os::unix::fs::MetadataExt as _;
        let inode = fs::metadata(&config).unwrap().ino();
        write_keys(&config, "default", &[("region", "y")]).unwrap();
        assert_eq!(fs::metadata(&config).unwrap().ino(), inode);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_link_stays_a_link_and_its_target_is_written() {
        let root = scratch("link");
        fs::create_dir_all(root.join("dotfiles/aws")).unwrap();
        fs::create_dir_all(root.join(".aws")).unwrap();
        let target = root.join("dotfiles/aws/config");
        fs::write(&target, "[profile a]\nregion = x\n").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        let link = root.join(".aws/config");
        std::os::unix::fs::symlink("../dotfiles/aws/config", &link).unwrap();
        write_keys(&link, "a", &[("region", "y")]).unwrap();
        assert_eq!(
            fs::read_link(&link).unwrap(),
            Path::new("../dotfiles/aws/config")
        );
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            "[profile a]\nregion = y\n"
        );
        assert_eq!(
            (names(&root.join(".aws")), names(&root.join("dotfiles/aws"))),
            (vec!["config".to_string()], vec!["config".to_string()])
        );
        // A dangling link: its target is made.
        let dangling = root.join(".aws/other");
        std::os::unix::fs::symlink("../dotfiles/aws/other", &dangling).unwrap();
        write_keys(&dangling, "a", &[("region", "y")]).unwrap();
        assert!(fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            fs::read_to_string(root.join("dotfiles/aws/other")).unwrap(),
            "[profile a]\nregion = y\n"
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_refusal_or_a_failure_leaves_the_file_as_it_was() {
        let root = scratch("refused");
        let config = root.join("config");
        let before = "[profile a]\nregion = x\r\n# c";
        fs::write(&config, before).unwrap();
        for (profile, value) in [("a", "y\nregion = z"), ("a", "y\r"), ("a]", "y")] {
            assert!(write_keys(&config, profile, &[("region", value)]).is_err());
            assert_eq!(fs::read_to_string(&config).unwrap(), before);
        }
        // A directory no one may write in: the write fails, names the file, leaves nothing.
        fs::set_permissions(&root, fs::Permissions::from_mode(0o500)).unwrap();
        let failed = write_keys(&config, "a", &[("region", "y")]);
        fs::set_permissions(&root, fs::Permissions::from_mode(0o700)).unwrap();
        if crate::os::euid() != 0 {
            let line = failed.unwrap_err().to_string();
            assert!(
                line.starts_with(&format!("cannot write {}: ", config.display())),
                "{line}"
            );
            assert_eq!(fs::read_to_string(&config).unwrap(), before);
        }
        fs::write(root.join("binary"), b"[profile a]\n\xff\n").unwrap();
        let e = write_keys(&root.join("binary"), "a", &[("region", "y")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "cannot edit {}: not valid UTF-8",
                root.join("binary").display()
            )
        );
        assert_eq!(names(&root), ["binary", "config"]);
        fs::remove_dir_all(&root).unwrap();
    }
}
