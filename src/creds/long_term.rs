//! The long-term keys at the root of every chain (a profile's keys, or the environment's with
//! `credential_source = Environment`), already read by profile resolution.

use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use crate::config::profile::{Source, SourceKind};

/// Hands out the source credentials as they are.
pub struct LongTerm {
    pub source: Source,
}

impl Provider for LongTerm {
    fn retrieve(&self, _ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        Ok(Fetched::bare(self.source.credentials.clone()))
    }

    fn describe(&self) -> String {
        match self.source.kind {
            SourceKind::File => format!("LongTerm({})", self.source.profile),
            SourceKind::Environment => format!("Environment({})", self.source.profile),
        }
    }
}
