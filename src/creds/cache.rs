//! The credential cache: a decorator around a provider, with an explicit file.
//!
//! Files live next to the config file, one JSON object each, in the format of the Go 1.x tool
//! (`AccessKeyID`, `SecretAccessKey`, `SessionToken`, `ProviderName`, `Expiration` in unix
//! seconds) plus our own fields, which the 1.x tool ignores. A 1.x file is used as it is.
//!
//! - An entry is used while `now < Expiration - window`, the window being 10% of the configured
//!   lifetime (90 s when that is under 15 minutes), so a command never starts with credentials
//!   about to lapse.
//! - A missing, unreadable, corrupt or mismatched (other role ARN, external id or MFA device)
//!   file is a miss, never an error.
//! - A fetch holds an exclusive lock (`<file>.lock`, flock) and reads the file again once it has
//!   it: N concurrent runs make one STS call and ask for MFA once.
//! - Writes are atomic (temp file in the same directory, fsync, rename) and 0600; a failed fetch
//!   leaves the old file as it was.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use crate::credentials::{Credentials, Secret};
use crate::log::debug;
use crate::time;

/// What an entry was made by, in the 1.x tool's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SessionToken,
    AssumeRole,
}

impl Kind {
    fn provider_name(self) -> &'static str {
        match self {
            Kind::SessionToken => "SessionTokenProvider",
            Kind::AssumeRole => "AssumeRoleProvider",
        }
    }
}

/// One cache file's contents.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
struct Entry {
    #[serde(rename = "AccessKeyID")]
    access_key_id: String,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: String,
    #[serde(rename = "SessionToken", default)]
    session_token: String,
    #[serde(rename = "ProviderName", default)]
    provider_name: String,
    #[serde(rename = "Expiration")]
    expiration: i64,
    // Ours. Absent in a 1.x file (then not checked); always written by us.
    #[serde(rename = "RoleArn", default, skip_serializing_if = "Option::is_none")]
    role_arn: Option<String>,
    #[serde(
        rename = "ExternalId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    external_id: Option<String>,
    #[serde(rename = "MfaSerial", default, skip_serializing_if = "Option::is_none")]
    mfa_serial: Option<String>,
    #[serde(
        rename = "SessionName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    session_name: Option<String>,
    #[serde(rename = "CallerArn", default, skip_serializing_if = "Option::is_none")]
    caller_arn: Option<String>,
}

/// What a usable entry must have been made for. `None` fields are written as empty strings, so
/// an entry made without (say) MFA does not pass for one made with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    pub mfa_serial: Option<String>,
}

/// Keeps only `[A-Za-z0-9_.@-]` of a name used in a file name.
pub fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.@-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The cache's directory: the config file's, where the 1.x tool keeps its files too. The
/// directory is made (0700) only when a fetch needs it, never on the cached fast path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheDir(PathBuf);

impl CacheDir {
    /// The directory of `config_file`.
    pub fn beside(config_file: &Path) -> CacheDir {
        CacheDir(config_file.parent().unwrap_or(Path::new(".")).to_path_buf())
    }

    /// `.aws_session_token_<source profile>`.
    pub fn session_token_file(&self, source_profile: &str) -> PathBuf {
        self.0
            .join(format!(".aws_session_token_{}", sanitize(source_profile)))
    }

    /// `.aws_assume_role_<name>` (name: the profile, or `<account>-<role>` for a role ARN).
    pub fn assume_role_file(&self, name: &str) -> PathBuf {
        self.0.join(format!(".aws_assume_role_{}", sanitize(name)))
    }
}

/// The seconds before expiry at which an entry stops being used.
pub fn window(lifetime: Duration) -> i64 {
    if lifetime < Duration::from_secs(900) {
        90
    } else {
        (lifetime.as_secs() / 10) as i64
    }
}

/// Caches what `inner` gives in `path`.
pub struct Cached {
    pub inner: Box<dyn Provider>,
    pub path: PathBuf,
    pub kind: Kind,
    pub expect: Expect,
    /// The configured lifetime of these credentials, for the validity window.
    pub lifetime: Duration,
}

fn field_matches(stored: &Option<String>, expected: &Option<String>) -> bool {
    match stored {
        None => true, // a 1.x file: nothing to compare
        Some(s) => s.as_str() == expected.as_deref().unwrap_or(""),
    }
}

