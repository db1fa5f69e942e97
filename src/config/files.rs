//! The two files: where they are (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else
//! `~/.aws/`), reading them, what a profile's section is called in each, and which profiles they
//! define. What the sections mean is for the other config modules.

use std::fmt;
use std::path::PathBuf;

use super::ini::{begins_with, Ini, IniError, Section};
use super::searched::{closest, Searched};
use crate::credentials::{Credentials, Secret};
use crate::env::Env;
use crate::log::{self, debug};

/// The two files, parsed.
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub config: Ini,
    pub credentials: Ini,
}

/// Why the files could not be read.
#[derive(Debug)]
pub enum FilesError {
    NoHome,
    Ini(IniError),
}

impl fmt::Display for FilesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilesError::NoHome => write!(
                f,
                "cannot find the home directory: set HOME, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE"
            ),
            FilesError::Ini(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FilesError {}

impl From<IniError> for FilesError {
    fn from(e: IniError) -> Self {
        FilesError::Ini(e)
    }
}

/// `$NAME` and `${NAME}` replaced by the variable's value, as Python's `os.path.expandvars`
/// (which botocore applies to these paths): a variable that is not set, or not a name, is left
/// as it is.
fn expand_vars(text: &str, env: &Env) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, len) = match after.strip_prefix('{') {
            Some(braced) => match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            },
            None => {
                let end = after
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            }
        };
        match env.get(name).filter(|_| !name.is_empty()) {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[at..at + 1 + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// The config file's path: `AWS_CONFIG_FILE` or `~/.aws/config`.
pub fn config_path(env: &Env) -> Result<PathBuf, FilesError> {
    file_path(env, "AWS_CONFIG_FILE", "config")
}

/// The credentials file's path: `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
pub fn credentials_path(env: &Env) -> Result<PathBuf, FilesError> {
    file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

fn file_path(env: &Env, var: &str, name: &str) -> Result<PathBuf, FilesError> {
    path_from(env, var, &[name])
}

/// The path `var` names (variables expanded, then a leading `~`, as botocore does), else
/// `~/.aws/<default joined>`.
pub fn path_from(env: &Env, var: &str, default: &[&str]) -> Result<PathBuf, FilesError> {
    if let Some(p) = env.non_empty(var) {
        // As botocore: variables expanded, then a leading `~`.
        let p = expand_vars(p, env);
        if p == "~" {
            return env.home().ok_or(FilesError::NoHome);
        }
        if let Some(rest) = p.strip_prefix("~/") {
            return Ok(env.home().ok_or(FilesError::NoHome)?.join(rest));
        }
        return Ok(PathBuf::from(p));
    }
    let aws = env.home().ok_or(FilesError::NoHome)?.join(".aws");
    Ok(default.iter().fold(aws, |path, part| path.join(part)))
}

#[cfg(test)]
impl Files {
    /// Both files from text, as `/h/.aws/config` and `/h/.aws/credentials` (for tests).
    pub fn from_texts(config: &str, credentials: &str) -> Files {
        let parse = super::ini::parse;
        Files {
            config: parse(config, std::path::Path::new("/h/.aws/config")).unwrap(),
            credentials: parse(credentials, std::path::Path::new("/h/.aws/credentials")).unwrap(),
        }
    }

    /// fixtures/chain.config and fixtures/chain.credentials: a role over an MFA user, chaining,
    /// and broken cases (for tests).
    pub fn sample() -> Files {
        Files::from_texts(
            include_str!("../../fixtures/chain.config"),
            include_str!("../../fixtures/chain.credentials"),
        )
    }
}

/// The profile a `[profile NAME]` section names: NAME, unquoted (`[profile "personal"]`, as
/// botocore's shlex split reads it).
pub(super) fn prefixed_name(section: &str) -> Option<&str> {
    let rest = section.strip_prefix("profile")?;
    if !begins_with(rest, b" \t") {
        return None;
    }
    let name = rest.trim();
    // One pair of quotes around it, of either kind (compared as bytes: both are ASCII).
    let unquoted = match name.as_bytes() {
        [q @ (b'"' | b'\''), .., last] if q == last => Some(&name[1..name.len() - 1]),
        _ => None,
    };
    match unquoted {
        Some(quoted) => Some(quoted),
        // As botocore splits the header (shlex): `[profile my profile]` is three words, and no
        // profile at all.
        None if has_whitespace(name) => None,
        None => Some(name),
    }
}

/// Whether `text` holds whitespace (as `char::is_whitespace` says). ASCII text, as profile names
/// are, is looked at a byte at a time: decoding each character to test it (a predicate pattern)
/// cost a cached run about 1% of its instructions, as every `[profile ...]` header is read again for
/// each profile looked up.
fn has_whitespace(text: &str) -> bool {
    if text.is_ascii() {
        // The ASCII characters char::is_whitespace names: space, and \t \n \x0B \x0C \r.
        text.bytes().any(|b| matches!(b, b' ' | b'\t'..=b'\r'))
    } else {
        text.chars().any(char::is_whitespace)
    }
}

/// Whether a config-file section is written `[profile ...]`: then it is a profile only as
/// [`prefixed_name`] reads it, never by its whole name.
fn looks_prefixed(section: &str) -> bool {
    section
        .strip_prefix("profile")
        .is_some_and(|rest| begins_with(rest, b" \t"))
}

/// The profile a config-file section names: `[profile NAME]` → NAME, `[NAME]` → NAME;
/// `[profile two words]` names none, and neither does a bare header of two words: botocore reads
/// `[sso-session corp]` and `[services s]` as those kinds of section, never as profiles.
fn config_profile_name(section: &str) -> Option<&str> {
    match prefixed_name(section) {
        Some(name) => Some(name),
        None if looks_prefixed(section) || has_whitespace(section) => None,
        None => Some(section),
    }
}

impl Files {
    /// Reads both files (a missing one is empty).
    pub fn load(env: &Env) -> Result<Files, FilesError> {
        let files = Files {
            config: Ini::load(&config_path(env)?)?,
            credentials: Ini::load(&credentials_path(env)?)?,
        };
        // Only -v reads the notes: the cached fast path does not pay for them.
        if log::enabled() {
            files.note_duplicates();
        }
        Ok(files)
    }

    /// Says (`-v`) where a profile is defined more than once, and how that is read.
    fn note_duplicates(&self) {
        for name in self.profiles() {
            let prefixed = self.prefixed_sections(&name).len();
            let bare = self
                .config
                .sections
                .iter()
                .filter(|s| s.name == name)
                .count();
            if prefixed > 0 && bare > 0 && name != "default" {
                debug!(
                    "[{name}] in {} is ignored: [profile {name}] is the profile",
                    self.config.path.display()
                );
            }
            let used = if prefixed > 0 { prefixed } else { bare };
            if used > 1 {
                debug!("profile '{name}' is defined {used} times in {}: read as one, later values winning", self.config.path.display());
            }
            if self
                .credentials
                .sections
                .iter()
                .filter(|s| s.name == name)
                .count()
                > 1
            {
                debug!("profile '{name}' is defined more than once in {}: read as one, later values winning", self.credentials.path.display());
            }
        }
    }

    /// The config file's `[profile NAME]` sections for `name`, however spaced or quoted.
    fn prefixed_sections(&self, name: &str) -> Vec<&Section> {
        self.config
            .sections
            .iter()
            .filter(|s| prefixed_name(&s.name) == Some(name))
            .collect()
    }

    /// Whether a section of `name` in either file may set one of `keys` (a cheap first look,
    /// copying nothing, for the cached fast path: [`Files::profile`] says for sure).
    pub fn may_set(&self, name: &str, keys: &[&str]) -> bool {
        let config = self
            .config
            .sections
            .iter()
            .filter(|s| config_profile_name(&s.name) == Some(name));
        let credentials = self.credentials.sections.iter().filter(|s| s.name == name);
        config
            .chain(credentials)
            .flat_map(|s| &s.entries)
            .any(|e| !e.value.is_empty() && keys.contains(&e.key.as_str()))
    }

    /// The profile's section in the config file: its `[profile NAME]` sections (all of them,
    /// later values winning), else its `[NAME]` sections (`[default]`, or as the CLI accepts).
    pub fn config_section(&self, name: &str) -> Option<Section> {
        let mut found = self.prefixed_sections(name);
        if found.is_empty() {
            found = self
                .config
                .sections
                .iter()
                .filter(|s| s.name == name && !looks_prefixed(&s.name))
                .collect();
        }
        let (first, rest) = found.split_first()?;
        let mut merged = (*first).clone();
        for s in rest {
            merged.entries.extend(s.entries.iter().cloned());
        }
        Some(merged)
    }

    /// The profile's section in the credentials file: `[NAME]`.
    pub fn credentials_section(&self, name: &str) -> Option<Section> {
        self.credentials.section(name)
    }

    /// The profile's settings from both files, merged as the SDKs merge them: the config file's
    /// section, then the credentials file's, whose values win (so a role profile may live in
    /// ~/.aws/credentials, and a region there counts).
    pub fn profile(&self, name: &str) -> Option<Section> {
        match (self.config_section(name), self.credentials_section(name)) {
            (Some(mut config), Some(credentials)) => {
                config.entries.extend(credentials.entries);
                Some(config)
            }
            (config, credentials) => config.or(credentials),
        }
    }

    /// The static keys of `profile`: `aws_access_key_id` and `aws_secret_access_key`, with
    /// `aws_session_token` (or the legacy `aws_security_token`), from the credentials file, else
    /// the config file (as the CLI looks for them).
    pub fn keys(&self, profile: &str) -> Option<Credentials> {
        [
            self.credentials_section(profile),
            self.config_section(profile),
        ]
        .into_iter()
        .flatten()
        .find_map(|s| {
            let id = s.get("aws_access_key_id")?;
            let secret = s.get("aws_secret_access_key")?;
            let token = s.get("aws_session_token").or(s.get("aws_security_token"));
            Some(Credentials {
                access_key_id: id.to_string(),
                secret_access_key: Secret::new(secret),
                session_token: token.map(Secret::new),
                expiration: None,
            })
        })
    }

    /// Whether either file has a section for `name`.
    pub fn exists(&self, name: &str) -> bool {
        // Asked on the cached fast path: look, copy nothing.
        self.config
            .sections
            .iter()
            .any(|s| config_profile_name(&s.name) == Some(name))
            || self.credentials.sections.iter().any(|s| s.name == name)
    }

    /// Where `name` was looked for and the closest name there: for "not found" errors (only
    /// then: it lists every profile).
    pub fn searched(&self, name: &str) -> Box<Searched> {
        let profiles = self.profiles();
        Box::new(Searched {
            config: self.config.path.clone(),
            credentials: self.credentials.path.clone(),
            count: profiles.len(),
            suggestion: closest(name, &profiles).map(str::to_string),
            no_files: !self.config.found && !self.credentials.found,
        })
    }

    /// Every profile either file defines, sorted, each once: what a profile picker, the
    /// browser-extension config and shell completion list.
    pub fn profiles(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .config
            .sections
            .iter()
            .filter_map(|s| config_profile_name(&s.name).map(str::to_string))
            .chain(self.credentials.sections.iter().map(|s| s.name.clone()))
            .collect();
        // Unstable: equal names are the same name, so the order is the same, in less code.
        names.sort_unstable();
        names.dedup();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn files(config: &str, credentials: &str) -> Files {
        Files::from_texts(config, credentials)
    }

    #[test]
    fn sso_session_and_services_sections_are_no_profiles() {
        let f = files(
            "[profile a]\n[sso-session corp]\nsso_region = us-east-1\n[services s]\n[default]\n[plain]\n",
            "[c]\n",
        );
        assert_eq!(f.profiles(), ["a", "c", "default", "plain"]);
    }

    #[test]
    fn paths_from_the_environment_or_home() {
        let env = Env::from_pairs(&[("HOME", "/h")]);
        assert_eq!(config_path(&env).unwrap(), Path::new("/h/.aws/config"));
        assert_eq!(
            credentials_path(&env).unwrap(),
            Path::new("/h/.aws/credentials")
        );
        let env = Env::from_pairs(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "~/cfg")]);
        assert_eq!(config_path(&env).unwrap(), Path::new("/h/cfg"));
        let env = Env::from_pairs(&[("AWS_SHARED_CREDENTIALS_FILE", "/x/creds")]);
        assert_eq!(credentials_path(&env).unwrap(), Path::new("/x/creds"));
        assert!(matches!(
            config_path(&Env::default()),
            Err(FilesError::NoHome)
        ));
    }

    #[test]
    fn a_first_look_finds_a_key_in_either_file_and_never_misses_one_profile_has() {
        let f = files(
            "[profile a]\nsso_session = s\n[profile b]\nregion = x\nsso_role_name =\n",
            "[c]\nsso_account_id = 1\n",
        );
        let keys = ["sso_session", "sso_account_id", "sso_role_name"];
        assert!(f.may_set("a", &keys));
        assert!(f.may_set("c", &keys));
        // An empty value sets nothing.
        assert!(!f.may_set("b", &keys));
        assert!(!f.may_set("nobody", &keys));
        for name in ["a", "b", "c"] {
            let set = f
                .profile(name)
                .is_some_and(|s| keys.iter().any(|k| s.get(k).is_some()));
            assert!(!set || f.may_set(name, &keys), "{name}");
        }
    }

    #[test]
    fn sections_by_profile_name() {
        let f = files(
            "[default]\nregion = a\n[profile dev]\nregion = b\n[bare]\nregion = c\n[profile  spaced ]\nregion = d\n",
            "[dev]\naws_access_key_id = K\n",
        );
        let region = |n: &str| {
            f.config_section(n)
                .and_then(|s| s.get("region").map(String::from))
        };
        assert_eq!(region("default").as_deref(), Some("a"));
        assert_eq!(region("dev").as_deref(), Some("b"));
        assert_eq!(region("bare").as_deref(), Some("c"));
        assert_eq!(region("spaced").as_deref(), Some("d"));
        assert!(f.credentials_section("dev").is_some());
        let quoted = files("[profile \"personal\"]\nregion = q\n", "");
        assert!(quoted.config_section("personal").is_some());
        assert_eq!(quoted.profiles(), ["personal"]);
        assert!(f.exists("dev") && !f.exists("nope"));
    }

    #[test]
    fn profiles_are_listed_once_and_sorted() {
        let f = files(
            "[default]\n[profile b]\n[profile a]\n[c]\n",
            "[b]\n[keysonly]\n",
        );
        assert_eq!(f.profiles(), ["a", "b", "c", "default", "keysonly"]);
    }

    #[test]
    fn profile_headers_as_botocore_splits_them() {
        assert_eq!(prefixed_name("profile dev"), Some("dev"));
        assert_eq!(prefixed_name("profile \"my profile\""), Some("my profile"));
        assert_eq!(prefixed_name("profile my profile"), None);
        // One pair of quotes, of one kind, is removed.
        assert_eq!(prefixed_name("profile\t'é'"), Some("é"));
        assert_eq!(prefixed_name("profile \"\""), Some(""));
        assert_eq!(prefixed_name("profile \""), Some("\""));
        assert_eq!(prefixed_name("profile 'a\""), Some("'a\""));
        assert_eq!(prefixed_name("profile\"a\""), None);
        assert_eq!(config_profile_name("profile my profile"), None);
        assert_eq!(config_profile_name("dev"), Some("dev"));
    }

    #[test]
    fn whitespace_is_found_as_char_is_whitespace_finds_it() {
        // Every character up to U+3000 (the last whitespace), alone and between ASCII letters.
        for c in (0..=0x3000).filter_map(char::from_u32) {
            for text in [c.to_string(), format!("a{c}b")] {
                assert_eq!(
                    has_whitespace(&text),
                    text.chars().any(char::is_whitespace),
                    "{text:?}"
                );
            }
        }
        assert_eq!(prefixed_name("profile my\u{a0}profile"), None);
        assert_eq!(prefixed_name("profile my\x0bprofile"), None);
        assert_eq!(prefixed_name("profile caf\u{e9}"), Some("caf\u{e9}"));
    }

    #[test]
    fn variables_in_the_file_paths_are_expanded() {
        let env = Env::from_pairs(&[("HOME", "/home/u"), ("D", "/data")]);
        assert_eq!(expand_vars("$D/config", &env), "/data/config");
        assert_eq!(expand_vars("${D}x/$NOPE/${", &env), "/datax/$NOPE/${");
        assert_eq!(expand_vars("a$", &env), "a$");
        let env = Env::from_pairs(&[("HOME", "/home/u"), ("AWS_CONFIG_FILE", "~/c")]);
        assert_eq!(config_path(&env).unwrap(), PathBuf::from("/home/u/c"));
    }
}
