//! GetSessionToken with the long-term keys (and the MFA code when a device is configured): the
//! credentials every role sharing the source profile is assumed with, so MFA is asked once per
//! session-token lifetime, not once per role.
//!
//! When a role session name will be needed and none is configured, it also asks
//! GetCallerIdentity (once), and the caller's ARN is kept with the session token in the cache.

use std::time::Duration;

use super::mfa;
use super::{Context, Credentials, Provider};
use crate::aws::sts;
use crate::config::endpoint::Endpoint;
use crate::debug;
use crate::error::Error;

pub struct SessionToken {
    pub signer: Box<dyn Provider>,
    pub endpoint: Endpoint,
    pub duration: Duration,
    pub mfa_serial: Option<String>,
    /// Whether to learn the caller's ARN for a default role session name.
    pub want_caller: bool,
}

impl Provider for SessionToken {
    fn retrieve(&self, ctx: &mut Context<'_>) -> Result<Credentials, Error> {
        let signer = self.signer.retrieve(ctx)?;
        if self.want_caller && ctx.caller_arn.is_none() {
            match sts::get_caller_identity(ctx.agent, &self.endpoint, &signer) {
                Ok(identity) => ctx.caller_arn = Some(identity.arn),
                Err(e) => debug!("no caller identity ({e})"),
            }
        }
        let duration = self.duration.as_secs();
        let agent = ctx.agent;
        let creds = match &self.mfa_serial {
            Some(serial) => mfa::with_code(&mut ctx.mfa, serial, |code| {
                sts::get_session_token(
                    agent,
                    &self.endpoint,
                    &signer,
                    duration,
                    Some((serial, code)),
                )
            })?,
            None => sts::get_session_token(agent, &self.endpoint, &signer, duration, None)?,
        };
        debug!("session token {} for {duration}s", creds.access_key_id);
        Ok(creds)
    }

    fn cache_files(&self) -> Vec<std::path::PathBuf> {
        self.signer.cache_files()
    }

    fn describe(&self) -> String {
        let mfa = if self.mfa_serial.is_some() {
            ", MFA"
        } else {
            ""
        };
        format!(
            "SessionToken({}s{mfa}) <- {}",
            self.duration.as_secs(),
            self.signer.describe()
        )
    }
}
