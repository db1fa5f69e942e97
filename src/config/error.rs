//! Why a profile could not be resolved: [`ProfileError`] (and [`EndpointError`], an endpoint URL
//! we cannot use), each message one line that says what
//! to fix.

use std::fmt;
use std::path::PathBuf;

use super::files::FilesError;
use super::searched::Searched;
use crate::arn::ArnError;
use crate::duration::DurationError;

/// The `AWS_PROFILE` trap, said beside the error it caused (a profile not found, a command not
/// found): `AWS_PROFILE` is set, so the first positional argument, which names a profile, was
/// taken as the command. `config::resolve::taken_as_command` finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenAsCommand {
    /// The word the user most likely meant as the profile.
    pub word: String,
}

impl fmt::Display for TakenAsCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AWS_PROFILE is set, so '{}' was taken as the command, not the profile: unset AWS_PROFILE to name the profile on the command line",
            self.word
        )
    }
}

/// Why a profile could not be resolved; each message says what to fix.
#[derive(Debug)]
pub enum ProfileError {
    Files(FilesError),
    NotUnicode,
    /// The profile's `credential_process` or `mfa_process` is what this run is nested in.
    Loop(crate::nesting::Loop),
    /// A region that is no region name (`eu-west-1#x`), and where it was set.
    BadRegion {
        region: String,
        origin: String,
    },
    /// A second positional argument in a mode that runs no command.
    ExtraArgument {
        flag: String,
        profile: String,
        argument: String,
    },
    NotFound {
        name: String,
        searched: Box<Searched>,
    },
    SourceNotFound {
        name: String,
        source: String,
        searched: Box<Searched>,
    },
    /// `AWS_PROFILE` is set, so the first positional argument, itself a profile's name, was
    /// taken as the command: the frequent trap, said beside the error it caused.
    TakenAsCommand {
        error: Box<ProfileError>,
        hint: TakenAsCommand,
    },
    NoSourceProfile {
        name: String,
    },
    /// `credential_source` and `source_profile` on one profile (an error in the CLI too).
    BothSources {
        name: String,
    },
    /// `credential_source = Ec2InstanceMetadata` with `AWS_EC2_METADATA_DISABLED=true`.
    MetadataDisabled {
        name: String,
    },
    /// `credential_source = EcsContainer` without a container-credentials URI.
    ContainerUnset {
        name: String,
    },
    /// A plain-http container-credentials URI on a host the token must not be sent to.
    ContainerHost {
        name: String,
        uri: String,
    },
    /// An IAM Identity Center profile's settings cannot be used.
    Sso(super::sso::SsoError),
    /// An endpoint URL the profile's settings give that cannot be used.
    Endpoint(EndpointError),
    /// `web_identity_token_file` without a `role_arn` to assume with it.
    WebIdentityWithoutRole {
        name: String,
    },
    /// `login_session` beside another credential style (`key`) in one profile.
    LoginWith {
        name: String,
        key: &'static str,
    },
    /// `--login` for a profile that gets its credentials another way (`has`: the key, or the
    /// source it reaches).
    NotForLogin {
        name: String,
        has: String,
    },
    /// `--logout` for a profile that uses no `aws login` session.
    NoLoginSession {
        name: String,
    },
    Cycle(Vec<String>),
    MissingKeys {
        name: String,
        config: PathBuf,
        credentials: PathBuf,
    },
    EnvironmentKeysMissing {
        name: String,
    },
    UnsupportedCredentialSource {
        name: String,
        value: String,
    },
    BadDuration {
        origin: String,
        key: &'static str,
        error: DurationError,
    },
    BadDurationSeconds {
        origin: String,
        value: String,
    },
    Arn {
        origin: String,
        error: ArnError,
    },
}

impl ProfileError {
    /// For the errors whose whole message is `profile '<name>' <rest>`: the name and the rest.
    fn about_profile(&self) -> Option<(&str, &'static str)> {
        use ProfileError::*;
        let (name, rest) = match self {
            NoSourceProfile { name } => (name, "has role_arn but no source_profile: add source_profile (or credential_source = Environment)"),
            BothSources { name } => (name, "has both source_profile and credential_source: keep one of them"),
            WebIdentityWithoutRole { name } => (name, "has web_identity_token_file but no role_arn to assume with it"),
            MetadataDisabled { name } => (name, "has credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED is true"),
            ContainerUnset { name } => (name, "has credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set"),
            EnvironmentKeysMissing { name } => (name, "has credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"),
            NoLoginSession { name } => (name, "uses no aws login session (login_session, itself or through source_profile): nothing to log out of"),
            _ => return None,
        };
        Some((name, rest))
    }
}

