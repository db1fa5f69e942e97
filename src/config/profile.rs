//! The resolved profile: what a run needs to know about it ([`Profile`]), and the plain values
//! it is resolved from ([`Target`], [`Overrides`], a [`Setting`] with its origin).
//!
//! Resolution itself is in `resolve.rs`, built from the files (`files.rs`), the `source_profile`
//! chain (`chain.rs`), the layers of settings (`layers.rs`) and the root's credentials
//! (`source.rs`); why it fails is `error.rs`.

use std::time::Duration;

use super::error::ProfileError;
use super::login::LoginSession;
use super::sso::SsoRole;
use crate::arn::RoleArn;
use crate::credentials::Credentials;
use crate::duration::Bounds;
use crate::nesting::Nesting;

/// Role credentials lifetime: default, minimum, maximum.
pub const ROLE_DURATION: Bounds = Bounds {
    default: Duration::from_secs(3600),
    min: Duration::from_secs(900),
    max: Duration::from_secs(12 * 3600),
};
/// Session token lifetime: default, minimum, maximum.
pub const SESSION_DURATION: Bounds = Bounds {
    default: Duration::from_secs(12 * 3600),
    min: Duration::from_secs(900),
    max: Duration::from_secs(36 * 3600),
};
/// AWS refuses more than an hour for a role assumed with role credentials (role chaining).
pub const CHAINED_MAX: Duration = Duration::from_secs(3600);

/// What the user named: a profile, or a role ARN standing in for one (its source is then the
/// default profile). Decided once, when the name is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Profile(String),
    RoleArn(RoleArn),
}

impl Target {
    /// A profile name, or a role ARN when `name` looks like an ARN (any other ARN is an error).
    pub fn parse(name: &str) -> Result<Target, ProfileError> {
        if !RoleArn::looks_like_arn(name) {
            return Ok(Target::Profile(name.to_string()));
        }
        let arn = RoleArn::parse(name).map_err(|error| ProfileError::Arn {
            origin: "profile argument".into(),
            error,
        })?;
        Ok(Target::RoleArn(arn))
    }

    /// The name as the user gave it.
    pub fn name(&self) -> &str {
        match self {
            Target::Profile(name) => name,
            Target::RoleArn(arn) => &arn.raw,
        }
    }

    /// The profile whose section starts the `source_profile` chain.
    pub fn start(&self) -> &str {
        match self {
            Target::Profile(name) => name,
            Target::RoleArn(_) => "default",
        }
    }
}

/// What the command line says about the profile (`--region`, `-M`, `-d`, `-a`): the highest layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--region`: the run's region, over the environment's and the files'.
    pub region: Option<String>,
    pub mfa_serial: Option<String>,
    pub session_duration: Option<Duration>,
    pub role_duration: Option<Duration>,
}

/// Where the credentials of the chain's root come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// The profile's keys in the credentials (or config) file.
    File(Credentials),
    /// The environment's keys: `credential_source = Environment`, or a profile with none.
    Environment(Credentials),
    /// `credential_process`: this command prints them (run only when they are needed).
    Process(String),
    /// `credential_source = Ec2InstanceMetadata`: the metadata service at this base URL.
    InstanceMetadata(String),
    /// `role_arn` with `web_identity_token_file`: AssumeRoleWithWebIdentity with the file's token.
    WebIdentity {
        role_arn: RoleArn,
        token_file: String,
        session_name: Option<String>,
        duration: Duration,
    },
    /// An IAM Identity Center role: the portal's GetRoleCredentials with the session's token.
    Sso(Box<SsoRole>),
    /// `login_session`: the `aws login` session's cached credentials (temporary, made with the
    /// console's sign-in and its MFA).
    Login(LoginSession),
    /// `credential_source = EcsContainer`: the container-credentials endpoint.
    Container {
        url: String,
        /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
        token: Option<String>,
        /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, read when the credentials are fetched.
        token_file: Option<String>,
    },
}

/// The credentials everything else is built on.
#[derive(Debug, Clone)]
pub struct Source {
    /// The profile holding the keys (or declaring `credential_source`, `credential_process`).
    pub profile: String,
    pub kind: SourceKind,
}

