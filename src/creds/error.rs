//! Why credentials could not be had: AWS refused or could not be reached, or no MFA code.

use std::fmt;

use crate::aws::query::AwsError;
use crate::nesting::Loop;

/// An error of the providers, the plan or the cache.
#[derive(Debug)]
pub enum CredsError {
    Aws(AwsError),
    Mfa(MfaError),
    /// A profile's `credential_process` failed or printed no usable credentials.
    Process {
        profile: String,
        message: String,
    },
    /// The instance-metadata service or the container endpoint gave no credentials.
    Machine {
        profile: String,
        source: &'static str,
        message: String,
    },
    /// A `credential_process` or `mfa_process` that runs itself again.
    Loop(Loop),
    /// An Identity Center login is needed and this run cannot make one (no terminal).
    SsoLoginNeeded {
        label: String,
        profile: String,
    },
    /// An Identity Center login did not end with a token; the reason says why.
    SsoLogin {
        label: String,
        reason: String,
    },
    /// A profile that only names an sso-session: it gives no credentials.
    SsoNoRole {
        profile: String,
    },
    /// An `aws login` session's credentials are missing or expired: a new login is needed.
    LoginNeeded {
        profile: String,
    },
    /// An `aws login` session's credentials have expired and their refresh failed; the reason
    /// says why (the service's message escaped, never a token).
    LoginRefresh {
        profile: String,
        reason: String,
    },
    /// `--login` did not end with a session; the reason says why.
    Login {
        profile: String,
        reason: String,
    },
    /// Another run held the cache's lock for the whole lock timeout.
    LockTimeout {
        label: String,
        waited: std::time::Duration,
    },
}

impl CredsError {
    /// Whether the fetch failed only for want of an MFA code: there was no terminal, or nobody
    /// to ask (a page of the `--ec2` console can ask instead).
    pub fn needs_mfa_code(&self) -> bool {
        matches!(
            self,
            CredsError::Mfa(MfaError::NoTerminal | MfaError::NobodyToAsk)
        )
    }

    /// Whether AWS refused the signing credentials themselves (expired or unknown temporary
    /// keys), so that credentials from a cache should be discarded and fetched again.
    pub fn signer_refused(&self) -> bool {
        matches!(
            self,
            CredsError::Aws(AwsError::Service { code, .. })
                if code == "ExpiredToken" || code == "InvalidClientTokenId"
        )
    }
}

impl fmt::Display for CredsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredsError::Aws(e) => e.fmt(f),
            CredsError::Mfa(e) => e.fmt(f),
            CredsError::Process { profile, message } => {
                write!(f, "the credential_process of profile '{profile}': {message}")
            }
            CredsError::Machine {
                profile,
                source,
                message,
            } => write!(
                f,
                "credential_source {source} of profile '{profile}': {message}"
            ),
            CredsError::Loop(e) => e.fmt(f),
            CredsError::LoginNeeded { profile } => write!(
                f,
                "the aws login session of profile '{profile}' has expired, or its cache file is missing or cannot be used: run aws-runas --login {profile}"
            ),
            CredsError::Login { profile, reason } => {
                write!(f, "signing in to AWS for profile '{profile}' failed: {reason}")
            }
            CredsError::LoginRefresh { profile, reason } => write!(
                f,
                "refreshing the aws login session of profile '{profile}' failed: {reason}"
            ),
            CredsError::SsoLoginNeeded { label, profile } => write!(
                f,
                "the IAM Identity Center login of {label} has expired or was never made, and there is no terminal to log in on: run aws-runas --sso-login {profile}"
            ),
            CredsError::SsoLogin { label, reason } => {
                write!(f, "IAM Identity Center login of {label} failed: {reason}")
            }
            CredsError::SsoNoRole { profile } => write!(
                f,
                "profile '{profile}' names an sso-session but no sso_account_id and sso_role_name: it can log in (--sso-login) and list roles (-l), but gives no credentials"
            ),
            CredsError::LockTimeout { label, waited } => write!(
                f,
                "gave up after {}s waiting for another aws-runas fetching the credentials of {label} (is one waiting for an MFA code?); set AWS_RUNAS_LOCK_TIMEOUT to wait longer",
                waited.as_secs()
            ),
        }
    }
}

impl std::error::Error for CredsError {}

/// Why no MFA code could be had.
#[derive(Debug)]
pub enum MfaError {
    NoTerminal,
    /// Nobody to ask (`terminal::Person::nobody`).
    NobodyToAsk,
    /// No well-formed code after this many tries.
    Malformed(usize),
    Terminal(std::io::Error),
    /// `mfa_process` failed, timed out or printed no code; the reason says which.
    Process {
        command: String,
        reason: String,
    },
    /// `mfa_process` runs itself again.
    Loop(Loop),
}

impl fmt::Display for MfaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MfaError::NoTerminal => write!(
                f,
                "an MFA code is needed but there is no terminal to ask on: pass the code with -o, or set mfa_process"
            ),
            MfaError::NobodyToAsk => write!(
                f,
                "an MFA code is needed but nobody can be asked for one: pass the code with -o"
            ),
            MfaError::Malformed(tries) => write!(
                f,
                "no valid MFA code after {tries} tries (a code is 6 digits)"
            ),
            MfaError::Terminal(e) => write!(f, "cannot read the MFA code from the terminal: {e}"),
            MfaError::Process { command, reason } => {
                write!(f, "mfa_process '{command}' {reason}")
            }
            MfaError::Loop(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for MfaError {}

impl From<AwsError> for CredsError {
    fn from(e: AwsError) -> Self {
        CredsError::Aws(e)
    }
}

impl From<MfaError> for CredsError {
    fn from(e: MfaError) -> Self {
        CredsError::Mfa(e)
    }
}
