//! The top-level error: it only gathers each boundary's own error, and gives the exit code.

use std::fmt;

use crate::aws::federation::FederationError;
use crate::aws::iam::DiscoveryError;
use crate::aws::query::AwsError;
use crate::cli::args::ArgsError;
use crate::config::error::{EndpointError, ProfileError};
use crate::config::files::FilesError;
use crate::creds::error::{CredsError, MfaError};
use crate::exec::ExecError;
use crate::nesting::Loop;
use crate::server::http::ServerError;
use crate::update::UpdateError;

impl Error {
    /// The loop this run stopped (or that a run it ran stopped), if that is why it failed.
    pub fn as_loop(&self) -> Option<&Loop> {
        match self {
            Error::Profile(ProfileError::Loop(stopped))
            | Error::Creds(CredsError::Loop(stopped))
            | Error::Creds(CredsError::Mfa(MfaError::Loop(stopped))) => Some(stopped),
            _ => None,
        }
    }

    /// The process exit code: the command's own for one that cannot be run (127, 126), as
    /// shells do; 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Exec(e) => e.exit_code(),
            _ => 1,
        }
    }
}

/// The error type: one variant a boundary, each converted from that boundary's error with `?`,
/// and its message as the message; then the output's own.
macro_rules! gather {
    ($($(#[$doc:meta])* $variant:ident($error:ty)),* $(,)?) => {
        /// Everything that can end a run early. `main` prints it as one `aws-runas: <message>`
        /// line.
        #[derive(Debug)]
        pub enum Error {
            $($(#[$doc])* $variant($error),)*
            /// Writing the output failed.
            Output(std::io::Error),
        }

        $(impl From<$error> for Error {
            fn from(e: $error) -> Self {
                Error::$variant(e)
            }
        })*

        impl fmt::Display for Error {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(Error::$variant(e) => e.fmt(f),)*
                    Error::Output(e) => write!(f, "cannot write the output: {e}"),
                }
            }
        }
    };
}

gather!(
    Args(ArgsError),
    Profile(ProfileError),
    Endpoint(EndpointError),
    Creds(CredsError),
    /// An AWS call of a discovery mode failed.
    Aws(AwsError),
    Exec(ExecError),
    /// `-w` could not get a sign-in token.
    Federation(FederationError),
    /// A discovery mode cannot go on.
    Discovery(DiscoveryError),
    /// A credentials endpoint cannot start.
    Server(ServerError),
    /// `-u` could not tell.
    Update(UpdateError),
);

impl std::error::Error for Error {}

impl From<FilesError> for Error {
    fn from(e: FilesError) -> Self {
        Error::Profile(ProfileError::Files(e))
    }
}
