//! `-m`: the MFA devices of the profile's IAM user, one serial (ARN) a line: what to put in
//! `mfa_serial`. The IAM call is signed with the credentials at the profile's root (the user's
//! keys), and asks for the user GetCallerIdentity names.

use std::io::Write;

use crate::arn;
use crate::aws::{iam, sts};
use crate::cli::args::Args;
use crate::config::endpoint;
use crate::env::Env;
use crate::error::Error;
use crate::session::Session;

/// Runs `-m`; returns the exit code.
pub fn run(args: &Args, env: &Env) -> Result<i32, Error> {
    let session = Session::open(args, env)?;
    let mut mfa = Session::terminal_mfa(args);
    let source = session.source(&mut mfa)?.credentials;
    let identity = sts::get_caller_identity(&session.agent, &session.sts, &source)?;
    let Some(user) = identity
        .arn
        .contains(":user/")
        .then(|| arn::caller_name(&identity.arn))
        .flatten()
    else {
        return Err(Error::NotAUser {
            profile: session.profile.name().to_string(),
            arn: identity.arn,
        });
    };
    let iam_endpoint = endpoint::iam(env, &session.profile)?;
    let serials = iam::list_mfa_devices(&session.agent, &iam_endpoint, &source, user)?;
    let text: String = serials.iter().map(|s| format!("{s}\n")).collect();
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    Ok(0)
}
