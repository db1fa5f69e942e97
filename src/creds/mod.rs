//! Credentials and the providers that produce them.
//!
//! A provider is one way of getting credentials (long-term keys, AssumeRole signed by another
//! provider's credentials...). They compose through [`Provider`]; [`plan::plan`] chooses the chain
//! for a profile in one place and says why.

pub mod assume_role;
pub mod cache;
pub mod long_term;
pub mod mfa;
pub mod plan;
pub mod session_token;

use std::fmt;
use std::path::PathBuf;

use crate::aws::http::Agent;
use crate::error::Error;
use mfa::Mfa;

/// A secret string (secret access key, session token). Its `Debug` and `Display` print a mask,
/// so it cannot reach a log or an error message by accident; [`Secret::expose`] is called only by
/// the request signer, the export renderer and the child environment.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The raw value, for the few places that must hand it on.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// A set of AWS credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    /// Unix seconds; `None` for long-term keys.
    pub expiration: Option<i64>,
}

impl Credentials {
    /// Whether these are temporary credentials (a session token, or an `ASIA` key id).
    pub fn is_temporary(&self) -> bool {
        self.session_token.is_some() || self.access_key_id.starts_with("ASIA")
    }
}

/// What every provider gets while retrieving: the run's one HTTP agent, where MFA codes come
/// from, and what the run has learnt so far (asked of STS at most once, kept in the cache).
pub struct Context<'a> {
    pub agent: &'a Agent,
    pub mfa: Mfa,
    /// The caller's ARN, from GetCallerIdentity or a cache entry: the default session name.
    pub caller_arn: Option<String>,
    /// The role session name last used.
    pub session_name: Option<String>,
}

impl<'a> Context<'a> {
    pub fn new(agent: &'a Agent, mfa: Mfa) -> Context<'a> {
        Context {
            agent,
            mfa,
            caller_arn: None,
            session_name: None,
        }
    }
}

/// One way of getting credentials.
pub trait Provider {
    /// Fetches (or reads) the credentials.
    fn retrieve(&self, ctx: &mut Context<'_>) -> Result<Credentials, Error>;
    /// A short description for `-v` lines and plan tests, e.g. `AssumeRole(admin) <- LongTerm(dev)`.
    fn describe(&self) -> String;
    /// Forgets credentials that AWS has just refused (a cached entry that expired early).
    /// Returns whether there was anything to forget, so that a retry can help.
    fn invalidate(&self) -> bool {
        false
    }
    /// The cache files this provider (and the ones it builds on) would use.
    fn cache_files(&self) -> Vec<PathBuf> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_debug_and_display() {
        let c = Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Secret::new("topsecret"),
            session_token: Some(Secret::new("tokentoken")),
            expiration: None,
        };
        let shown = format!("{c:?} {}", c.secret_access_key);
        assert!(
            !shown.contains("topsecret") && !shown.contains("tokentoken"),
            "{shown}"
        );
        assert!(shown.contains("AKIAEXAMPLE"));
    }
}
