//! Integration tests: the built binary against the STS/IAM emulator (moto with IAM auth
//! enforcement on), with the real aws CLI and shell consuming what it produces. One binary, one
//! emulator; the files by feature, a feature with several files in its folder (`cache/`,
//! `serve/`, `sso/`). Plain `cargo test` leaves out the slow and the root-only tests, each
//! `#[ignore]`d with its reason (`ignored.rs`); `make test` runs them.

// The everyday run: the command line, profiles, files, errors, shells.
mod command_line;
mod config_files;
mod errors;
mod run;
mod shells;

// MFA and the cache.
mod cache;
mod mfa;

// Credentials served to long-running programs (the endpoints and their console) and handed to
// other tools (credential_process); IAM Identity Center and aws login sessions as sources; the
// console sign-in URL; logging in to and out of aws login sessions.
mod login;
mod login_flow;
mod login_modes;
mod login_refresh;
mod login_signin;
mod process_loops;
mod serve;
mod sso;
mod web_console;

// Discovery and support modes, and what ships.
mod diagnose;
mod discovery;
mod dist;
mod extras;
mod static_binary;
mod update;

// The code's own rules, and the test infrastructure.
mod architecture;
mod emulator_controls;
mod ignored;
mod login_standin;
mod util;
