//! The credential cache: a decorator around a provider, with an explicit file.
//!
//! Files live next to the config file, one JSON object each, in the format of the Go 1.x tool
//! (`AccessKeyID`, `SecretAccessKey`, `SessionToken`, `ProviderName`, `Expiration` in unix
//! seconds) plus our own fields, which the 1.x tool ignores. A 1.x file is used as it is.
//!
//! - An entry is used while `now < Expiration - window`, the window being 10% of the
//!   credentials' own lifetime (`Expiration - Issued`, kept in our files; the configured duration
//!   for a file without it), at least 90 s, so a command never starts with credentials about to
//!   lapse, and a token that came back shorter than asked is still reused.
//! - A missing, unreadable, corrupt, unsafe (`store.rs`) or mismatched file is a miss, never an
//!   error. Mismatched: made for another role ARN, external id or MFA device, or with other source
//!   keys than the profile's.
//! - A fetch holds an exclusive lock (in our private directory, `store.rs`) and reads the file
//!   again once it has it: N concurrent runs make one STS call and ask for MFA once. A run that
//!   waits more than a second says so; after the lock timeout it gives up with an error.
//! - Writes are atomic and 0600 (`store.rs`); a failed or refused fetch leaves the old file as it
//!   was, and so does `-r` until the new credentials have arrived. A write that fails is a warning:
//!   the run goes on, but the user learns why MFA will be asked again.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use super::store::{self, Private};
use crate::credentials::{Credentials, Secret};
use crate::log::{self, debug};
use crate::time;

