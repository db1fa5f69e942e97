//! The credential cache: a decorator around a provider, with an explicit file. What a file holds
//! and when it may be used is `entry.rs`; where the files are, `dir.rs`; what `-D` says of one,
//! `state.rs`; how they are opened, locked and written, `store.rs` (shared with any other cache
//! of ours).
//!
//! - A missing, unreadable, corrupt, unsafe (`store.rs`) or mismatched file is a miss, never an
//!   error.
//! - A fetch holds an exclusive lock and reads the file again once it has it: N concurrent runs
//!   make one STS call and ask for MFA once. A run that waits more than a second says so; after
//!   the lock timeout it gives up with an error.
//! - Writes are atomic and 0600 (`store.rs`); a failed or refused fetch leaves the old file as it
//!   was, and so does `-r` until the new credentials have arrived. A write that fails is a warning:
//!   the run goes on, but the user learns why MFA will be asked again.
//! - A file is removed (`--sso-logout`) holding its lock ([`remove`]), so that a run fetching into
//!   it finishes first and what it wrote goes too.

mod dir;
mod entry;
mod state;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use dir::{CacheDir, CacheFile};
use entry::Entry;
pub use entry::{Expect, Kind, Standing};
pub use state::{Slot, State};

use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use super::store::{self, Private};
use crate::log::{self, debug};
use crate::time;

/// Caches what `inner` gives in one file.
pub struct Cached {
    inner: Box<dyn Provider>,
    path: PathBuf,
    kind: Kind,
    expect: Expect,
    /// The configured lifetime of these credentials: the validity window of a file that does not
    /// say when its credentials were issued.
    lifetime: Duration,
    /// Who these credentials are for, in messages: `profile 'admin'`.
    label: String,
    lock_timeout: Duration,
}

/// Says `message` once per run (the first cache that hits it).
fn warn_once(flag: &AtomicBool, message: std::fmt::Arguments<'_>) {
    if !flag.swap(true, Ordering::Relaxed) {
        log::warn(message);
    }
}

/// A credential cache file, in messages.
const FILE: store::FileKind = store::FileKind {
    tag: "cache",
    noun: "cache file",
    instead: "fetching new credentials",
};

static SHARED_DIR_WARNED: AtomicBool = AtomicBool::new(false);
static WRITE_WARNED: AtomicBool = AtomicBool::new(false);

impl Cached {
    /// Caches what `inner` gets in `file`, made for `expect`; `lifetime` is the credentials'
    /// configured lifetime.
    pub fn new(
        inner: Box<dyn Provider>,
        cache: &CacheDir,
        file: CacheFile,
        expect: Expect,
        lifetime: Duration,
    ) -> Cached {
        Cached {
            inner,
            path: file.path,
            kind: file.kind,
            expect,
            lifetime,
            label: file.label,
            lock_timeout: cache.lock_timeout(),
        }
    }

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
        let data = store::read_trusted(&self.path, &FILE, again)?;
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
        let name = self.path.display().to_string();
        let entry = match Entry::parse(data) {
            Ok(e) => e,
            Err(e) => {
                debug!("cache {name}: corrupt ({e}), fetching new credentials");
                return None;
            }
        };
        entry.usable(&name, self.kind, &self.expect, self.lifetime, now)
    }

    /// Writes `fetched` through `private`, warning (once) when it cannot; not at all when they
    /// came from an Identity Center login whose token file no longer holds the token they were
    /// fetched with (called with the file's lock held, which `--sso-logout` takes to remove
    /// the file).
    fn write(&self, private: &Private, fetched: &Fetched) {
        if fetched
            .sso_token
            .as_ref()
            .is_some_and(|t| !t.still_in_file())
        {
            return debug!(
                "cache {}: not written, the IAM Identity Center login they came from was ended or replaced meanwhile",
                self.path.display()
            );
        }
        let result = Entry::new(fetched, self.kind, &self.expect)
            .to_json()
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
        hold(private, &self.path, &self.label, self.lock_timeout)
    }
}

/// The lock of the cache file at `path`, whose credentials are `label`'s (see `Cached::lock`).
fn hold(
    private: &Private,
    path: &Path,
    label: &str,
    timeout: Duration,
) -> Result<Option<File>, CredsError> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let doing = format!("fetching the credentials of {label}");
    private.hold(&name, timeout, label, &doing)
}