/// An endpoint URL we cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError {
    pub url: String,
    pub origin: String,
    pub problem: EndpointProblem,
}

/// What is wrong with an endpoint URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointProblem {
    /// Not `http(s)://host[:port]`.
    Invalid,
    /// Plain `http://` to a host other than this machine, for a service that is sent a token.
    Cleartext,
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (url, origin) = (&self.url, &self.origin);
        match self.problem {
            EndpointProblem::Invalid => write!(
                f,
                "invalid endpoint URL '{url}' in {origin} (expected http://host[:port] or https://host[:port])"
            ),
            EndpointProblem::Cleartext => write!(
                f,
                "the IAM Identity Center endpoint '{url}' in {origin} is plain http to another host: its login token would travel in clear text; use https (http is for 127.0.0.1 and localhost only)"
            ),
        }
    }
}

impl std::error::Error for EndpointError {}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProfileError::*;
        if let Some((name, rest)) = self.about_profile() {
            return write!(f, "profile '{name}' {rest}");
        }
        match self {
            Files(e) => e.fmt(f),
            Sso(e) => e.fmt(f),
            Endpoint(e) => e.fmt(f),
            NotUnicode => write!(f, "the profile name is not valid UTF-8"),
            Loop(e) => e.fmt(f),
            BadRegion { region, origin } => write!(
                f,
                "invalid region '{region}' (from {origin}): a region name is letters, digits and hyphens, e.g. eu-west-1"
            ),
            ExtraArgument {
                flag,
                profile,
                argument,
            } => write!(
                f,
                "{flag} runs no command: unexpected argument '{argument}' after the profile '{profile}'"
            ),
            NotFound { name, searched } => write!(f, "profile '{name}' not found{searched}"),
            SourceNotFound {
                name,
                source,
                searched,
            } => write!(
                f,
                "source_profile '{source}' of profile '{name}' not found{searched}"
            ),
            TakenAsCommand { error, hint } => write!(f, "{error} ({hint})"),
            ContainerHost { name, uri } => write!(
                f,
                "profile '{name}': AWS_CONTAINER_CREDENTIALS_FULL_URI '{uri}' is plain http to a host other than loopback or the container agent: use https"
            ),
            LoginWith { name, key } => login_with(f, name, key),
            NotForLogin { name, has } => not_for_login(f, name, has),
            Cycle(names) => write!(f, "source_profile cycle: {}", names.join(" -> ")),
            MissingKeys { name, config, credentials } => write!(
                f,
                "profile '{name}' has no aws_access_key_id and aws_secret_access_key in {} or {}",
                credentials.display(),
                config.display()
            ),
            UnsupportedCredentialSource { name, value } => write!(
                f,
                "profile '{name}': credential_source '{value}' is not supported (Environment, Ec2InstanceMetadata or EcsContainer)"
            ),
            BadDuration { origin, key, error } => write!(f, "{key} in {origin}: {error}"),
            BadDurationSeconds { origin, value } => write!(
                f,
                "duration_seconds in {origin}: invalid value '{value}' (a whole number of seconds)"
            ),
            Arn { origin, error } => write!(f, "{origin}: {error}"),
            // The rest are said by about_profile, above.
            _ => Ok(()),
        }
    }
}

/// [`ProfileError::NotForLogin`]'s line.
fn not_for_login(f: &mut fmt::Formatter<'_>, name: &str, has: &str) -> fmt::Result {
    write!(
        f,
        "profile '{name}' has {has}, and --login would give it a second kind of credentials: sign in for a profile of its own (aws-runas --login NEW-NAME)"
    )
}

/// [`ProfileError::LoginWith`]'s line.
fn login_with(f: &mut fmt::Formatter<'_>, name: &str, key: &str) -> fmt::Result {
    write!(
        f,
        "profile '{name}' has both login_session and {key}: a profile takes its credentials from one of them; keep the aws login session in a profile of its own"
    )
}

impl std::error::Error for ProfileError {}

impl From<super::sso::SsoError> for ProfileError {
    fn from(e: super::sso::SsoError) -> Self {
        ProfileError::Sso(e)
    }
}

impl From<FilesError> for ProfileError {
    fn from(e: FilesError) -> Self {
        ProfileError::Files(e)
    }
}
