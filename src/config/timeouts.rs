//! How long a run waits, from the environment (Go durations): for another run fetching the same
//! credentials (`AWS_RUNAS_LOCK_TIMEOUT`, default 2 minutes) and for `mfa_process`
//! (`AWS_RUNAS_MFA_TIMEOUT`, default 60 s, long enough to touch a YubiKey).

use std::time::Duration;

use super::error::ProfileError;
use crate::duration;
use crate::env::Env;

/// How long a run waits for another run's lock by default.
pub const LOCK: Duration = Duration::from_secs(120);
/// How long `mfa_process` may take by default.
pub const MFA_PROCESS: Duration = Duration::from_secs(60);

/// The run's waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For another run fetching the same credentials.
    pub lock: Duration,
    /// For `mfa_process` to print a code.
    pub mfa_process: Duration,
}

impl Timeouts {
    /// The waits the environment sets, else the defaults; a bad value is an error naming it.
    pub fn from_env(env: &Env) -> Result<Timeouts, ProfileError> {
        Ok(Timeouts {
            lock: read(env, "AWS_RUNAS_LOCK_TIMEOUT", LOCK)?,
            mfa_process: read(env, "AWS_RUNAS_MFA_TIMEOUT", MFA_PROCESS)?,
        })
    }
}

/// A Go duration from `var`, else `default`.
fn read(env: &Env, var: &'static str, default: Duration) -> Result<Duration, ProfileError> {
    let Some(value) = env.non_empty(var) else {
        return Ok(default);
    };
    duration::parse(value).map_err(|error| ProfileError::BadDuration {
        origin: format!("environment {var}"),
        key: "timeout",
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let t = Timeouts::from_env(&Env::from_pairs(&[])).unwrap();
        assert_eq!((t.lock, t.mfa_process), (LOCK, MFA_PROCESS));
        let env = Env::from_pairs(&[("AWS_RUNAS_MFA_TIMEOUT", "5s")]);
        assert_eq!(
            Timeouts::from_env(&env).unwrap().mfa_process,
            Duration::from_secs(5)
        );
        let env = Env::from_pairs(&[("AWS_RUNAS_LOCK_TIMEOUT", "5")]);
        let e = Timeouts::from_env(&env).unwrap_err().to_string();
        assert!(e.contains("AWS_RUNAS_LOCK_TIMEOUT"), "{e}");
    }
}
