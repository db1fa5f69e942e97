//! The common start of the IAM discovery modes (`-m`, `-l`, `-c`): the credentials IAM calls are
//! signed with, the IAM user they belong to (GetCallerIdentity), and the IAM endpoint.

use crate::arn;
use crate::aws::endpoint::Endpoint;
use crate::aws::iam::DiscoveryError;
use crate::aws::sts;
use crate::cli::args::Args;
use crate::config::endpoint;
use crate::credentials::Credentials;
use crate::env::Env;
use crate::error::Error;
use crate::session::Session;

/// The IAM user behind a profile, ready for IAM calls.
pub struct IamUser {
    /// The user name (the last segment of the ARN; user names hold no `/`).
    pub name: String,
    /// The caller ARN GetCallerIdentity gave.
    pub arn: String,
    pub credentials: Credentials,
    pub endpoint: Endpoint,
}

/// The IAM user the profile's credentials belong to; an error when they are not a user's (an
/// assumed role, a federated session, the root user's keys).
pub fn open(session: &Session, args: &Args, env: &Env) -> Result<IamUser, Error> {
    let mut mfa = session.mfa(args.otp.clone());
    let credentials = session.iam_credentials(&mut mfa)?.credentials;
    let identity = sts::get_caller_identity(&session.agent, &session.sts, &credentials)?;
    let name = identity
        .arn
        .contains(":user/")
        .then(|| arn::caller_name(&identity.arn))
        .flatten()
        .map(str::to_string);
    let Some(name) = name else {
        return Err(DiscoveryError::NotAUser {
            profile: session.profile.name().to_string(),
            arn: identity.arn,
        }
        .into());
    };
    Ok(IamUser {
        name,
        arn: identity.arn,
        credentials,
        endpoint: endpoint::iam(env, &session.profile)?,
    })
}
