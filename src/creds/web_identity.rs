//! A role assumed with a web identity token (`role_arn` + `web_identity_token_file`): the CI
//! job's OIDC token, read from its file at each fetch (it is rotated), sent to
//! AssumeRoleWithWebIdentity, which AWS takes unsigned.

use std::time::Duration;

use super::assume_role::sanitize_session_name;
use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use crate::arn::RoleArn;
use crate::aws::endpoint::Endpoint;
use crate::aws::sts;
use crate::log::debug;
use crate::time;

pub struct WebIdentity {
    pub profile: String,
    pub endpoint: Endpoint,
    pub role_arn: RoleArn,
    pub token_file: String,
    pub session_name: Option<String>,
    pub duration: Duration,
}

impl Provider for WebIdentity {
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        let token = std::fs::read_to_string(&self.token_file).map_err(|e| CredsError::Machine {
            profile: self.profile.clone(),
            source: "web_identity_token_file",
            message: format!("cannot read {}: {e}", self.token_file),
        })?;
        // As botocore: the configured name, else one made from the time.
        let session_name = self
            .session_name
            .as_deref()
            .and_then(sanitize_session_name)
            .unwrap_or_else(|| format!("aws-runas-{}", time::unix_now()));
        debug!(
            "assuming {} with a web identity token as session '{session_name}'",
            self.role_arn
        );
        let assumed = sts::assume_role_with_web_identity(
            ctx.agent,
            &self.endpoint,
            &self.role_arn.raw,
            &session_name,
            token.trim(),
            self.duration.as_secs(),
        )?;
        Ok(Fetched {
            credentials: assumed.credentials,
            caller_arn: Some(assumed.arn),
            session_name: Some(session_name),
            sso_token: None,
        })
    }

    fn describe(&self) -> String {
        format!("WebIdentity({})", self.role_arn.name)
    }
}
