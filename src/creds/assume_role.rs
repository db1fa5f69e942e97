//! AssumeRole, signed with the credentials of another provider (long-term keys, or the previous
//! role when chaining).
//!
//! The role session name: the step's `role_session_name` (or `AWS_ROLE_SESSION_NAME` for the final
//! role), else the caller's IAM user name from GetCallerIdentity, asked once per run, else
//! `aws-runas-<unix time>`. Names keep only `[\w+=,.@-]`, at most 64 characters.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{Context, Credentials, Provider};
use crate::arn;
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
        if let Some(name) = &ctx.session_name {
            return name.clone();
        }
        let from_caller = match sts::get_caller_identity(ctx.agent, &self.endpoint, signer) {
            Ok(identity) => {
                debug!("caller is {}", identity.arn);
                arn::caller_name(&identity.arn).and_then(sanitize_session_name)
            }
            Err(e) => {
                debug!("no session name from the caller identity ({e})");
                None
            }
        };
        let name = from_caller.unwrap_or_else(|| format!("aws-runas-{}", unix_now()));
        ctx.session_name = Some(name.clone());
        name
    }
}

impl Provider for AssumeRole {
    fn retrieve(&self, ctx: &mut Context<'_>) -> Result<Credentials, Error> {
        let signer = self.signer.retrieve(ctx)?;
        let session_name = self.session_name(ctx, &signer);
        debug!(
            "assuming {} as session '{session_name}' for {}s",
            self.step.role_arn,
            self.step.duration.as_secs()
        );
        let assumed = sts::assume_role(
            ctx.agent,
            &self.endpoint,
            &signer,
            &AssumeRoleInput {
                role_arn: &self.step.role_arn.raw,
                session_name: &session_name,
                duration_secs: self.step.duration.as_secs(),
                external_id: self.step.external_id.as_deref(),
                mfa: None,
            },
        )?;
        debug!(
            "assumed {} (key {})",
            assumed.arn, assumed.credentials.access_key_id
        );
        Ok(assumed.credentials)
    }

    fn describe(&self) -> String {
        format!(
            "AssumeRole({}) <- {}",
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
