//! Where the cache files are: the config file's directory (where the 1.x tool keeps its files
//! too), under names the 1.x tool uses, sanitised one to one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::entry::Kind;
use crate::config::profile::{Profile, SourceKind};
use crate::creds::store;
use crate::names;

/// Keeps only `[A-Za-z0-9_.@-]` of a name used in a file name. When anything had to change, a
/// short digest of the name is appended, so two names never share a file (`team a` and `team_a`).
pub fn sanitize(name: &str) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_.@-".contains(c);
    // Most names are fine as they are: said by their bytes, on the cached run's path (a byte
    // of a multi-byte character is no ASCII character, so it is not allowed).
    if name.bytes().all(|b| allowed(char::from(b))) {
        return name.to_string();
    }
    let clean = names::sanitize(name, allowed, Some('_'));
    let digest = Sha256::digest(name.as_bytes());
    let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{clean}-{short}")
}

/// The 1.x tool's file name prefixes (and ours, for Identity Center roles).
const SESSION_TOKEN: &str = ".aws_session_token_";
const ASSUME_ROLE: &str = ".aws_assume_role_";
const SSO: &str = ".aws_sso_";

/// One cache file: where it is, what it holds, and whose credentials they are (in messages:
/// `profile 'admin'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheFile {
    pub path: PathBuf,
    pub kind: Kind,
    pub label: String,
}

/// The cache's directory: the config file's, where the 1.x tool keeps its files too. The
/// directory is made (0700) only when a fetch needs it, never on the cached fast path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheDir {
    dir: PathBuf,
    /// How long a fetch waits for another run's lock.
    lock_timeout: Duration,
}

impl CacheDir {
    /// The directory of `config_file`.
    pub fn beside(config_file: &Path, lock_timeout: Duration) -> CacheDir {
        CacheDir {
            dir: config_file.parent().unwrap_or(Path::new(".")).to_path_buf(),
            lock_timeout,
        }
    }

    /// The session token of `profile`'s source profile: `.aws_session_token_<source profile>`.
    pub fn session_token(&self, profile: &Profile) -> CacheFile {
        let source = &profile.source.profile;
        CacheFile {
            path: self.path(SESSION_TOKEN, source),
            kind: Kind::SessionToken,
            label: format!("source profile '{source}'"),
        }
    }

    /// The role credentials of `profile`: `.aws_assume_role_<name>`, named by the profile, or
    /// by `<account>-<role>` for a role ARN given as the profile.
    pub fn role(&self, profile: &Profile) -> CacheFile {
        CacheFile {
            path: self.path(ASSUME_ROLE, &profile.cache_name()),
            kind: Kind::AssumeRole,
            label: format!("profile '{}'", profile.name()),
        }
    }

    /// The portal's role credentials of the Identity Center profile `sso_profile`:
    /// `.aws_sso_<profile>`.
    pub fn sso(&self, sso_profile: &str) -> CacheFile {
        CacheFile {
            path: self.path(SSO, sso_profile),
            kind: Kind::Sso,
            label: format!("profile '{sso_profile}'"),
        }
    }

    /// The files `profile`'s credentials may be cached in: its source's session token (long-term
    /// keys) or portal role credentials (Identity Center), then its role's.
    pub fn files_of(&self, profile: &Profile) -> Vec<CacheFile> {
        let mut files = Vec::new();
        match &profile.source.kind {
            SourceKind::Sso(_) => files.push(self.sso(&profile.source.profile)),
            SourceKind::File(_) | SourceKind::Environment(_) => {
                files.push(self.session_token(profile));
            }
            _ => {}
        }
        if !profile.roles.is_empty() {
            files.push(self.role(profile));
        }
        files
    }

    /// `<prefix><name>`, the name sanitised one to one.
    fn path(&self, prefix: &str, name: &str) -> PathBuf {
        let mut file = String::from(prefix);
        file.push_str(&sanitize(name));
        self.dir.join(file)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache files in the directory and what is wrong with each (`-D`).
    pub fn audit(&self) -> Vec<store::Audited> {
        store::audit(&self.dir, &[SESSION_TOKEN, ASSUME_ROLE, SSO])
    }

    /// Whether other users may replace files in the directory.
    pub fn shared(&self) -> bool {
        store::shared_dir(&self.dir)
    }

    /// How long a fetch waits for another run's lock.
    pub fn lock_timeout(&self) -> Duration {
        self.lock_timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::timeouts;

    #[test]
    fn names_are_sanitised_one_to_one() {
        let dir = CacheDir::beside(Path::new("/h/.aws/config"), timeouts::LOCK);
        assert_eq!(
            dir.path(SESSION_TOKEN, "dev"),
            Path::new("/h/.aws/.aws_session_token_dev")
        );
        assert_eq!(
            dir.path(ASSUME_ROLE, "123456789012-admin"),
            Path::new("/h/.aws/.aws_assume_role_123456789012-admin")
        );
        // A name that had to change gets a digest of itself, so no two names share a file.
        let spaced = dir.path(ASSUME_ROLE, "team a");
        let underscored = dir.path(ASSUME_ROLE, "team_a");
        assert_eq!(underscored, Path::new("/h/.aws/.aws_assume_role_team_a"));
        assert_ne!(spaced, underscored);
        let name = spaced.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".aws_assume_role_team_a-"), "{name}");
        assert!(name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.@-".contains(c)));
        assert_ne!(dir.path(ASSUME_ROLE, "a/b"), dir.path(ASSUME_ROLE, "a b"));
    }
}