/// Removes `file` holding its lock (`--sso-logout`): a run fetching into it now finishes first,
/// and what it wrote goes too. Whether there was a file; one that cannot be removed is a
/// warning.
pub fn remove(cache: &CacheDir, file: &CacheFile) -> Result<bool, CredsError> {
    // No directory, no file, and no run fetching into one (a fetch makes the directory before
    // it locks): nothing is made here only to be empty.
    if !cache.dir().is_dir() {
        return Ok(false);
    }
    // Without our private directory no run writes here either (see `retrieve`): no lock needed.
    let _lock = match Private::open(cache.dir()) {
        Ok(private) => hold(&private, &file.path, &file.label, cache.lock_timeout())?,
        Err(reason) => {
            debug!("cannot use the credential cache: {reason}; removing without the lock");
            None
        }
    };
    match std::fs::remove_file(&file.path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => {
            log::warn(format_args!("cannot remove {} ({e})", file.path.display()));
            Ok(false)
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
        private.clean(&self.file_name());
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

    fn describe(&self) -> String {
        format!("Cached({})", self.inner.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::http::Agent;
    use crate::config::timeouts;
    use crate::credentials::{Credentials, Secret};
    use crate::creds::mfa::Mfa;
    use crate::creds::terminal::Person;
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
                sso_token: None,
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
        CacheDir::beside(&dir.join("config"), timeouts::LOCK)
    }

    fn cached(dir: &Path, expires_in: i64, calls: &Calls) -> Cached {
        let fixed = Box::new(Fixed {
            calls: calls.clone(),
            expires_in,
        });
        let expect = Expect {
            role_arn: Some("arn:aws:iam::123456789012:role/admin".into()),
            source_key_id: Some("AKIADEV".into()),
            ..Expect::default()
        };
        let lifetime = Duration::from_secs(3600);
        let file = CacheFile {
            path: dir.join(".aws_assume_role_admin"),
            kind: Kind::AssumeRole,
            label: "profile 'admin'".into(),
        };
        Cached::new(fixed, &cache_dir(dir), file, expect, lifetime)
    }

    fn retrieve_with(c: &Cached, refresh: bool) -> Fetched {
        let agent = Agent::new();
        let mut mfa = Mfa::new(None);
        let mut ctx = Ctx {
            agent: &agent,
            mfa: &mut mfa,
            person: &Person::nobody(),
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

    /// A provider of Identity Center role credentials whose login is ended (its token file
    /// removed, as `--sso-logout` does) while it fetches, when `ended`.
    struct FromLogin {
        login: crate::config::sso::Login,
        ended: bool,
    }

    impl Provider for FromLogin {
        fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
            let token = crate::creds::sso::token::read(&self.login, false).unwrap();
            let mut fetched = Fixed {
                calls: calls(0),
                expires_in: 3600,
            }
            .retrieve(ctx)?;
            fetched.sso_token = Some(token.used(&self.login));
            if self.ended {
                fs::remove_file(crate::creds::sso::token::path(&self.login)).unwrap();
            }
            Ok(fetched)
        }
        fn describe(&self) -> String {
            "FromLogin".into()
        }
    }

    #[test]
    fn credentials_from_a_login_ended_while_fetching_them_are_not_cached() {
        let dir = temp_dir("ended");
        let login = crate::config::sso::Login {
            cache_dir: dir.join("sso"),
            ..crate::config::sso::Login::sample()
        };
        fs::create_dir_all(&login.cache_dir).unwrap();
        for ended in [false, true] {
            let token = crate::creds::sso::token::path(&login);
            plant(
                &token,
                r#"{"accessToken":"a","expiresAt":"2099-01-01T00:00:00Z"}"#,
            );
            let from_login = FromLogin {
                login: login.clone(),
                ended,
            };
            let mut c = cached(&dir, 3600, &calls(0));
            c.inner = Box::new(from_login);
            let _ = fs::remove_file(&c.path);
            // The run gets its credentials either way; only a live login's are kept.
            assert!(retrieve(&c)
                .credentials
                .access_key_id
                .starts_with("ASIAFIXED"));
            assert_eq!(c.path.exists(), !ended, "ended: {ended}");
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn removing_a_file_waits_for_the_run_that_holds_its_lock() {
        let dir = temp_dir("remove");
        let calls = calls(0);
        let c = cached(&dir, 3600, &calls);
        retrieve(&c);
        let file = CacheFile {
            path: c.path.clone(),
            kind: Kind::AssumeRole,
            label: "profile 'admin'".into(),
        };
        let cache = CacheDir::beside(&dir.join("config"), Duration::from_millis(200));
        let private = Private::open(&dir).unwrap();
        let held = private.lock(&c.file_name(), Duration::ZERO, || {});
        assert!(matches!(held, store::Locked::Held(_)));
        let waited = remove(&cache, &file);
        assert!(
            matches!(waited, Err(CredsError::LockTimeout { .. })),
            "{waited:?}"
        );
        assert!(c.path.exists());
        drop(held);
        assert!(remove(&cache, &file).unwrap());
        assert!(!c.path.exists());
        assert!(!remove(&cache, &file).unwrap());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_go_1x_file_is_used_as_is() {
        let dir = temp_dir("go");
        let calls = calls(0);
        let c = cached(&dir, 3600, &calls);
        let go = include_str!("../../../fixtures/cache_go1x.json")
            .replace("EXPIRATION", &(time::unix_now() + 3000).to_string());
        plant(&c.path, &go);
        let creds = retrieve(&c).credentials;
        assert_eq!(count(&calls), 0);
        assert_eq!(creds.access_key_id, "ASIAGOWROTETHISKEY01");
        assert_eq!(creds.session_token.unwrap().expose(), "go-session-token");
        fs::remove_dir_all(dir).unwrap();
    }
}
