//! The credential endpoints for long-running programs: `--ec2` (instance metadata, `imds`, with
//! its IMDSv2 `token`s and its browser `console`) and `--ecs` (container credentials, `ecs`).
//! What they serve is held and renewed by `holder` and written by `json`; `http` is what every
//! endpoint adds to the bounded server they run on (`crate::http_server`): loopback-only
//! addresses, the Host check, the access log.

pub mod console;
pub mod ecs;
pub mod holder;
pub mod http;
pub mod imds;
pub mod json;
pub mod token;