/// How long a run waits for another run's lock by default.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(120);
/// After this long waiting, a run says that it waits.
const LOCK_NOTICE: Duration = Duration::from_secs(1);

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
#[derive(Serialize, Deserialize)]
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
    #[serde(rename = "Issued", default, skip_serializing_if = "Option::is_none")]
    issued: Option<i64>,
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
        rename = "SourceKeyId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    source_key_id: Option<String>,
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
    /// The access key id of the long-term keys at the chain's root: an entry made with another
    /// user's keys (another profile mapped to the same file) is not ours.
    pub source_key_id: Option<String>,
}

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

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache files in the directory and what is wrong with each (`-D`).
    pub fn audit(&self) -> Vec<(PathBuf, Option<String>)> {
        store::audit(&self.dir, &[".aws_session_token_", ".aws_assume_role_"])
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

/// The seconds before expiry at which an entry stops being used: 10% of `lifetime`, at least
/// 90 s.
pub fn window(lifetime: Duration) -> i64 {
    i64::try_from(lifetime.as_secs() / 10)
        .unwrap_or(i64::MAX)
        .max(90)
}

/// Caches what `inner` gives in `path`.
pub struct Cached {
    pub inner: Box<dyn Provider>,
    pub path: PathBuf,
    pub kind: Kind,
    pub expect: Expect,
    /// The configured lifetime of these credentials: the validity window of a file that does not
    /// say when its credentials were issued.
    pub lifetime: Duration,
    /// Who these credentials are for, in messages: `profile 'admin'`.
    pub label: String,
    pub lock_timeout: Duration,
}

fn field_matches(stored: &Option<String>, expected: &Option<String>) -> bool {
    match stored {
        None => true, // a 1.x file: nothing to compare
        Some(s) => s.as_str() == expected.as_deref().unwrap_or(""),
    }
}

/// Says `message` once per run (the first cache that hits it).
fn warn_once(flag: &AtomicBool, message: std::fmt::Arguments<'_>) {
    if !flag.swap(true, Ordering::Relaxed) {
        log::warn(message);
    }
}

static SHARED_DIR_WARNED: AtomicBool = AtomicBool::new(false);
static WRITE_WARNED: AtomicBool = AtomicBool::new(false);

impl Cached {
    fn file_name(&self) -> String {
        self.path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The file's bytes, if it is there and may be trusted. `again`: the file was read before
    /// (before the lock), so an unsafe one was named already.
    fn load(&self, again: bool) -> Option<Vec<u8>> {
        let name = self.path.display();
        match store::read(&self.path) {
            store::Read::Missing => {
                debug!("cache {name}: none");
                None
            }
            store::Read::Unsafe(reason) if again => {
                debug!("cache {name}: still {reason}");
                None
            }
            store::Read::Unsafe(reason) => {
                log::warn(format_args!(
                    "ignoring the cache file {name}: it is {reason}; fetching new credentials"
                ));
                None
            }
            store::Read::Failed(e) => {
                debug!("cache {name}: unreadable ({e}), fetching new credentials");
                None
            }
            store::Read::Data(data) => {
                if store::shared_dir(self.dir()) {
                    warn_once(
                        &SHARED_DIR_WARNED,
                        format_args!(
                            "{} is writable by other users, who could replace the credential cache in it: chmod go-w it",
                            self.dir().display()
                        ),
                    );
                }
                Some(data)
            }
        }
    }

    /// The entry in the file, if it is usable now.
    /// The cached credentials, if usable and (for a renewal) newer than those being renewed.
    fn read(&self, newer_than: Option<i64>, again: bool) -> Option<Fetched> {
        let data = self.load(again)?;
        let fetched = self.usable(&data, time::unix_now())?;
        let expiration = fetched.credentials.expiration.unwrap_or(i64::MAX);
        if newer_than.is_some_and(|t| expiration <= t) {
            debug!(
                "cache {}: the credentials being renewed, fetching new ones",
                self.path.display()
            );
            return None;
        }
        Some(fetched)
    }

    /// The credentials in a cache file's `data`, if they fit this cache and are good at `now`.
    pub(crate) fn usable(&self, data: &[u8], now: i64) -> Option<Fetched> {
        let name = self.path.display();
        let entry: Entry = match serde_json::from_slice(data) {
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
        if self.kind == Kind::SessionToken
            && self.expect.mfa_serial.is_some()
            && entry.mfa_serial.is_none()
        {
            // A 1.x file does not say whether MFA made it; a role that demands MFA would refuse
            // it, so ask again rather than fail.
            debug!("cache {name}: no record of MFA, and the profile has an MFA serial");
            return None;
        }
        if !field_matches(&entry.source_key_id, &self.expect.source_key_id) {
            debug!("cache {name}: made with other source keys");
            return None;
        }
        if entry.access_key_id.is_empty() || entry.secret_access_key.is_empty() {
            debug!("cache {name}: no keys");
            return None;
        }
        let left = entry.expiration.saturating_sub(now);
        let window = window(self.entry_lifetime(&entry));
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

    /// The credentials' own lifetime when the file says when they were issued, else the
    /// configured one.
    fn entry_lifetime(&self, entry: &Entry) -> Duration {
        entry
            .issued
            .and_then(|issued| entry.expiration.checked_sub(issued))
            .and_then(|secs| u64::try_from(secs).ok())
            .filter(|secs| *secs > 0)
            .map_or(self.lifetime, Duration::from_secs)
    }

    /// The file's contents for `fetched`.
    fn entry(&self, fetched: &Fetched) -> Entry {
        let creds = &fetched.credentials;
        let text = |v: &Option<String>| Some(v.clone().unwrap_or_default());
        Entry {
            access_key_id: creds.access_key_id.clone(),
            secret_access_key: creds.secret_access_key.expose().to_string(),
            session_token: creds
                .session_token
                .as_ref()
                .map(|t| t.expose().to_string())
                .unwrap_or_default(),
            provider_name: self.kind.provider_name().to_string(),
            expiration: creds.expiration.unwrap_or_default(),
            issued: Some(time::unix_now()),
            role_arn: text(&self.expect.role_arn),
            external_id: text(&self.expect.external_id),
            mfa_serial: text(&self.expect.mfa_serial),
            source_key_id: text(&self.expect.source_key_id),
            session_name: fetched.session_name.clone(),
            caller_arn: fetched.caller_arn.clone(),
        }
    }

    /// Writes `fetched` through `private`, warning (once) when it cannot.
    fn write(&self, private: &Private, fetched: &Fetched) {
        let result = serde_json::to_vec(&self.entry(fetched))
            .map_err(std::io::Error::other)
            .and_then(|json| private.write(&self.path, &self.file_name(), &json));
        match result {
            Ok(()) => debug!("cache {}: written", self.path.display()),
            Err(e) => warn_once(
                &WRITE_WARNED,
                format_args!(
                    "cannot write the credential cache {} ({e}); the next run will fetch again{}",
                    self.path.display(),
                    if self.expect.mfa_serial.is_some() {
                        " and ask for an MFA code"
                    } else {
                        ""
                    }
                ),
            ),
        }
    }

    /// Takes the lock of this cache file, saying so when another run holds it for long, and
    /// giving up after the lock timeout. `None`: no lock could be had (the run goes on).
    fn lock(&self, private: &Private) -> Result<Option<File>, CredsError> {
        let file = match private.lock_file(&self.file_name()) {
            Ok(f) => f,
            Err(e) => {
                // Without a lock the run still works; concurrent runs may then each fetch.
                debug!(
                    "cannot lock {} ({e}); going on without the lock",
                    self.path.display()
                );
                return Ok(None);
            }
        };
        let started = Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(file)),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => {
                    debug!(
                        "cannot lock {} ({e}); going on without the lock",
                        self.path.display()
                    );
                    return Ok(None);
                }
            }
            let waited = started.elapsed();
            if waited >= self.lock_timeout {
                return Err(CredsError::LockTimeout {
                    label: self.label.clone(),
                    waited: self.lock_timeout,
                });
            }
            if !told && waited >= LOCK_NOTICE {
                told = true;
                log::note(format_args!(
                    "waiting for another aws-runas that is fetching the credentials of {} (at most {}s)",
                    self.label,
                    self.lock_timeout.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Provider for Cached {
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        if !ctx.refresh {
            if let Some(fetched) = self.read(ctx.newer_than, false) {
                return Ok(fetched);
            }
        }
        let private = match Private::open(self.dir()) {
            Ok(p) => p,
            Err(reason) => {
                warn_once(
                    &WRITE_WARNED,
                    format_args!(
                        "cannot use the credential cache: {reason}; nothing will be cached"
                    ),
                );
                return self.inner.retrieve(ctx);
            }
        };
        let _lock = self.lock(&private)?;
        private.clean(self.dir(), &self.file_name());
        // Another run may have fetched while we waited for the lock.
        if !ctx.refresh {
            if let Some(fetched) = self.read(ctx.newer_than, true) {
                return Ok(fetched);
            }
        }
        let fetched = self.inner.retrieve(ctx)?;
        self.write(&private, &fetched);
        Ok(fetched)
    }

    fn invalidate(&self) -> bool {
        debug!("cache {}: refused by AWS, discarding", self.path.display());
        let _ = std::fs::remove_file(&self.path);
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
    use std::fs;
    use std::os::unix::fs::PermissionsExt;
    use std::sync::atomic::AtomicU32;
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
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }

    fn cache_dir(dir: &Path) -> CacheDir {
        CacheDir::beside(&dir.join("config"), LOCK_TIMEOUT)
    }

    fn cached(dir: &Path, expires_in: i64, calls: &Calls) -> Cached {
        Cached {
            inner: Box::new(Fixed {
                calls: calls.clone(),
                expires_in,
            }),
            path: cache_dir(dir).assume_role_file("admin"),
            kind: Kind::AssumeRole,
            expect: Expect {
                role_arn: Some("arn:aws:iam::123456789012:role/admin".into()),
                source_key_id: Some("AKIADEV".into()),
                ..Expect::default()
            },
            lifetime: Duration::from_secs(3600),
            label: "profile 'admin'".into(),
            lock_timeout: LOCK_TIMEOUT,
        }
    }

    fn retrieve_with(c: &Cached, refresh: bool) -> Fetched {
        let agent = Agent::new();
        let mut mfa = Mfa::new(None, Asker::Nobody);
        let mut ctx = Ctx {
            agent: &agent,
            mfa: &mut mfa,
            refresh,
            newer_than: None,
        };
        c.retrieve(&mut ctx).unwrap()
    }

    fn retrieve(c: &Cached) -> Fetched {
        retrieve_with(c, false)
    }

    fn calls(n: u32) -> Calls {
        Arc::new(AtomicU32::new(n))
    }

    fn count(calls: &Calls) -> u32 {
        calls.load(Ordering::SeqCst)
    }

    /// Writes a cache file by hand, 0600.
    fn plant(path: &Path, json: &str) {
        fs::write(path, json).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
    }

    #[test]
    fn window_arithmetic() {
        assert_eq!(window(Duration::from_secs(3600)), 360);
        assert_eq!(window(Duration::from_secs(43_200)), 4320);
        assert_eq!(window(Duration::from_secs(600)), 90);
        assert_eq!(window(Duration::from_secs(900)), 90);
        assert_eq!(
            window(Duration::from_secs(u64::MAX)),
            i64::try_from(u64::MAX / 10).unwrap()
        );
    }

    #[test]
    fn names_are_sanitised_one_to_one() {
        let dir = CacheDir::beside(Path::new("/h/.aws/config"), LOCK_TIMEOUT);
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

    #[test]
    fn hit_miss_and_private_files() {
        let dir = temp_dir("hit");
        let calls = calls(0);
        let c = cached(&dir, 3600, &calls);
        let first = retrieve(&c);
        let second = retrieve(&c);
        assert_eq!(count(&calls), 1);
        assert_eq!(first.credentials, second.credentials);
        // Who the credentials were made for is kept with them.
        assert_eq!(
            second.caller_arn.as_deref(),
            Some("arn:aws:iam::123456789012:user/alice")
        );
        assert_eq!(second.session_name.as_deref(), Some("alice"));
        let mode = fs::metadata(&c.path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = fs::read_to_string(&c.path).unwrap();
        for field in [
            "\"ProviderName\":\"AssumeRoleProvider\"",
            "\"SourceKeyId\":\"AKIADEV\"",
            "\"Issued\":",
        ] {
            assert!(text.contains(field), "{field} in {text}");
        }
        // The lock is in our private directory, not beside the cache file.
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".lock")), "{names:?}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn entries_inside_the_window_are_refreshed() {
        let dir = temp_dir("window");
        let calls = calls(0);
        // Expires in 80 s, inside the 90 s floor: every read is a miss.
        let c = cached(&dir, 80, &calls);
        retrieve(&c);
        retrieve(&c);
        assert_eq!(count(&calls), 2);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_window_is_a_tenth_of_the_credentials_own_lifetime() {
        let dir = temp_dir("own-lifetime");
        let calls = calls(0);
        // Configured for 12h (window 72 min), but these were issued for 1h and have 50 min left:
        // a tenth of their own lifetime is 6 min, so they are still good.
        let mut c = cached(&dir, 3000, &calls);
        c.lifetime = Duration::from_secs(12 * 3600);
        let now = time::unix_now();
        let entry = format!(
            r#"{{"AccessKeyID":"ASIASHORT","SecretAccessKey":"s","SessionToken":"t","Expiration":{},"Issued":{},"RoleArn":"arn:aws:iam::123456789012:role/admin","ExternalId":"","MfaSerial":"","SourceKeyId":"AKIADEV"}}"#,
            now + 3000,
            now - 600
        );
        plant(&c.path, &entry);
        assert_eq!(retrieve(&c).credentials.access_key_id, "ASIASHORT");
        assert_eq!(count(&calls), 0);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn corrupt_mismatched_and_absurd_files_are_misses() {
        let dir = temp_dir("corrupt");
        let calls = calls(0);
        let c = cached(&dir, 3600, &calls);
        for bad in [
            "{not json",
            "",
            "[]",
            r#"{"AccessKeyID":"","SecretAccessKey":"","Expiration":9999999999}"#,
            r#"{"AccessKeyID":"ASIA","SecretAccessKey":"s","SessionToken":"t","Expiration":9999999999,"RoleArn":"arn:aws:iam::123456789012:role/other"}"#,
            // Made with another user's keys (another profile mapped to this file).
            r#"{"AccessKeyID":"ASIA","SecretAccessKey":"s","SessionToken":"t","Expiration":9999999999,"SourceKeyId":"AKIAOTHER"}"#,
            // An expiration that would wrap around.
            r#"{"AccessKeyID":"ASIA","SecretAccessKey":"s","SessionToken":"t","Expiration":-9223372036854775808}"#,
        ] {
            plant(&c.path, bad);
            let before = count(&calls);
            retrieve(&c);
            assert_eq!(count(&calls), before + 1, "{bad}");
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refresh_replaces_the_entry_only_once_new_credentials_arrive() {
        let dir = temp_dir("refresh");
        let calls = calls(0);
        let c = cached(&dir, 3600, &calls);
        let first = retrieve(&c);
        let refreshed = retrieve_with(&c, true);
        assert_eq!(count(&calls), 2);
        assert_ne!(first.credentials, refreshed.credentials);
        assert_eq!(retrieve(&c).credentials, refreshed.credentials);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_go_1x_file_is_used_as_is() {
        let dir = temp_dir("go");
        let calls = calls(0);
        let c = cached(&dir, 3600, &calls);
        let go = include_str!("../../fixtures/cache_go1x.json")
            .replace("EXPIRATION", &(time::unix_now() + 3000).to_string());
        plant(&c.path, &go);
        let creds = retrieve(&c).credentials;
        assert_eq!(count(&calls), 0);
        assert_eq!(creds.access_key_id, "ASIAGOWROTETHISKEY01");
        assert_eq!(creds.session_token.unwrap().expose(), "go-session-token");
        fs::remove_dir_all(dir).unwrap();
    }
}
