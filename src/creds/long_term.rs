//! The long-term keys at the root of every chain (a profile's keys, or the environment's with
//! `credential_source = Environment`), already read by profile resolution.

use super::{Context, Credentials, Provider};
use crate::config::profile::{Source, SourceKind};
use crate::error::Error;

/// Hands out the source credentials as they are.
pub struct LongTerm {
    pub source: Source,
}

impl Provider for LongTerm {
    fn retrieve(&self, _ctx: &mut Context<'_>) -> Result<Credentials, Error> {
        Ok(self.source.credentials.clone())
    }

    fn describe(&self) -> String {
        match self.source.kind {
            SourceKind::File => format!("LongTerm({})", self.source.profile),
            SourceKind::Environment => format!("Environment({})", self.source.profile),
        }
    }
}
