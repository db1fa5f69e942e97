//! The credentials an endpoint serves: held in memory with their answers prepared, and renewed
//! in the background before they expire, so no request waits on STS.
//!
//! Renewal asks the run's own chain (through the disk cache, so a cached session token keeps it
//! silent; MFA is asked only when the session token itself must be renewed). A renewal that fails
//! keeps the old credentials served while they are valid, says so once, and tries again; expired
//! credentials are never served.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::thread;
use std::time::Duration;

use super::json;
use crate::credentials::Credentials;
use crate::credentials::MfaCode;
use crate::creds::error::CredsError;
use crate::log;
use crate::time::{self, rfc3339};

/// What a fetch is asked for.
#[derive(Debug, Clone, Default)]
pub struct Want {
    /// Credentials newer than those expiring then (a renewal); `None`: the cache's are fine.
    pub newer_than: Option<i64>,
    /// An MFA code someone typed into the console, for this fetch.
    pub code: Option<MfaCode>,
    /// Whether the terminal may be asked for a code (the background renewal).
    pub ask_terminal: bool,
}

/// Gets credentials for one profile (its chain, through the cache).
pub type Fetch = Box<dyn FnMut(Want) -> Result<Credentials, CredsError> + Send>;

/// Whom the served credentials are for.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The profile (or role ARN) they were made for.
    pub profile: String,
    /// The name the instance-metadata paths use: the role's, else the profile's.
    pub role_name: String,
    pub account: Option<String>,
    pub region: Option<String>,
}

/// One set of credentials and the answers made from it.
pub struct Served {
    pub credentials: Credentials,
    /// When we got them (unix seconds).
    pub fetched_at: i64,
    pub identity: Identity,
    /// The instance-metadata credentials document.
    pub imds: Vec<u8>,
    /// The container-credentials document.
    pub ecs: Vec<u8>,
}

impl Served {
    fn new(credentials: Credentials, identity: Identity) -> Served {
        let fetched_at = time::unix_now();
        Served {
            imds: json::imds_credentials(&credentials, fetched_at),
            ecs: json::ecs_credentials(&credentials),
            credentials,
            fetched_at,
            identity,
        }
    }

    /// Whether the credentials are past their expiration at `now`.
    pub fn expired(&self, now: i64) -> bool {
        self.credentials.expiration.is_some_and(|e| now >= e)
    }
}

/// The served credentials, shared by the request threads, the renewal thread and the console.
pub struct Holder {
    current: RwLock<Arc<Served>>,
    /// How the current credentials are renewed, and a count of switches (the renewal thread
    /// starts over when the profile changes under it).
    source: Mutex<Source>,
    switched: Condvar,
    /// The background renewal needs an MFA code it could not ask for (no terminal): the
    /// console asks for it instead.
    needs_code: AtomicBool,
}

struct Source {
    fetch: Fetch,
    generation: u64,
}

/// The longest pause between renewal attempts after a failure.
const RETRY: i64 = 30;

impl Holder {
    pub fn new(credentials: Credentials, identity: Identity, fetch: Fetch) -> Arc<Holder> {
        Arc::new(Holder {
            current: RwLock::new(Arc::new(Served::new(credentials, identity))),
            source: Mutex::new(Source {
                fetch,
                generation: 0,
            }),
            switched: Condvar::new(),
            needs_code: AtomicBool::new(false),
        })
    }

    /// What is served now.
    pub fn current(&self) -> Arc<Served> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn replace(&self, served: Served) {
        let served = Arc::new(served);
        match self.current.write() {
            Ok(mut guard) => *guard = served,
            Err(poisoned) => *poisoned.into_inner() = served,
        }
    }

    fn source(&self) -> MutexGuard<'_, Source> {
        self.source.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the background renewal waits for an MFA code that only the console can get.
    pub fn needs_code(&self) -> bool {
        self.needs_code.load(Ordering::Relaxed)
    }

    /// Serves another profile's credentials from now on, renewed with its `fetch`.
    pub fn switch(&self, credentials: Credentials, identity: Identity, fetch: Fetch) {
        let mut source = self.source();
        source.fetch = fetch;
        source.generation += 1;
        self.needs_code.store(false, Ordering::Relaxed);
        self.replace(Served::new(credentials, identity));
        self.switched.notify_all();
    }

