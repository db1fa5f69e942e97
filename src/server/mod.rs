//! The credential endpoints for long-running programs: `--ec2` (instance metadata, `imds`, with
//! its IMDSv2 `token`s and its browser `console`) and `--ecs` (container credentials, `ecs`).
//! What they serve is held and renewed by `holder` and written by `json`; `http` is the
//! loopback-only server every endpoint shares, with its limits.

pub mod console;
pub mod ecs;
pub mod holder;
pub mod http;
pub mod imds;
pub mod json;
pub mod token;
