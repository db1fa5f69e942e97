//! GetSessionToken with the long-term keys (and the MFA code when a device is configured): the
//! credentials every role sharing the source profile is assumed with, so MFA is asked once per
//! session-token lifetime, not once per role.
//!
//! When a role session name will be needed and none is configured, it also asks
//! GetCallerIdentity (once), and the caller's ARN goes with the session token (into its cache
//! entry), so a later role refresh needs no GetCallerIdentity.

use std::time::Duration;

use super::error::CredsError;
use super::mfa;
use super::provider::{Ctx, Fetched, Provider};
use crate::aws::endpoint::Endpoint;
use crate::aws::sts;
use crate::log::debug;

pub struct SessionToken {
    pub signer: Box<dyn Provider>,
    pub endpoint: Endpoint,
    pub duration: Duration,
    pub mfa_serial: Option<String>,
    /// Whether to learn the caller's ARN for a default role session name.
    pub want_caller: bool,
}

impl Provider for SessionToken {
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        let signer = self.signer.retrieve(ctx)?;
        let mut caller_arn = signer.caller_arn;
        let signer = signer.credentials;
        if self.want_caller && caller_arn.is_none() {
            match sts::get_caller_identity(ctx.agent, &self.endpoint, &signer) {
                Ok(identity) => caller_arn = Some(identity.arn),
                Err(e) => debug!("no caller identity ({e})"),
            }
        }
        let duration = self.duration.as_secs();
        let agent = ctx.agent;
        let creds = match &self.mfa_serial {
            Some(serial) => mfa::with_code(ctx.mfa, ctx.person, serial, |code| {
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
        Ok(Fetched {
            credentials: creds,
            caller_arn,
            session_name: None,
            sso_token: None,
        })
    }

    fn describe(&self) -> String {
        let opening = format!("SessionToken({}s", self.duration.as_secs());
        super::provider::described(opening, self.mfa_serial.as_ref(), self.signer.as_ref())
    }
}
