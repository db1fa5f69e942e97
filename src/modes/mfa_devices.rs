//! `-m`: the MFA devices of the profile's IAM user, one serial (ARN) a line: what to put in
//! `mfa_serial`.

use crate::aws::iam::Iam;
use crate::cli::args::Args;
use crate::env::Env;
use crate::error::Error;
use crate::session::Session;

use super::iam_user;

/// Runs `-m`; returns the exit code.
pub fn run(args: &Args, env: &Env) -> Result<i32, Error> {
    let session = Session::open(args, env)?;
    let user = iam_user::open(&session, args, env)?;
    let iam = Iam {
        agent: &session.agent,
        endpoint: &user.endpoint,
        credentials: &user.credentials,
    };
    let serials = iam.list_mfa_devices(&user.name)?;
    let text: String = serials.iter().map(|s| format!("{s}\n")).collect();
    super::print(&text)
}
