//! The credential endpoints for long-running programs: `--ec2` (instance metadata) and `--ecs`
//! (container credentials). What they serve is held and renewed by `holder`; `http` is the
//! loopback-only server every endpoint shares.

pub mod console;
pub mod ecs;
pub mod holder;
pub mod http;
pub mod imds;
pub mod json;
pub mod token;