    /// New credentials for the current profile now (the console's refresh), with `code` if one
    /// was typed; on success they are served at once.
    pub fn refresh(&self, code: Option<MfaCode>) -> Result<(), CredsError> {
        let mut source = self.source();
        let served = self.current();
        let want = Want {
            newer_than: served.credentials.expiration,
            code,
            ask_terminal: false,
        };
        let fresh = (source.fetch)(want)?;
        source.generation += 1;
        self.needs_code.store(false, Ordering::Relaxed);
        self.replace(Served::new(fresh, served.identity.clone()));
        self.switched.notify_all();
        Ok(())
    }

    /// Renews the credentials in the background, for as long as the process runs.
    pub fn renew_in_background(self: &Arc<Holder>) {
        let holder = Arc::clone(self);
        thread::spawn(move || {
            let mut failing = false;
            loop {
                failing = holder.renew_once(failing);
            }
        });
    }

    /// Waits until the current credentials are due, then renews them (unless the profile
    /// changed meanwhile); returns whether the renewal is failing.
    fn renew_once(&self, failing: bool) -> bool {
        let mut source = self.source();
        let generation = source.generation;
        let served = self.current();
        let Some(expiration) = served.credentials.expiration else {
            // Long-term keys: nothing to renew until another profile is served.
            drop(self.switched.wait(source));
            return false;
        };
        let mut due = renew_at(expiration, served.fetched_at);
        if failing {
            // Until they expire, at most every RETRY seconds; after, every few seconds, so
            // service resumes soon after STS does.
            let left = expiration - time::unix_now();
            due = time::unix_now() + if left > 0 { left.min(RETRY) } else { 5 };
        }
        while time::unix_now() < due && source.generation == generation {
            let wait = Duration::from_secs((due - time::unix_now()).max(1) as u64);
            source = match self.switched.wait_timeout(source, wait) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        if source.generation != generation {
            return false;
        }
        let want = Want {
            newer_than: Some(expiration),
            code: None,
            ask_terminal: true,
        };
        let fetched = (source.fetch)(want);
        self.renewed(&served, expiration, fetched, failing)
    }

    /// Serves what a renewal of `served` (expiring at `expiration`) `fetched`, or says once
    /// (not `failing` yet) why it could not; returns whether the renewal is failing.
    fn renewed(
        &self,
        served: &Served,
        expiration: i64,
        fetched: Result<Credentials, CredsError>,
        failing: bool,
    ) -> bool {
        match fetched {
            Ok(fresh) => {
                log::note(format_args!(
                    "renewed the credentials of {}: they expire at {}",
                    served.identity.profile,
                    fresh.expiration.map(rfc3339::format).unwrap_or_default()
                ));
                self.replace(Served::new(fresh, served.identity.clone()));
                false
            }
            Err(error) => {
                self.needs_code
                    .store(error.needs_mfa_code(), Ordering::Relaxed);
                if !failing {
                    log::warn(format_args!(
                        "cannot renew the credentials of {} (still serving the current ones until {}): {error}",
                        served.identity.profile,
                        rfc3339::format(expiration)
                    ));
                }
                true
            }
        }
    }
}

/// What served credentials keep left: SDKs treat instance-metadata credentials with less than
/// 17 to 25 minutes left as stale-but-usable and stretch them (botocore's static stability), so,
/// like EC2's own service, we hand out credentials with more than that left.
const KEEP_LEFT: i64 = 30 * 60;

/// When to renew credentials that expire at `expiration` and arrived at `fetched_at`: when
/// [`KEEP_LEFT`] remains, but not before half their lifetime has passed (so credentials of an
/// hour or less are renewed at half-life, longer ones half an hour before they expire).
pub fn renew_at(expiration: i64, fetched_at: i64) -> i64 {
    let half_life = fetched_at + (expiration - fetched_at).max(0) / 2;
    (expiration - KEEP_LEFT).max(half_life)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_times() {
        // One hour: half an hour before (half-life).
        assert_eq!(renew_at(3600, 0), 1800);
        // Twelve hours: half an hour before.
        assert_eq!(renew_at(43_200, 0), 43_200 - 1800);
        // Forty seconds: at half-life.
        assert_eq!(renew_at(40, 0), 20);
        // Already expired, or fetched late: at once.
        assert_eq!(renew_at(100, 100), 100);
        assert!(renew_at(100, 200) <= 200);
    }

    #[test]
    fn expiry() {
        let c = Credentials {
            access_key_id: "A".into(),
            secret_access_key: crate::credentials::Secret::new("s"),
            session_token: None,
            expiration: Some(100),
        };
        let identity = Identity {
            profile: "p".into(),
            role_name: "r".into(),
            account: None,
            region: None,
        };
        let served = Served::new(c, identity);
        assert!(!served.expired(99) && served.expired(100));
    }
}
