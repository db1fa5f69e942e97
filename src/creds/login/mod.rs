//! `aws login` sessions as a source (`login_session`, SPEC §13): the session's credentials from
//! the cache the AWS CLI and the SDKs share (`token.rs`), handed on while they are valid, and
//! refreshed when 5 minutes or less are left: under the cache file's lock, the file read again
//! first (N parallel runs refresh once), `signin:CreateOAuth2Token` with a DPoP proof
//! (`aws::signin`), the file rewritten atomically with the rotated refresh token. A failed
//! refresh keeps using credentials that are still valid; expired ones need a new login, said in
//! one line. The credentials are temporary and were made with the console's sign-in (and its
//! MFA): a role on top is assumed with them directly, with no MFA step and no session token of
//! ours (`plan.rs`).

mod document;
pub mod flow;
pub mod token;

#[cfg(test)]
mod sdk_cases;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use self::token::{Standing, Token};
use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use super::store::Private;
use crate::aws::dpop::DpopKey;
use crate::aws::http::Agent;
use crate::aws::query::AwsError;
use crate::aws::signin;
use crate::config::login::LoginSession;
use crate::log::{self, debug};
use crate::time;

/// The credentials of an `aws login` session.
pub struct LoginProvider {
    /// The profile that declares the session.
    pub profile: String,
    pub session: LoginSession,
    /// How long to wait for another run's refresh of the same session.
    pub lock_timeout: Duration,
}

/// Why a refresh gave no credentials.
enum Failure {
    /// The service says the session is over (`TOKEN_EXPIRED`, `USER_CREDENTIALS_CHANGED`).
    Over(String),
    /// Anything else, in one line.
    Other(String),
}

impl LoginProvider {
    /// Credentials due for a refresh (or past it): under the file's lock, the file read again;
    /// refreshed only if still due (another run may have done it), else what the file holds.
    fn due(&self, agent: &Agent, first: Token) -> Result<Token, CredsError> {
        let private = match Private::open(&self.session.cache_dir) {
            Ok(p) => p,
            Err(e) => {
                debug!("login cache: cannot refresh here ({e})");
                return self.unrefreshed(&first, Failure::Other(e));
            }
        };
        let name = token::file_name(&self.session);
        let doing = format!(
            "refreshing the aws login session of profile '{}'",
            self.profile
        );
        let label = format!("the aws login session of profile '{}'", self.profile);
        let _lock = private.hold(&name, self.lock_timeout, &label, &doing)?;
        private.clean(&name);
        let current = token::read(&self.session, true).ok_or_else(|| self.login_needed())?;
        let now = time::unix_now();
        if current.standing(now) == Standing::Valid {
            debug!(
                "aws login session of profile '{}': refreshed by another run",
                self.profile
            );
            return Ok(current);
        }
        match self.refresh(agent, &current, now) {
            Ok(fresh) => {
                self.keep(&private, &current, &fresh);
                Ok(fresh)
            }
            Err(failure) => self.unrefreshed(&current, failure),
        }
    }

    /// One refresh call for `t` at `now`; the refreshed token (not yet written).
    fn refresh(&self, agent: &Agent, t: &Token, now: i64) -> Result<Token, Failure> {
        let base = self.endpoint(t.sign_in_region())?;
        let key = DpopKey::from_pem(t.dpop_key()).map_err(|why| Failure::Other(why.to_string()))?;
        let (client_id, refresh_token) = t.client();
        debug!(
            "aws login session of profile '{}': refreshing at {}",
            self.profile,
            signin::token_url(&base)
        );
        let fresh =
            signin::refresh(agent, &base, &key, client_id, &refresh_token).map_err(failure)?;
        Ok(t.refreshed(fresh, now))
    }

    /// Where the refresh goes (`LoginSession::refresh_endpoint`, which `-D` shows too).
    fn endpoint(&self, sign_in_region: Option<&str>) -> Result<String, Failure> {
        self.session
            .refresh_endpoint(sign_in_region, &self.profile)
            .map_err(Failure::Other)
    }

    /// Writes the refreshed token, unless the file holds another session meanwhile (a new `aws
    /// login`, which takes no lock of ours); a failed write is a warning, the run goes on.
    fn keep(&self, private: &Private, previous: &Token, fresh: &Token) {
        let still = token::read(&self.session, true).is_some_and(|t| t.same_refresh(previous));
        if !still {
            debug!(
                "aws login session of profile '{}': not kept, the file changed meanwhile",
                self.profile
            );
            return;
        }
        if let Err(e) = token::write(private, &self.session, fresh) {
            log::warn(format_args!(
                "cannot write the aws login cache file {} ({e}); the next run will refresh again",
                token::path(&self.session).display()
            ));
        }
    }

