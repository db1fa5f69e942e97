//! `-u`: says whether a newer release exists (see `crate::update`); a failed check is an error.

use std::cmp::Ordering;

use crate::env::Env;
use crate::error::Error;
use crate::update::{self, VERSION};

/// Runs `-u`; returns the exit code.
pub fn run(env: &Env) -> Result<i32, Error> {
    let found = update::check(env)?;
    let tag = &found.tag;
    let text = match found.order {
        Ordering::Less => format!(
            "New version of aws-runas available: {tag}\nDownload available at: {}\n",
            found.download
        ),
        Ordering::Equal => format!("aws-runas {VERSION} is the latest release\n"),
        Ordering::Greater => {
            format!("aws-runas {VERSION} is newer than the latest release ({tag})\n")
        }
    };
    super::print(&text)
}
