//! What a run does once the arguments are parsed: one module per mode. A mode that produces
//! credentials starts from `session::Session`; `main` dispatches on `cli::mode::Mode`.

pub mod credentials;
pub mod diagnose;
pub mod ec2;
pub mod ecs;
mod endpoints;
mod iam_user;
pub mod login;
pub mod mfa_devices;
pub mod profiles;
pub mod roles;
pub mod sso;
pub mod sso_all;
mod sso_config;
mod sso_roles;
pub mod update;
pub mod web_console;

use std::io::Write;

use crate::error::Error;
use crate::glob::Glob;
use crate::log;

/// Writes a mode's whole output to stdout; exit code 0.
pub fn print(text: &str) -> Result<i32, Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    Ok(0)
}

/// Says on stderr that `--filter` left nothing of `-l`'s or `-c`'s output (which is then empty,
/// exit 0, as a search that finds nothing).
fn nothing_matches(glob: &Glob) {
    log::note(format_args!("nothing matches --filter '{}'", glob.as_str()));
}
