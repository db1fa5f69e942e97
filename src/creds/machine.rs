//! Credentials AWS hands to the machine: the instance's role from the EC2 instance-metadata
//! service (`credential_source = Ec2InstanceMetadata`) and the task's from the container
//! endpoint (`EcsContainer`). Fetched only when the plan needs them (a cached role asks nothing).

use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use crate::aws::metadata;

/// The instance's role credentials.
pub struct InstanceMetadata {
    pub profile: String,
    /// The service's base URL (`http://169.254.169.254/`).
    pub base: String,
}

impl Provider for InstanceMetadata {
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        metadata::instance(ctx.agent, &self.base)
            .map(Fetched::bare)
            .map_err(|message| CredsError::Machine {
                profile: self.profile.clone(),
                source: "Ec2InstanceMetadata",
                message,
            })
    }

    fn describe(&self) -> String {
        format!("InstanceMetadata({})", self.profile)
    }
}

/// The container's credentials.
pub struct Container {
    pub profile: String,
    pub url: String,
    pub token: Option<String>,
    /// Read at each fetch: the agent rotates it.
    pub token_file: Option<String>,
}

impl Container {
    fn error(&self, message: String) -> CredsError {
        CredsError::Machine {
            profile: self.profile.clone(),
            source: "EcsContainer",
            message,
        }
    }
}

impl Provider for Container {
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        let token = match &self.token_file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| self.error(format!("cannot read the token file {path}: {e}")))?
                    .trim()
                    .to_string(),
            ),
            None => self.token.clone(),
        };
        metadata::container(ctx.agent, &self.url, token.as_deref())
            .map(Fetched::bare)
            .map_err(|message| self.error(message))
    }

    fn describe(&self) -> String {
        format!("Container({})", self.profile)
    }
}
