//! The top-level error, gathering each boundary's own error, and the exit code for each.

use std::fmt;

use crate::aws::query::AwsError;
use crate::cli::args::ArgsError;
use crate::config::endpoint::EndpointError;
use crate::config::profile::ProfileError;
use crate::creds::mfa::MfaError;

/// Everything that can end a run early. `main` prints it as one `aws-runas: <message>` line.
#[derive(Debug)]
pub enum Error {
    Args(ArgsError),
    Profile(ProfileError),
    Endpoint(EndpointError),
    Aws(AwsError),
    Mfa(MfaError),
    /// The command could not be started.
    Exec {
        program: String,
        error: std::io::Error,
    },
    /// Writing the output failed.
    Output(std::io::Error),
}

impl Error {
    /// The process exit code for this error: 127 and 126 for a command that cannot be run, as
    /// shells do; 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Exec { error, .. } => match error.kind() {
                std::io::ErrorKind::NotFound => 127,
                _ => 126,
            },
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
            Error::Aws(e) => e.fmt(f),
            Error::Mfa(e) => e.fmt(f),
            Error::Exec { program, error } => match error.kind() {
                std::io::ErrorKind::NotFound => write!(f, "{program}: command not found"),
                std::io::ErrorKind::PermissionDenied => {
                    write!(f, "{program}: permission denied (not executable)")
                }
                _ => write!(f, "{program}: cannot run: {error}"),
            },
            Error::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ArgsError> for Error {
    fn from(e: ArgsError) -> Self {
        Error::Args(e)
    }
}

impl From<ProfileError> for Error {
    fn from(e: ProfileError) -> Self {
        Error::Profile(e)
    }
}

impl From<EndpointError> for Error {
    fn from(e: EndpointError) -> Self {
        Error::Endpoint(e)
    }
}

impl From<MfaError> for Error {
    fn from(e: MfaError) -> Self {
        Error::Mfa(e)
    }
}

impl From<AwsError> for Error {
    fn from(e: AwsError) -> Self {
        Error::Aws(e)
    }
}
