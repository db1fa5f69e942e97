//! The credentials an endpoint serves: held in memory with their answers prepared, and renewed
//! in the background before they expire, so no request waits on STS.
//!
//! Renewal asks the run's own chain (through the disk cache, so a cached session token keeps it
//! silent; MFA is asked only when the session token itself must be renewed). A renewal that fails
//! keeps the old credentials served while they are valid, says so once, and tries again; expired
//! credentials are never served.

use std::sync::{Arc, RwLock};
use std::thread;
use std::time::Duration;

use super::json;
use crate::credentials::Credentials;
use crate::creds::error::CredsError;
use crate::log;
use crate::time::{self, rfc3339};

/// Gets credentials newer than those expiring at the given time (the run's chain, through the
/// cache).
pub type Fetch = Box<dyn FnMut(i64) -> Result<Credentials, CredsError> + Send>;

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

/// The served credentials, shared by the request threads and the renewal thread.
pub struct Holder {
    current: RwLock<Arc<Served>>,
}

/// The longest pause between renewal attempts after a failure.
const RETRY: i64 = 30;

impl Holder {
    pub fn new(credentials: Credentials, identity: Identity) -> Arc<Holder> {
        Arc::new(Holder {
            current: RwLock::new(Arc::new(Served::new(credentials, identity))),
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

    /// Renews the credentials in the background with `fetch`, for as long as the process runs.
    pub fn renew_in_background(self: &Arc<Holder>, mut fetch: Fetch) {
        let holder = Arc::clone(self);
        thread::spawn(move || {
            let mut failing = false;
            loop {
                let served = holder.current();
                let Some(expiration) = served.credentials.expiration else {
                    return; // long-term keys: nothing to renew
                };
                let now = time::unix_now();
                let at = renew_at(expiration, served.fetched_at);
                if at > now {
                    thread::sleep(Duration::from_secs((at - now) as u64));
                }
                match fetch(expiration) {
                    Ok(fresh) if fresh.expiration > served.credentials.expiration => {
                        if failing {
                            log::note(format_args!("credentials renewed again"));
                        }
                        failing = false;
                        log::note(format_args!(
                            "renewed the credentials of {}: they expire at {}",
                            served.identity.profile,
                            fresh.expiration.map(rfc3339::format).unwrap_or_default()
                        ));
                        holder.replace(Served::new(fresh, served.identity.clone()));
                    }
                    // The cache still holds them as good: ask again shortly.
                    Ok(_) => thread::sleep(Duration::from_secs(5)),
                    Err(error) => {
                        if !failing {
                            log::warn(format_args!(
                                "cannot renew the credentials of {} (still serving the current ones until {}): {error}",
                                served.identity.profile,
                                rfc3339::format(expiration)
                            ));
                        }
                        failing = true;
                        // Until they expire, at most every RETRY seconds; after, every
                        // few seconds, so service resumes soon after STS does.
                        let left = expiration - time::unix_now();
                        let pause = if left > 0 { left.min(RETRY) } else { 5 };
                        thread::sleep(Duration::from_secs(pause as u64));
                    }
                }
            }
        });
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
        assert_eq!(renew_at(100, 200), 100);
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
