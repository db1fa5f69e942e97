//! `--completion-profiles`: the profiles of the AWS files, one a line, read as a run reads them:
//! what the completion scripts offer after the flags.

use crate::config::files::Files;
use crate::env::Env;
use crate::error::Error;

/// Prints the profile names; returns the exit code.
pub fn run(env: &Env) -> Result<i32, Error> {
    let files = Files::load(env)?;
    let text: String = files.profiles().iter().map(|p| format!("{p}\n")).collect();
    super::print(&text)
}
