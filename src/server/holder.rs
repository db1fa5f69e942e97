//! The credentials an endpoint serves: held in memory with their answers prepared, and renewed
//! in the background before they expire, so no request waits on STS.
//!
//! Renewal asks the run's own chain (through the disk cache, so a cached session token keeps it
//! silent; MFA is asked only when the session token itself must be renewed). A renewal that fails
//! keeps the old credentials served while they are valid, says so once, and tries again; expired
//! credentials are never served. A chain may answer with the credentials already served (an `aws
//! login` session not yet due for its refresh, or whose refresh failed while they last; the
//! provider says why, once): that is no renewal, and it is tried again at half the time left.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::thread;
use std::time::Duration;

use super::json;
use crate::credentials::Credentials;
use crate::credentials::MfaCode;
use crate::creds::error::CredsError;
use crate::log::{self, debug};
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
/// The shortest pause before asking again a chain that gave the credentials already served.
const UNCHANGED_MIN: i64 = 5;

/// How the last renewal went, which decides when the next one is tried and whether a failure is
/// said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// New credentials (or none asked for yet): the next renewal at [`renew_at`].
    Renewed,
    /// The chain gave the credentials already served: asked again at half the time left.
    Unchanged,
    /// The renewal failed, and that was said once: tried again without saying it again.
    Failing,
}

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
            let mut last = Last::Renewed;
            loop {
                last = holder.renew_once(last);
            }
        });
    }

    /// Waits until the current credentials are due, then renews them (unless the profile
    /// changed meanwhile); returns how the renewal went.
    fn renew_once(&self, last: Last) -> Last {
        let mut source = self.source();
        let generation = source.generation;
        let served = self.current();
        let Some(expiration) = served.credentials.expiration else {
            // Long-term keys: nothing to renew until another profile is served.
            drop(self.switched.wait(source));
            return Last::Renewed;
        };
        let due = next_try(last, expiration, served.fetched_at, time::unix_now());
        while time::unix_now() < due && source.generation == generation {
            let wait = Duration::from_secs((due - time::unix_now()).max(1) as u64);
            source = match self.switched.wait_timeout(source, wait) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        if source.generation != generation {
            return Last::Renewed;
        }
        let want = Want {
            newer_than: Some(expiration),
            code: None,
            ask_terminal: true,
        };
        let fetched = (source.fetch)(want);
        self.renewed(&served, expiration, fetched, last)
    }

    /// Serves what a renewal of `served` (expiring at `expiration`) `fetched`, or says once per
    /// failing streak why it could not; returns how the renewal went.
    fn renewed(
        &self,
        served: &Served,
        expiration: i64,
        fetched: Result<Credentials, CredsError>,
        last: Last,
    ) -> Last {
        match fetched {
            // The same credentials again: nothing renewed, nothing to say (the chain said why,
            // if something failed); the served ones keep their fetch time.
            Ok(fresh) if fresh.expiration.is_some_and(|e| e <= expiration) => {
                debug!(
                    "the credentials of {} are not renewed yet: the same ones came back",
                    served.identity.profile
                );
                if last == Last::Failing {
                    Last::Failing
                } else {
                    Last::Unchanged
                }
            }
            Ok(fresh) => {
                log::note(format_args!(
                    "renewed the credentials of {}: they expire at {}",
                    served.identity.profile,
                    fresh.expiration.map(rfc3339::format).unwrap_or_default()
                ));
                self.replace(Served::new(fresh, served.identity.clone()));
                Last::Renewed
            }
            Err(error) => {
                self.needs_code
                    .store(error.needs_mfa_code(), Ordering::Relaxed);
                if last != Last::Failing {
                    let serving = if served.expired(time::unix_now()) {
                        "the current ones expired at"
                    } else {
                        "still serving the current ones until"
                    };
                    log::warn(format_args!(
                        "cannot renew the credentials of {} ({serving} {}): {error}",
                        served.identity.profile,
                        rfc3339::format(expiration)
                    ));
                }
                Last::Failing
            }
        }
    }
}

/// When to try the next renewal of credentials expiring at `expiration` (fetched at
/// `fetched_at`), at `now`, after a renewal that went `last`.
fn next_try(last: Last, expiration: i64, fetched_at: i64, now: i64) -> i64 {
    let left = expiration - now;
    match last {
        Last::Renewed => renew_at(expiration, fetched_at),
        // Like renew_at's half-life, from now: a login session due for its refresh within 5
        // minutes of expiry is asked again soon enough, and not every second.
        Last::Unchanged => now + (left / 2).max(UNCHANGED_MIN),
        // Until they expire, at most every RETRY seconds; after, every few seconds, so service
        // resumes soon after STS does.
        Last::Failing if left > 0 => now + left.min(RETRY),
        Last::Failing => now + 5,
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
    fn next_tries() {
        // Renewed: at renew_at.
        assert_eq!(next_try(Last::Renewed, 3600, 0, 10), 1800);
        // The same credentials came back: at half the time left, at least 5 s on.
        assert_eq!(next_try(Last::Unchanged, 1000, 0, 400), 700);
        assert_eq!(next_try(Last::Unchanged, 1000, 0, 996), 1001);
        assert_eq!(next_try(Last::Unchanged, 1000, 0, 2000), 2005);
        // Failing: every 30 s at most until they expire, then every 5 s.
        assert_eq!(next_try(Last::Failing, 1000, 0, 100), 130);
        assert_eq!(next_try(Last::Failing, 1000, 0, 990), 1000);
        assert_eq!(next_try(Last::Failing, 1000, 0, 1000), 1005);
    }

    fn credentials(key: &str, expiration: i64) -> Credentials {
        Credentials {
            access_key_id: key.into(),
            secret_access_key: crate::credentials::Secret::new("s"),
            session_token: None,
            expiration: Some(expiration),
        }
    }

    #[test]
    fn the_same_credentials_again_are_no_renewal_and_no_failure() {
        let identity = Identity {
            profile: "p".into(),
            role_name: "r".into(),
            account: None,
            region: None,
        };
        let far = time::unix_now() + 3600;
        let holder = Holder::new(
            credentials("A", far),
            identity,
            Box::new(|_| unreachable!()),
        );
        let served = holder.current();
        let again = Ok(credentials("A", far));
        assert_eq!(
            holder.renewed(&served, far, again, Last::Renewed),
            Last::Unchanged
        );
        assert_eq!(holder.current().fetched_at, served.fetched_at);
        // A streak already said stays said.
        let again = Ok(credentials("A", far));
        assert_eq!(
            holder.renewed(&served, far, again, Last::Failing),
            Last::Failing
        );
        // Newer ones are served.
        let newer = Ok(credentials("B", far + 1));
        assert_eq!(
            holder.renewed(&served, far, newer, Last::Unchanged),
            Last::Renewed
        );
        assert_eq!(holder.current().credentials.access_key_id, "B");
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
