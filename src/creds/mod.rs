//! Getting credentials: the providers (`long_term`, `session_token`, `assume_role`,
//! `web_identity`, `process` for `credential_process`, `machine` for instance metadata and
//! container endpoints, `sso` for IAM Identity Center and its logins, `login` for `aws login` sessions), composed through one trait (`provider`) and chosen in one place that
//! says why (`plan`); the cache that decorates them (`cache`) and the safe files under it
//! (`store`); where MFA codes come from (`mfa`); the person the run talks to, at the terminal (`terminal`); and its own error (`error`).

pub mod assume_role;
pub mod cache;
pub mod callback;
pub mod error;
pub mod login;
pub mod long_term;
pub mod machine;
pub mod mfa;
pub mod plan;
pub mod process;
pub mod provider;
pub mod session_token;
pub mod sso;
pub mod store;
pub mod terminal;
pub mod web_identity;
