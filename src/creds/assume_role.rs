//! AssumeRole, signed with the credentials of another provider: a session token, long-term keys
//! (with the MFA fields, when the role credentials must outlive an hour or the keys are already
//! temporary), or the previous role when chaining.
//!
//! The role session name: the step's `role_session_name` (or `AWS_ROLE_SESSION_NAME` for the final
//! role), else the caller's IAM user name (from the session token's cache entry, or
//! GetCallerIdentity asked once), else `aws-runas-<unix time>`. Names keep only `[\w+=,.@-]`, at
//! most 64 characters.

use std::time::{SystemTime, UNIX_EPOCH};

use super::mfa;
use super::{Context, Credentials, Provider};
use crate::arn;
use crate::aws::query::AwsError;
use crate::aws::sts::{self, AssumeRoleInput};
use crate::config::endpoint::Endpoint;
use crate::config::profile::RoleStep;
use crate::debug;
use crate::error::Error;

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
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c))
        .take(64)
        .collect();
    (clean.len() >= 2).then_some(clean)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether AWS refused the signing credentials themselves (expired or unknown temporary keys),
/// so that credentials from a cache should be discarded and fetched again.
fn signer_refused(error: &Error) -> bool {
    matches!(
        error,
        Error::Aws(AwsError::Service { code, .. })
            if code == "ExpiredToken" || code == "InvalidClientTokenId"
    )
}

impl AssumeRole {
    /// The session name for this step, asking GetCallerIdentity at most once per run.
    fn session_name(&self, ctx: &mut Context<'_>, signer: &Credentials) -> String {
        if let Some(name) = self
            .step
            .session_name
            .as_deref()
            .and_then(sanitize_session_name)
        {
            return name;
        }
        if ctx.caller_arn.is_none() {
            match sts::get_caller_identity(ctx.agent, &self.endpoint, signer) {
                Ok(identity) => ctx.caller_arn = Some(identity.arn),
                Err(e) => debug!("no session name from the caller identity ({e})"),
            }
        }
        let from_caller = ctx
            .caller_arn
            .as_deref()
            .and_then(arn::caller_name)
            .and_then(sanitize_session_name);
        from_caller.unwrap_or_else(|| format!("aws-runas-{}", unix_now()))
    }

    fn assume(&self, ctx: &mut Context<'_>) -> Result<Credentials, Error> {
        let signer = self.signer.retrieve(ctx)?;
        let session_name = self.session_name(ctx, &signer);
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
            Some(serial) => mfa::with_code(&mut ctx.mfa, serial, |code| {
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
        ctx.session_name = Some(session_name);
        Ok(assumed.credentials)
    }
}

impl Provider for AssumeRole {
    fn retrieve(&self, ctx: &mut Context<'_>) -> Result<Credentials, Error> {
        match self.assume(ctx) {
            // Cached signing credentials that AWS no longer accepts: forget them, fetch again once.
            Err(e) if signer_refused(&e) && self.signer.invalidate() => {
                debug!("the signing credentials were refused ({e}); fetching them again");
                self.assume(ctx)
            }
            other => other,
        }
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
            "AssumeRole({}{mfa}) <- {}",
            self.step.role_arn.name,
            self.signer.describe()
        )
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