impl Source {
    /// The keys, when they are known without running anything (not for `credential_process`).
    pub fn credentials(&self) -> Option<&Credentials> {
        match &self.kind {
            SourceKind::File(c) | SourceKind::Environment(c) => Some(c),
            SourceKind::Process(_)
            | SourceKind::InstanceMetadata(_)
            | SourceKind::WebIdentity { .. }
            | SourceKind::Sso(_)
            | SourceKind::Login(_)
            | SourceKind::Container { .. } => None,
        }
    }
}

/// One AssumeRole in the chain.
#[derive(Debug, Clone)]
pub struct RoleStep {
    /// The profile declaring this role (the ARN itself for a role ARN given as the profile).
    pub profile: String,
    pub role_arn: RoleArn,
    pub external_id: Option<String>,
    /// The session name configured for this step, if any.
    pub session_name: Option<String>,
    pub duration: Duration,
}

/// A value and where it came from (`profile 'dev'`, `environment AWS_REGION`, `flag --duration`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T = String> {
    pub value: T,
    pub origin: String,
}

impl<T> Setting<T> {
    pub fn new(value: T, origin: impl Into<String>) -> Setting<T> {
        Setting {
            value,
            origin: origin.into(),
        }
    }
}

/// Where each setting came from, by key, in resolution order.
#[derive(Debug, Clone, Default)]
pub struct Origins(Vec<(&'static str, String)>);

impl Origins {
    /// Notes that `key` was set by `origin`.
    pub fn note(&mut self, key: &'static str, origin: impl Into<String>) {
        self.0.push((key, origin.into()));
    }

    /// Where `key` was set (its first note), if it was.
    pub fn of(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, origin)| origin.as_str())
    }
}

/// Everything a run needs to know about the profile, resolved.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The profile (or role ARN) the user named.
    pub target: Target,
    pub region: Option<String>,
    pub source: Source,
    /// The roles to assume, in order; the last one gives the result. Empty: no role.
    pub roles: Vec<RoleStep>,
    pub mfa_serial: Option<String>,
    /// `mfa_process` (or `AWS_RUNAS_MFA_PROCESS`): the command that prints an MFA code.
    pub mfa_process: Option<String>,
    pub session_duration: Duration,
    /// `endpoint_url` of the profile itself (botocore takes it from no other profile).
    pub endpoint_url: Option<String>,
    /// The `endpoint_url`s of the `[services NAME]` section the profile names, by service key
    /// (`sts`, `sso`, `sso_oidc`).
    pub service_urls: Vec<(&'static str, String)>,
    /// `ignore_configured_endpoint_urls` of the profile.
    pub ignore_configured_endpoint_urls: bool,
    /// The CA bundle (`AWS_CA_BUNDLE`, else the profile's `ca_bundle`) and where it was set.
    pub ca_bundle: Option<Setting>,
    /// `sts_regional_endpoints` from the profile layers.
    pub sts_regional_endpoints: Option<String>,
    /// Where each setting came from, by key (`-D`).
    pub origins: Origins,
    /// The `credential_process`/`mfa_process` runs this run is nested in.
    pub nesting: Nesting,
}

impl Profile {
    /// Where `key` was set (`profile 'dev'`, `environment AWS_REGION`, `default`), if it was.
    pub fn origin(&self, key: &str) -> Option<&str> {
        self.origins.of(key)
    }
}

impl Profile {
    /// The profile (or role ARN) as the user named it.
    pub fn name(&self) -> &str {
        self.target.name()
    }

    /// The name this profile goes by in the environment we hand on (`AWSRUNAS_PROFILE`): none for
    /// a role ARN, which is not a profile an SDK could load.
    pub fn profile_name(&self) -> Option<&str> {
        match &self.target {
            Target::Profile(name) => Some(name),
            Target::RoleArn(_) => None,
        }
    }

    /// The name of the role credentials' cache entry: the profile, or `<account>-<role name>`
    /// for a role ARN.
    pub fn cache_name(&self) -> String {
        match &self.target {
            Target::Profile(name) => name.clone(),
            Target::RoleArn(arn) => format!("{}-{}", arn.account, arn.name),
        }
    }
}
