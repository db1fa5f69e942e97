//! Where the cache files are: the config file's directory (where the 1.x tool keeps its files
//! too), under names the 1.x tool uses, sanitised one to one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::creds::store;

/// Keeps only `[A-Za-z0-9_.@-]` of a name used in a file name. When anything had to change, a
/// short digest of the name is appended, so two names never share a file (`team a` and `team_a`).
pub fn sanitize(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.@-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean == name {
        return clean;
    }
    let digest = Sha256::digest(name.as_bytes());
    let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{clean}-{short}")
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

    /// `.aws_session_token_<source profile>`.
    pub fn session_token_file(&self, source_profile: &str) -> PathBuf {
        self.dir
            .join(format!(".aws_session_token_{}", sanitize(source_profile)))
    }

    /// `.aws_assume_role_<name>` (name: the profile, or `<account>-<role>` for a role ARN).
    pub fn assume_role_file(&self, name: &str) -> PathBuf {
        self.dir
            .join(format!(".aws_assume_role_{}", sanitize(name)))
    }

    /// `.aws_sso_<profile>`: an Identity Center profile's role credentials.
    pub fn sso_file(&self, profile: &str) -> PathBuf {
        self.dir.join(format!(".aws_sso_{}", sanitize(profile)))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache files in the directory and what is wrong with each (`-D`).
    pub fn audit(&self) -> Vec<(PathBuf, Option<String>)> {
        store::audit(
            &self.dir,
            &[".aws_session_token_", ".aws_assume_role_", ".aws_sso_"],
        )
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
            dir.session_token_file("dev"),
            Path::new("/h/.aws/.aws_session_token_dev")
        );
        assert_eq!(
            dir.assume_role_file("123456789012-admin"),
            Path::new("/h/.aws/.aws_assume_role_123456789012-admin")
        );
        // A name that had to change gets a digest of itself, so no two names share a file.
        let spaced = dir.assume_role_file("team a");
        let underscored = dir.assume_role_file("team_a");
        assert_eq!(underscored, Path::new("/h/.aws/.aws_assume_role_team_a"));
        assert_ne!(spaced, underscored);
        let name = spaced.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".aws_assume_role_team_a-"), "{name}");
        assert!(name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.@-".contains(c)));
        assert_ne!(dir.assume_role_file("a/b"), dir.assume_role_file("a b"));
    }
}