    /// After a failed refresh: `t` while its credentials may still be handed on (a session the
    /// service says is over is warned of, once per process and profile: an endpoint's renewals
    /// ask again until they expire), else the error.
    fn unrefreshed(&self, t: &Token, failure: Failure) -> Result<Token, CredsError> {
        // What was said, not what was got: no credentials are shared through it.
        static WARNED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
        let usable = t.standing(time::unix_now()) != Standing::Expired;
        match failure {
            Failure::Over(code) if usable => {
                let first = WARNED
                    .lock()
                    .map_or(true, |mut said| said.insert(self.profile.clone()));
                if !first {
                    debug!("aws login session of profile '{}': {code} again; using the credentials while they last", self.profile);
                    return Ok(t.clone());
                }
                log::warn(format_args!(
                    "the aws login session of profile '{}' can no longer be refreshed ({code}); its credentials last until {}, then run aws-runas --login {}",
                    self.profile,
                    time::rfc3339::format(t.expires),
                    self.profile
                ));
                Ok(t.clone())
            }
            Failure::Other(why) if usable => {
                debug!("aws login session of profile '{}': refresh failed ({why}); using the credentials while they last", self.profile);
                Ok(t.clone())
            }
            Failure::Over(_) => Err(self.login_needed()),
            Failure::Other(reason) => Err(CredsError::LoginRefresh {
                profile: self.profile.clone(),
                reason,
            }),
        }
    }

    /// A new login at the terminal for the profile's session (another principal's is refused,
    /// nothing written): the session it wrote.
    fn log_in(&self, ctx: &Ctx<'_>, why: &str) -> Result<Token, CredsError> {
        let failed = |reason: String| CredsError::Login {
            profile: self.profile.clone(),
            reason,
        };
        let base = self.endpoint(None).map_err(|f| match f {
            Failure::Over(why) | Failure::Other(why) => failed(why),
        })?;
        log::note(format_args!(
            "the aws login session of profile '{}' {why}: signing in",
            self.profile
        ));
        let login = flow::Login {
            profile: &self.profile,
            base: &base,
            region: self
                .session
                .region
                .as_deref()
                .filter(|_| self.session.endpoint.is_none()),
            cache_dir: &self.session.cache_dir,
            remote: false,
            expect: Some(&self.session.arn),
            agent: ctx.agent,
            person: ctx.person,
            lock_timeout: self.lock_timeout,
        };
        login.keep(&login.run()?)?;
        let token = token::read(&self.session, true).ok_or_else(|| self.login_needed())?;
        log::note(format_args!(
            "signed in to AWS for profile '{}' until {}",
            self.profile,
            time::rfc3339::format(token.expires)
        ));
        Ok(token)
    }

    /// The one line that says a new login is needed.
    fn login_needed(&self) -> CredsError {
        CredsError::LoginNeeded {
            profile: self.profile.clone(),
        }
    }
}

/// A refresh call's error as the provider acts on it (LOGIN-PROTOCOL.md §3's mapping).
fn failure(e: AwsError) -> Failure {
    match &e {
        AwsError::Service { code, .. }
            if code == "TOKEN_EXPIRED" || code == "USER_CREDENTIALS_CHANGED" =>
        {
            Failure::Over(code.clone())
        }
        AwsError::Service { code, message, .. } if code == "INSUFFICIENT_PERMISSIONS" => {
            Failure::Other(format!(
                "the session's principal is not allowed signin:CreateOAuth2Token (INSUFFICIENT_PERMISSIONS{}{message})",
                if message.is_empty() { "" } else { ": " }
            ))
        }
        _ => Failure::Other(e.to_string()),
    }
}

impl Provider for LoginProvider {
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        // A login is needed: at the terminal, one is made (SPEC §13, as §12 does).
        let token = match token::read(&self.session, false) {
            Some(t) if t.standing(time::unix_now()) == Standing::Valid => t,
            Some(t) => match self.due(ctx.agent, t) {
                Err(CredsError::LoginNeeded { .. }) if ctx.person.present() => {
                    self.log_in(ctx, "has expired")?
                }
                due => due?,
            },
            None if ctx.person.present() => self.log_in(ctx, "has no cached credentials")?,
            None => return Err(self.login_needed()),
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
