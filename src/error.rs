//! The top-level error: it only gathers each boundary's own error, and gives the exit code.

use std::fmt;

use crate::aws::federation::FederationError;
use crate::aws::query::AwsError;
use crate::cli::args::ArgsError;
use crate::config::endpoint::EndpointError;
use crate::config::error::ProfileError;
use crate::config::files::FilesError;
use crate::creds::error::{CredsError, MfaError};
use crate::exec::ExecError;
use crate::nesting::Loop;
use crate::release::UpdateError;
use crate::server::http::ServerError;

/// Everything that can end a run early. `main` prints it as one `aws-runas: <message>` line.
#[derive(Debug)]
pub enum Error {
    Args(ArgsError),
    Profile(ProfileError),
    Endpoint(EndpointError),
    Creds(CredsError),
    /// An AWS call of a discovery mode failed.
    Aws(AwsError),
    Exec(ExecError),
    /// `-w` could not get a sign-in token.
    Federation(FederationError),
    /// `-w` on a profile without a role.
    NotARole {
        profile: String,
    },
    /// A credentials endpoint cannot start.
    Server(ServerError),
    /// `-u` could not tell.
    Update(UpdateError),
    /// A discovery mode needs an IAM user, and the profile's credentials are another kind.
    NotAUser {
        profile: String,
        arn: String,
    },
    /// `-l`/`-c`: not one of the user's policy lists could be read.
    NoPolicies {
        user: String,
        error: AwsError,
    },
    /// Writing the output failed.
    Output(std::io::Error),
}

impl Error {
    /// The process exit code: the command's own for one that cannot be run (127, 126), as
    /// shells do; 1 otherwise.
    /// The loop this run stopped (or that a run it ran stopped), if that is why it failed.
    pub fn as_loop(&self) -> Option<&Loop> {
        match self {
            Error::Profile(ProfileError::Loop(stopped))
            | Error::Creds(CredsError::Loop(stopped))
            | Error::Creds(CredsError::Mfa(MfaError::Loop(stopped))) => Some(stopped),
            _ => None,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Exec(e) => e.exit_code(),
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Args(e) => e.fmt(f),
            Error::Profile(e) => e.fmt(f),
            Error::Endpoint(e) => e.fmt(f),
            Error::Creds(e) => e.fmt(f),
            Error::Aws(e) => e.fmt(f),
            Error::Exec(e) => e.fmt(f),
            Error::Update(e) => e.fmt(f),
            Error::Server(e) => e.fmt(f),
            Error::Federation(e) => e.fmt(f),
            Error::NotARole { profile } => write!(
                f,
                "profile '{profile}' gives session-token credentials, which AWS cannot federate into a console session: use -w with a role profile (one with role_arn)"
            ),
            Error::NotAUser { profile, arn } => write!(
                f,
                "the credentials of profile '{profile}' are not an IAM user's ({arn}): use a profile with a user's keys"
            ),
            Error::NoPolicies { user, error } => write!(
                f,
                "cannot read any policy of user {user} (it may need iam:List* and iam:Get* on its own user, groups and policies): {error}"
            ),
            Error::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for Error {}

macro_rules! gather {
    ($($variant:ident($error:ty)),* $(,)?) => {
        $(impl From<$error> for Error {
            fn from(e: $error) -> Self {
                Error::$variant(e)
            }
        })*
    };
}

gather!(
    Args(ArgsError),
    Profile(ProfileError),
    Endpoint(EndpointError),
    Creds(CredsError),
    Aws(AwsError),
    Exec(ExecError),
    Update(UpdateError),
    Server(ServerError),
    Federation(FederationError),
);

impl From<FilesError> for Error {
    fn from(e: FilesError) -> Self {
        Error::Profile(ProfileError::Files(e))
    }
}
