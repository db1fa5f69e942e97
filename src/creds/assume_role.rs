//! AssumeRole, signed with the credentials of another provider: a session token, long-term keys
//! (with the MFA fields, when the role credentials must outlive an hour or the keys are already
//! temporary), or the previous role when chaining.
//!
//! The role session name: the step's `role_session_name` (or `AWS_ROLE_SESSION_NAME` for the final
//! role), else the caller's IAM user name (from the session token's cache entry, or
//! GetCallerIdentity asked once), else `aws-runas-<unix time>`. Names keep only `[\w+=,.@-]`, at
//! most 64 characters.

use super::error::CredsError;
use super::mfa;
use super::provider::{Ctx, Fetched, Provider};
use crate::arn;
use crate::aws::endpoint::Endpoint;
use crate::aws::sts::{self, AssumeRoleInput};
use crate::config::profile::RoleStep;
use crate::credentials::Credentials;
use crate::log::debug;
use crate::names;
use crate::time;

/// Assumes `step.role_arn` with the credentials `signer` gives.
pub struct AssumeRole {
    pub signer: Box<dyn Provider>,
    pub endpoint: Endpoint,
    pub step: RoleStep,
    /// The MFA device whose code goes with the call (direct AssumeRole only).
    pub mfa_serial: Option<String>,
}

/// Keeps what AWS allows in a role session name: `[\w+=,.@-]`, 2 to 64 characters.
pub fn sanitize_session_name(name: &str) -> Option<String> {
    let mut clean = names::sanitize(name, names::iam_char, None);
    // Only ASCII is left: a byte is a character.
    clean.truncate(64);
    (clean.len() >= 2).then_some(clean)
}

impl AssumeRole {
    /// The session name for this step: the configured one, else the caller's name (from what
    /// the signer knows, or GetCallerIdentity), else `aws-runas-<unix time>`. Also returns the
    /// caller's ARN when it is known, to keep with the role's credentials.
    fn session_name(
        &self,
        ctx: &mut Ctx<'_>,
        signer: &Credentials,
        mut caller_arn: Option<String>,
    ) -> (String, Option<String>) {
        if let Some(name) = self
            .step
            .session_name
            .as_deref()
            .and_then(sanitize_session_name)
        {
            return (name, caller_arn);
        }
        if caller_arn.is_none() {
            match sts::get_caller_identity(ctx.agent, &self.endpoint, signer) {
                Ok(identity) => caller_arn = Some(identity.arn),
                Err(e) => debug!("no session name from the caller identity ({e})"),
            }
        }
        let from_caller = caller_arn
            .as_deref()
            .and_then(arn::caller_name)
            .and_then(sanitize_session_name);
        let name = from_caller.unwrap_or_else(|| format!("aws-runas-{}", time::unix_now()));
        (name, caller_arn)
    }

    fn assume(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        let Fetched {
            credentials: signer,
            caller_arn,
            sso_token,
            ..
        } = self.signer.retrieve(ctx)?;
        let (session_name, caller_arn) = self.session_name(ctx, &signer, caller_arn);
        debug!(
            "assuming {} as session '{session_name}' for {}s{}",
            self.step.role_arn,
            self.step.duration.as_secs(),
            if self.mfa_serial.is_some() {
                " with MFA"
            } else {
                ""
            }
        );
        let agent = ctx.agent;
        let input = AssumeRoleInput {
            role_arn: &self.step.role_arn.raw,
            session_name: &session_name,
            duration_secs: self.step.duration.as_secs(),
            external_id: self.step.external_id.as_deref(),
            mfa: None,
        };
        let assumed = match &self.mfa_serial {
            Some(serial) => mfa::with_code(ctx.mfa, ctx.person, serial, |code| {
                let with_mfa = AssumeRoleInput {
                    mfa: Some((serial, code)),
                    ..input.clone()
                };
                sts::assume_role(agent, &self.endpoint, &signer, &with_mfa)
            })?,
            None => sts::assume_role(agent, &self.endpoint, &signer, &input)?,
        };
        debug!(
            "assumed {} (key {})",
            assumed.arn, assumed.credentials.access_key_id
        );
        Ok(Fetched {
            credentials: assumed.credentials,
            caller_arn,
            session_name: Some(session_name),
            sso_token,
        })
    }
}

impl Provider for AssumeRole {
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        match self.assume(ctx) {
            // Cached signing credentials that AWS no longer accepts: forget them, fetch again once.
            Err(e) if e.signer_refused() && self.signer.invalidate() => {
                debug!("the signing credentials were refused ({e}); fetching them again");
                self.assume(ctx)
            }
            other => other,
        }
    }

    fn describe(&self) -> String {
        let opening = format!("AssumeRole({}", self.step.role_arn.name);
        super::provider::described(opening, self.mfa_serial.as_ref(), self.signer.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_cleaned() {
        assert_eq!(
            sanitize_session_name("alice@example.com").as_deref(),
            Some("alice@example.com")
        );
        assert_eq!(sanitize_session_name("a b/c:d").as_deref(), Some("abcd"));
        assert_eq!(sanitize_session_name(&"x".repeat(80)).unwrap().len(), 64);
        assert_eq!(sanitize_session_name("é"), None);
        assert_eq!(sanitize_session_name("a"), None);
    }
}
