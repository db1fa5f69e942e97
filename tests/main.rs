//! Integration tests: the built binary against the STS/IAM emulator (moto with IAM auth
//! enforcement on), with the real aws CLI and shell consuming what it produces.

mod architecture;
mod cache;
mod cache_honesty;
mod cache_security;
mod config_files;
mod console;
mod container;
mod diagnose;
mod discovery;
mod emulator_controls;
mod endpoint_abuse;
mod endpoints;
mod errors;
mod extras;
mod mfa;
mod process_loops;
mod run;
mod shells;
mod update;
mod util;
mod web_console;
