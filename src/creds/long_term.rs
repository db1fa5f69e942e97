//! The keys at the root of every chain that are known without running anything (a profile's
//! keys, or the environment's), already read by profile resolution.

use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use crate::credentials::Credentials;

/// Hands out the source credentials as they are.
pub struct LongTerm {
    /// `LongTerm(dev)` or `Environment(dev)`, for `-v` and the plan tests.
    pub label: String,
    pub credentials: Credentials,
}

impl Provider for LongTerm {
    fn retrieve(&self, _ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        Ok(Fetched::bare(self.credentials.clone()))
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}
