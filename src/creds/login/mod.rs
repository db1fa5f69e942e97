//! `aws login` sessions as a source (`login_session`, SPEC §13): the session's credentials from
//! the cache the AWS CLI and the SDKs share (`token.rs`), handed on while they are valid. They
//! are temporary and were made with the console's sign-in (and its MFA): a role on top is
//! assumed with them directly, with no MFA step and no session token of ours (`plan.rs`).
//!
//! Not yet here: the refresh with a DPoP proof (`signin:CreateOAuth2Token`). Credentials within
//! the refresh window are still handed on while they last; expired or missing ones need a new
//! login, said in one line.

pub mod token;

#[cfg(test)]
mod sdk_cases;

use self::token::{Standing, Token};
use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use crate::config::login::LoginSession;
use crate::log::debug;
use crate::time;

/// The credentials of an `aws login` session.
pub struct LoginProvider {
    /// The profile that declares the session.
    pub profile: String,
    pub session: LoginSession,
}

impl LoginProvider {
    /// What a run does with credentials due for a refresh. The refresh (under the cache file's
    /// lock, `store::Private::hold`, re-reading the file first) belongs here; until it exists,
    /// the cached credentials are used while they last, as after a failed refresh.
    fn due(&self, token: &Token) -> Result<Token, CredsError> {
        debug!(
            "login cache {}: the credentials expire within {} s and cannot be refreshed here yet; using them while they last",
            token::path(&self.session).display(),
            token::REFRESH_WINDOW
        );
        Ok(token.clone())
    }

    /// The one line that says a new login is needed.
    fn login_needed(&self) -> CredsError {
        CredsError::LoginNeeded {
            profile: self.profile.clone(),
        }
    }
}

impl Provider for LoginProvider {
    fn retrieve(&self, _ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        let token = token::read(&self.session, false).ok_or_else(|| self.login_needed())?;
        let token = match token.standing(time::unix_now()) {
            Standing::Valid => token,
            Standing::Due => self.due(&token)?,
            Standing::Expired => return Err(self.login_needed()),
        };
        let credentials = token.credentials();
        debug!(
            "aws login session {} (account {}): key {}, expires {}",
            self.session.arn,
            token.account_id().unwrap_or("not said"),
            credentials.access_key_id,
            time::rfc3339::format(token.expires)
        );
        Ok(Fetched {
            // The session's principal: the default name of a role session on top.
            caller_arn: Some(self.session.arn.clone()),
            ..Fetched::bare(credentials)
        })
    }

    fn describe(&self) -> String {
        format!("Login({})", self.profile)
    }
}