impl Cached {
    /// The entry in the file, if it is usable now.
    fn read(&self) -> Option<Fetched> {
        let name = self.path.display();
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                debug!("cache {name}: none");
                return None;
            }
            Err(e) => {
                debug!("cache {name}: unreadable ({e}), fetching new credentials");
                return None;
            }
        };
        let entry: Entry = match serde_json::from_str(&text) {
            Ok(e) => e,
            Err(e) => {
                debug!("cache {name}: corrupt ({e}), fetching new credentials");
                return None;
            }
        };
        if !field_matches(&entry.role_arn, &self.expect.role_arn)
            || !field_matches(&entry.external_id, &self.expect.external_id)
            || !field_matches(&entry.mfa_serial, &self.expect.mfa_serial)
        {
            debug!("cache {name}: made for another role, external id or MFA device");
            return None;
        }
        if entry.access_key_id.is_empty() || entry.secret_access_key.is_empty() {
            debug!("cache {name}: no keys");
            return None;
        }
        let left = entry.expiration - time::unix_now();
        let window = window(self.lifetime);
        if left <= window {
            debug!("cache {name}: expires in {left}s (refreshing {window}s before expiry)");
            return None;
        }
        debug!(
            "cache {name}: valid for {left}s, key {}",
            entry.access_key_id
        );
        Some(Fetched {
            credentials: Credentials {
                access_key_id: entry.access_key_id,
                secret_access_key: Secret::new(entry.secret_access_key),
                session_token: Some(entry.session_token)
                    .filter(|t| !t.is_empty())
                    .map(Secret::new),
                expiration: Some(entry.expiration),
            },
            caller_arn: entry.caller_arn.filter(|a| !a.is_empty()),
            session_name: entry.session_name,
        })
    }

    /// Writes `fetched` atomically, 0600.
    fn write(&self, fetched: &Fetched) -> std::io::Result<()> {
        let creds = &fetched.credentials;
        let entry = Entry {
            access_key_id: creds.access_key_id.clone(),
            secret_access_key: creds.secret_access_key.expose().to_string(),
            session_token: creds
                .session_token
                .as_ref()
                .map(|t| t.expose().to_string())
                .unwrap_or_default(),
            provider_name: self.kind.provider_name().to_string(),
            expiration: creds.expiration.unwrap_or_default(),
            role_arn: Some(self.expect.role_arn.clone().unwrap_or_default()),
            external_id: Some(self.expect.external_id.clone().unwrap_or_default()),
            mfa_serial: Some(self.expect.mfa_serial.clone().unwrap_or_default()),
            session_name: fetched.session_name.clone(),
            caller_arn: fetched.caller_arn.clone(),
        };
        let json = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let file_name = self.path.file_name().unwrap_or_default().to_string_lossy();
        let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = open_private(&temp, true)?;
            file.write_all(&json)?;
            file.sync_all()?;
            fs::rename(&temp, &self.path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }

    fn lock_path(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        self.path.with_file_name(name)
    }
}

