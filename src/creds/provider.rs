//! The provider trait every way of getting credentials implements, what a retrieval is given
//! ([`Ctx`]) and what it gives back ([`Fetched`]).
//!
//! Nothing learnt during a retrieval is kept in shared state: who the credentials belong to
//! travels with them in [`Fetched`] (and in the session token's cache entry), so a process that
//! switches between profiles of different IAM users never mixes their identities. Providers are
//! `Send + Sync`, so a server can keep a chain in one thread and renew it from another.

use super::error::CredsError;
use super::mfa::Mfa;
use super::sso::token::UsedToken;
use super::terminal::Person;
use crate::aws::http::Agent;
use crate::credentials::Credentials;

/// What a retrieval is given: the run's one HTTP agent, where MFA codes come from, the person
/// it may talk to (and how: a login that is needed), whether cached entries are to be replaced
/// (`-r`) rather than used, and, for a renewal, the expiration of the credentials being renewed:
/// a cached entry that expires no later is not new enough.
pub struct Ctx<'a> {
    pub agent: &'a Agent,
    pub mfa: &'a mut Mfa,
    pub person: &'a Person,
    pub refresh: bool,
    pub newer_than: Option<i64>,
}

/// Credentials, with what is known of the caller they were made for.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub credentials: Credentials,
    /// The IAM caller behind them (from GetCallerIdentity, or a cache entry): the default role
    /// session name.
    pub caller_arn: Option<String>,
    /// The role session name they were made with, for a role's credentials.
    pub session_name: Option<String>,
    /// The IAM Identity Center token they were fetched with, when they come from one (through
    /// any roles assumed with them): a cache keeps them only while the login's token file still
    /// holds that token, so that a login ended meanwhile does not come back through the cache.
    pub sso_token: Option<UsedToken>,
}

impl Fetched {
    /// Credentials nothing is known about.
    pub fn bare(credentials: Credentials) -> Fetched {
        Fetched {
            credentials,
            caller_arn: None,
            session_name: None,
            sso_token: None,
        }
    }
}

/// One way of getting credentials.
pub trait Provider: Send + Sync {
    /// Fetches (or reads) the credentials.
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError>;
    /// A short description for `-v` lines and plan tests, e.g. `AssumeRole(admin) <- LongTerm(dev)`.
    fn describe(&self) -> String;
    /// Forgets credentials that AWS has just refused (a cached entry that expired early).
    /// Returns whether there was anything to forget, so that a retry can help.
    fn invalidate(&self) -> bool {
        false
    }
}

/// The description of a provider signed by `signer`: `Name(details, MFA) <- signer`, where
/// `opening` is `Name(details` and `, MFA` says it sends an MFA code.
pub fn described(opening: String, mfa_serial: Option<&String>, signer: &dyn Provider) -> String {
    let mfa = if mfa_serial.is_some() { ", MFA" } else { "" };
    format!("{opening}{mfa}) <- {}", signer.describe())
}