/// Opens `path` for writing, creating it readable by its owner only (0600); `truncate` empties
/// it (a temp file to fill), else its contents stay (a lock file).
fn open_private(path: &Path, truncate: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options
        .read(true)
        .write(true)
        .create(true)
        .truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Makes the cache directory (0700) if it is missing; only a fetch needs it, never the cached
/// fast path.
fn ensure_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Holds `<cache file>.lock` exclusively until dropped. The lock file itself stays: removing it
/// would let two runs lock two different files.
struct Lock(Option<File>);

impl Lock {
    fn take(path: &Path) -> Lock {
        let file = ensure_dir(path.parent().unwrap_or(Path::new(".")))
            .and_then(|()| open_private(path, false))
            .and_then(|f| f.lock().map(|()| f));
        match file {
            Ok(f) => Lock(Some(f)),
            Err(e) => {
                // Without a lock the run still works; concurrent runs may then each fetch.
                debug!(
                    "cannot lock {} ({e}); going on without the lock",
                    path.display()
                );
                Lock(None)
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(f) = &self.0 {
            let _ = f.unlock();
        }
    }
}

impl Provider for Cached {
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        if let Some(fetched) = self.read() {
            return Ok(fetched);
        }
        let _lock = Lock::take(&self.lock_path());
        // Another run may have fetched while we waited for the lock.
        if let Some(fetched) = self.read() {
            return Ok(fetched);
        }
        let fetched = self.inner.retrieve(ctx)?;
        match self.write(&fetched) {
            Ok(()) => debug!("cache {}: written", self.path.display()),
            Err(e) => debug!("cache {}: not written ({e})", self.path.display()),
        }
        Ok(fetched)
    }

    fn discard(&self) {
        self.inner.discard();
        match fs::remove_file(&self.path) {
            Ok(()) => debug!("refresh: removed {}", self.path.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => debug!("refresh: cannot remove {} ({e})", self.path.display()),
        }
    }

    fn invalidate(&self) -> bool {
        debug!("cache {}: refused by AWS, discarding", self.path.display());
        let _ = fs::remove_file(&self.path);
        true
    }

    #[cfg(test)]
    fn cache_files(&self) -> Vec<PathBuf> {
        let mut files = self.inner.cache_files();
        files.push(self.path.clone());
        files
    }

    fn describe(&self) -> String {
        format!("Cached({})", self.inner.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::http::Agent;
    use crate::creds::mfa::{Asker, Mfa};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    type Calls = Arc<AtomicU32>;

    /// A provider that counts its calls and hands out fixed credentials.
    struct Fixed {
        calls: Calls,
        expires_in: i64,
    }

    impl Provider for Fixed {
        fn retrieve(&self, _ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Fetched {
                credentials: Credentials {
                    access_key_id: format!("ASIAFIXED{n}"),
                    secret_access_key: Secret::new("secret"),
                    session_token: Some(Secret::new("token")),
                    expiration: Some(time::unix_now() + self.expires_in),
                },
                caller_arn: Some("arn:aws:iam::123456789012:user/alice".into()),
                session_name: Some("alice".into()),
            })
        }
        fn describe(&self) -> String {
            "Fixed".into()
        }
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("aws-runas-cache-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn cached(dir: &Path, expires_in: i64, calls: &Calls) -> Cached {
        Cached {
            inner: Box::new(Fixed {
                calls: calls.clone(),
                expires_in,
            }),
            path: CacheDir(dir.to_path_buf()).assume_role_file("admin"),
            kind: Kind::AssumeRole,
            expect: Expect {
                role_arn: Some("arn:aws:iam::123456789012:role/admin".into()),
                ..Expect::default()
            },
            lifetime: Duration::from_secs(3600),
        }
    }

    fn retrieve(c: &Cached) -> Fetched {
        let agent = Agent::new();
        let mut mfa = Mfa::new(None, Asker::Nobody);
        let mut ctx = Ctx {
            agent: &agent,
            mfa: &mut mfa,
        };
        c.retrieve(&mut ctx).unwrap()
    }

    fn calls(n: u32) -> Calls {
        Arc::new(AtomicU32::new(n))
    }

    #[test]
    fn window_arithmetic() {
        assert_eq!(window(Duration::from_secs(3600)), 360);
        assert_eq!(window(Duration::from_secs(43_200)), 4320);
        assert_eq!(window(Duration::from_secs(600)), 90);
        assert_eq!(window(Duration::from_secs(900)), 90);
    }

    #[test]
    fn names_are_sanitised() {
        let dir = CacheDir::beside(Path::new("/h/.aws/config"));
        assert_eq!(
            dir.session_token_file("dev"),
            Path::new("/h/.aws/.aws_session_token_dev")
        );
        assert_eq!(
            dir.assume_role_file("a/b c"),
            Path::new("/h/.aws/.aws_assume_role_a_b_c")
        );
        assert_eq!(
            dir.assume_role_file("123456789012-admin"),
            Path::new("/h/.aws/.aws_assume_role_123456789012-admin")
        );
    }

    #[test]
    fn hit_miss_and_private_files() {
        let dir = temp_dir("hit");
        let calls = calls(0);
        let c = cached(&dir, 3600, &calls);
        let first = retrieve(&c);
        let second = retrieve(&c);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(first.credentials, second.credentials);
        // Who the credentials were made for is kept with them.
        assert_eq!(
            second.caller_arn.as_deref(),
            Some("arn:aws:iam::123456789012:user/alice")
        );
        assert_eq!(second.session_name.as_deref(), Some("alice"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&c.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let text = fs::read_to_string(&c.path).unwrap();
        assert!(
            text.contains("\"ProviderName\":\"AssumeRoleProvider\""),
            "{text}"
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn entries_inside_the_window_are_refreshed() {
        let dir = temp_dir("window");
        let calls = calls(0);
        // Expires in 300 s; the window for 1h is 360 s: every read is a miss.
        let c = cached(&dir, 300, &calls);
        retrieve(&c);
        retrieve(&c);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn corrupt_and_mismatched_files_are_misses() {
        let dir = temp_dir("corrupt");
        let calls = calls(0);
        let c = cached(&dir, 3600, &calls);
        for bad in [
            "{not json",
            "",
            "[]",
            r#"{"AccessKeyID":"","SecretAccessKey":"","Expiration":9999999999}"#,
            r#"{"AccessKeyID":"ASIA","SecretAccessKey":"s","SessionToken":"t","Expiration":9999999999,"RoleArn":"arn:aws:iam::123456789012:role/other"}"#,
        ] {
            fs::write(&c.path, bad).unwrap();
            let before = calls.load(Ordering::SeqCst);
            retrieve(&c);
            assert_eq!(calls.load(Ordering::SeqCst), before + 1, "{bad}");
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_go_1x_file_is_used_as_is() {
        let dir = temp_dir("go");
        let calls = calls(0);
        let c = cached(&dir, 3600, &calls);
        let go = include_str!("../../fixtures/cache_go1x.json")
            .replace("EXPIRATION", &(time::unix_now() + 3000).to_string());
        fs::write(&c.path, go).unwrap();
        let creds = retrieve(&c).credentials;
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(creds.access_key_id, "ASIAGOWROTETHISKEY01");
        assert_eq!(creds.session_token.unwrap().expose(), "go-session-token");
        fs::remove_dir_all(dir).unwrap();
    }
}
