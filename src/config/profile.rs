//! Resolves the profile to use, in named layers, lowest to highest:
//! the default profile (region and the two custom durations only) → the source profiles (root
//! first) → the profile's own section → environment → flags. Each value's origin is traced
//! with `-v`.
//!
//! Also decides, from `AWS_PROFILE`, whether the first positional argument is the profile or the
//! command, and follows `source_profile` chains (role chaining) with cycle detection. It reads the
//! long-term keys of the chain's root but makes no network call: that is the providers' job.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::ini::{Ini, IniError, Section};
use crate::arn::{ArnError, RoleArn};
use crate::cli::args::Args;
use crate::creds::{Credentials, Secret};
use crate::debug;
use crate::duration::{self, DurationError};
use crate::env::Env;

/// Role credentials lifetime: default, minimum, maximum.
pub const ROLE_DURATION: (Duration, Duration, Duration) = (
    Duration::from_secs(3600),
    Duration::from_secs(900),
    Duration::from_secs(12 * 3600),
);
/// Session token lifetime: default, minimum, maximum.
pub const SESSION_DURATION: (Duration, Duration, Duration) = (
    Duration::from_secs(12 * 3600),
    Duration::from_secs(900),
    Duration::from_secs(36 * 3600),
);
/// AWS refuses more than an hour for a role assumed with role credentials (role chaining).
pub const CHAINED_MAX: Duration = Duration::from_secs(3600);

/// The two files, parsed.
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub config: Ini,
    pub credentials: Ini,
}

/// Where the long-term credentials of the chain's root come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// The profile's keys in the credentials (or config) file.
    File,
    /// `credential_source = Environment`: `AWS_ACCESS_KEY_ID` and friends.
    Environment,
}

/// The long-term (or at least non-refreshable) credentials everything else is built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The profile holding the keys (or declaring `credential_source`).
    pub profile: String,
    pub kind: SourceKind,
    pub credentials: Credentials,
}

/// One AssumeRole in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleStep {
    /// The profile declaring this role (the ARN itself for a role ARN given as the profile).
    pub profile: String,
    pub role_arn: RoleArn,
    pub external_id: Option<String>,
    /// The session name configured for this step, if any.
    pub session_name: Option<String>,
    pub duration: Duration,
}

/// Everything a run needs to know about the profile, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The profile as named by the user (or the role ARN standing in for one).
    pub name: String,
    /// Whether `name` is a role ARN rather than a profile.
    pub is_arn: bool,
    pub region: Option<String>,
    pub source: Source,
    /// The roles to assume, in order; the last one gives the result. Empty: no role.
    pub roles: Vec<RoleStep>,
    pub mfa_serial: Option<String>,
    pub session_duration: Duration,
    /// The lifetime of the final role credentials.
    pub role_duration: Duration,
    /// `endpoint_url` from the profile layers.
    pub endpoint_url: Option<String>,
    /// `sts_regional_endpoints` from the profile layers.
    pub sts_regional_endpoints: Option<String>,
}

/// The outcome of resolution: the profile, and the command to run (empty: print exports).
#[derive(Debug)]
pub struct Resolved {
    pub profile: Profile,
    pub command: Vec<OsString>,
}

/// Why a profile could not be resolved; each message says what to fix.
#[derive(Debug)]
pub enum ProfileError {
    Ini(IniError),
    NoHome,
    NotUnicode,
    NotFound {
        name: String,
        config: PathBuf,
        credentials: PathBuf,
    },
    SourceNotFound {
        name: String,
        source: String,
        config: PathBuf,
        credentials: PathBuf,
    },
    NoSourceProfile {
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

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProfileError::*;
        match self {
            Ini(e) => e.fmt(f),
            NoHome => write!(f, "cannot find the home directory: set HOME, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE"),
            NotUnicode => write!(f, "the profile name is not valid UTF-8"),
            NotFound { name, config, credentials } => write!(
                f,
                "profile '{name}' not found in {} or {}",
                config.display(),
                credentials.display()
            ),
            SourceNotFound { name, source, config, credentials } => write!(
                f,
                "source_profile '{source}' of profile '{name}' not found in {} or {}",
                config.display(),
                credentials.display()
            ),
            NoSourceProfile { name } => write!(
                f,
                "profile '{name}' has role_arn but no source_profile: add source_profile (or credential_source = Environment)"
            ),
            Cycle(names) => write!(f, "source_profile cycle: {}", names.join(" -> ")),
            MissingKeys { name, config, credentials } => write!(
                f,
                "profile '{name}' has no aws_access_key_id and aws_secret_access_key in {} or {}",
                credentials.display(),
                config.display()
            ),
            EnvironmentKeysMissing { name } => write!(
                f,
                "profile '{name}' has credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
            ),
            UnsupportedCredentialSource { name, value } => write!(
                f,
                "profile '{name}': credential_source '{value}' is not supported (only Environment)"
            ),
            BadDuration { origin, key, error } => write!(f, "{key} in {origin}: {error}"),
            BadDurationSeconds { origin, value } => write!(
                f,
                "duration_seconds in {origin}: invalid value '{value}' (a whole number of seconds)"
            ),
            Arn { origin, error } => write!(f, "{origin}: {error}"),
        }
    }
}

impl std::error::Error for ProfileError {}

impl From<IniError> for ProfileError {
    fn from(e: IniError) -> Self {
        ProfileError::Ini(e)
    }
}

/// The config file's path: `AWS_CONFIG_FILE` or `~/.aws/config`.
pub fn config_path(env: &Env) -> Result<PathBuf, ProfileError> {
    file_path(env, "AWS_CONFIG_FILE", "config")
}

/// The credentials file's path: `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
pub fn credentials_path(env: &Env) -> Result<PathBuf, ProfileError> {
    file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

fn file_path(env: &Env, var: &str, name: &str) -> Result<PathBuf, ProfileError> {
    if let Some(p) = env.non_empty(var) {
        // The CLI expands a leading `~` in these variables.
        if let Some(rest) = p.strip_prefix("~/") {
            return Ok(env.home().ok_or(ProfileError::NoHome)?.join(rest));
        }
        return Ok(PathBuf::from(p));
    }
    Ok(env
        .home()
        .ok_or(ProfileError::NoHome)?
        .join(".aws")
        .join(name))
}

impl Files {
    /// Reads both files (a missing one is empty).
    pub fn load(env: &Env) -> Result<Files, ProfileError> {
        Ok(Files {
            config: Ini::load(&config_path(env)?)?,
            credentials: Ini::load(&credentials_path(env)?)?,
        })
    }

    /// The profile's section in the config file: `[profile NAME]`, else `[NAME]`.
    pub fn config_section(&self, name: &str) -> Option<Section> {
        let prefixed = self.config.sections.iter().find_map(|s| {
            let rest = s.name.strip_prefix("profile")?;
            (rest.starts_with([' ', '\t']) && rest.trim() == name).then(|| s.name.clone())
        });
        match prefixed {
            Some(section_name) => self.config.section(&section_name),
            None => self.config.section(name),
        }
    }

    /// The profile's section in the credentials file: `[NAME]`.
    pub fn credentials_section(&self, name: &str) -> Option<Section> {
        self.credentials.section(name)
    }

    fn exists(&self, name: &str) -> bool {
        self.config_section(name).is_some() || self.credentials_section(name).is_some()
    }

    fn not_found(&self, name: &str) -> ProfileError {
        ProfileError::NotFound {
            name: name.to_string(),
            config: self.config.path.clone(),
            credentials: self.credentials.path.clone(),
        }
    }
}

/// Splits the positional arguments into profile and command: when `AWS_PROFILE` is set (even
/// empty) there is no profile argument. Returns the profile name and the command.
pub fn split_positionals(
    positionals: &[OsString],
    env: &Env,
) -> Result<(String, Vec<OsString>), ProfileError> {
    let fallback = || {
        env.non_empty("AWS_DEFAULT_PROFILE")
            .unwrap_or("default")
            .to_string()
    };
    if env.is_set("AWS_PROFILE") {
        let name = match env.non_empty("AWS_PROFILE") {
            Some(p) => p.to_string(),
            None if env.get_os("AWS_PROFILE").is_some_and(|v| !v.is_empty()) => {
                return Err(ProfileError::NotUnicode)
            }
            None => fallback(),
        };
        debug!("profile '{name}' from AWS_PROFILE; every argument is the command");
        return Ok((name, positionals.to_vec()));
    }
    match positionals.split_first() {
        Some((first, rest)) => {
            let name = first.to_str().ok_or(ProfileError::NotUnicode)?.to_string();
            Ok((name, rest.to_vec()))
        }
        None => Ok((fallback(), Vec::new())),
    }
}

/// One named layer of configuration.
struct Layer {
    origin: String,
    section: Option<Section>,
}

/// Resolves the profile for this run from the arguments, environment and files.
pub fn resolve(args: &Args, env: &Env, files: &Files) -> Result<Resolved, ProfileError> {
    let (name, command) = split_positionals(&args.positionals, env)?;
    let profile = resolve_profile(&name, args, env, files)?;
    Ok(Resolved { profile, command })
}

/// Resolves a named profile (or role ARN).
pub fn resolve_profile(
    name: &str,
    args: &Args,
    env: &Env,
    files: &Files,
) -> Result<Profile, ProfileError> {
    let is_arn = RoleArn::looks_like_arn(name);
    let arn_role = if is_arn {
        let role_arn = RoleArn::parse(name).map_err(|error| ProfileError::Arn {
            origin: "profile argument".into(),
            error,
        })?;
        debug!("profile is a role ARN; its source is the default profile");
        Some(role_arn)
    } else {
        None
    };
    // The profile whose section starts the source_profile chain.
    let start = if is_arn { "default" } else { name };
    if !files.exists(start) {
        return Err(files.not_found(start));
    }

    // Follow source_profile from `start` to the root holding the keys.
    // `chain` lists role profiles from `start` downwards.
    let mut visited = vec![start.to_string()];
    let mut role_profiles: Vec<(String, Section)> = Vec::new();
    let mut current = start.to_string();
    let root_kind;
    loop {
        // A profile without role_arn holds the keys: the root of the chain.
        let Some(section) = files
            .config_section(&current)
            .filter(|s| s.get("role_arn").is_some())
        else {
            root_kind = SourceKind::File;
            break;
        };
        if let Some(cs) = section.get("credential_source") {
            if !cs.eq_ignore_ascii_case("environment") {
                return Err(ProfileError::UnsupportedCredentialSource {
                    name: current,
                    value: cs.to_string(),
                });
            }
            role_profiles.push((current.clone(), section));
            root_kind = SourceKind::Environment;
            break;
        }
        let Some(source) = section.get("source_profile").map(str::to_string) else {
            return Err(ProfileError::NoSourceProfile { name: current });
        };
        role_profiles.push((current.clone(), section.clone()));
        if source == current {
            // `source_profile` naming itself: the profile's own keys sign its role (as in the CLI).
            root_kind = SourceKind::File;
            break;
        }
        if visited.contains(&source) {
            visited.push(source);
            return Err(ProfileError::Cycle(visited));
        }
        if !files.exists(&source) {
            return Err(ProfileError::SourceNotFound {
                name: current,
                source,
                config: files.config.path.clone(),
                credentials: files.credentials.path.clone(),
            });
        }
        visited.push(source.clone());
        current = source;
    }
    let root = current;

    // Layers, lowest first: default, the chain from its root up, then the profile's own section.
    let mut layers = vec![Layer {
        origin: "profile 'default'".into(),
        section: files.config_section("default"),
    }];
    for (i, profile_name) in visited.iter().enumerate().rev() {
        let own = i == 0 && !is_arn;
        layers.push(Layer {
            origin: if own {
                format!("profile '{profile_name}'")
            } else {
                format!("source profile '{profile_name}'")
            },
            section: files.config_section(profile_name),
        });
    }
    // The default profile gives only region and the two custom durations.
    const DEFAULT_ONLY: &[&str] = &["region", "session_token_duration", "credentials_duration"];
    let lookup = |key: &str| -> Option<(String, String)> {
        layers.iter().enumerate().rev().find_map(|(i, layer)| {
            if i == 0 && !DEFAULT_ONLY.contains(&key) {
                return None;
            }
            let value = layer.section.as_ref()?.get(key)?;
            Some((value.to_string(), layer.origin.clone()))
        })
    };
    let traced = |key: &str, value: Option<(String, String)>| -> Option<String> {
        if let Some((v, origin)) = &value {
            debug!("{key} = {v} (from {origin})");
        }
        value.map(|(v, _)| v)
    };
    let from_env = |var: &str| -> Option<(String, String)> {
        env.non_empty(var)
            .map(|v| (v.to_string(), format!("environment {var}")))
    };

    let region = traced(
        "region",
        from_env("AWS_REGION")
            .or_else(|| from_env("AWS_DEFAULT_REGION"))
            .or_else(|| lookup("region")),
    );
    let mfa_serial = traced(
        "mfa_serial",
        args.mfa_serial
            .clone()
            .map(|m| (m, "flag --mfa-arn".to_string()))
            .or_else(|| from_env("MFA_SERIAL"))
            .or_else(|| lookup("mfa_serial")),
    );
    let endpoint_url = traced("endpoint_url", lookup("endpoint_url"));
    let sts_regional_endpoints = traced("sts_regional_endpoints", lookup("sts_regional_endpoints"));

    let parse_duration = |key: &'static str, value: Option<(String, String)>| {
        value
            .map(|(v, origin)| {
                duration::parse(&v)
                    .map(|d| (d, origin.clone()))
                    .map_err(|error| ProfileError::BadDuration { origin, key, error })
            })
            .transpose()
    };
    let session_duration = match args.session_duration {
        Some(d) => Some((d, "flag --duration".to_string())),
        None => parse_duration(
            "session_token_duration",
            from_env("SESSION_TOKEN_DURATION").or_else(|| lookup("session_token_duration")),
        )?,
    };
    let session_duration = settle("session token duration", session_duration, SESSION_DURATION);

    let own_section = if is_arn {
        None
    } else {
        files.config_section(name)
    };
    let mut role_duration = match args.role_duration {
        Some(d) => Some((d, "flag --role-duration".to_string())),
        None => parse_duration(
            "credentials_duration",
            from_env("CREDENTIALS_DURATION").or_else(|| lookup("credentials_duration")),
        )?,
    };
    if role_duration.is_none() {
        if let Some(v) = own_section.as_ref().and_then(|s| s.get("duration_seconds")) {
            let origin = format!("profile '{name}'");
            let secs: u64 = v.parse().map_err(|_| ProfileError::BadDurationSeconds {
                origin: origin.clone(),
                value: v.to_string(),
            })?;
            role_duration = Some((Duration::from_secs(secs), origin));
        }
    }
    let role_duration = settle("role credentials duration", role_duration, ROLE_DURATION);

    // The long-term credentials of the chain's root.
    let source = match root_kind {
        SourceKind::Environment => {
            let (Some(id), Some(secret)) = (
                env.non_empty("AWS_ACCESS_KEY_ID"),
                env.non_empty("AWS_SECRET_ACCESS_KEY"),
            ) else {
                return Err(ProfileError::EnvironmentKeysMissing { name: root });
            };
            debug!(
                "source credentials: environment (credential_source of profile '{root}'), key {id}"
            );
            Source {
                profile: root,
                kind: SourceKind::Environment,
                credentials: Credentials {
                    access_key_id: id.to_string(),
                    secret_access_key: Secret::new(secret),
                    session_token: env.non_empty("AWS_SESSION_TOKEN").map(Secret::new),
                    expiration: None,
                },
            }
        }
        SourceKind::File => {
            let credentials = file_keys(files, &root).ok_or_else(|| ProfileError::MissingKeys {
                name: root.clone(),
                config: files.config.path.clone(),
                credentials: files.credentials.path.clone(),
            })?;
            debug!(
                "source credentials: profile '{root}', key {}",
                credentials.access_key_id
            );
            Source {
                profile: root,
                kind: SourceKind::File,
                credentials,
            }
        }
    };

    // The roles, root side first.
    let mut roles = Vec::new();
    for (profile_name, section) in role_profiles.iter().rev() {
        let raw = section.get("role_arn").unwrap_or_default();
        let role_arn = RoleArn::parse(raw).map_err(|error| ProfileError::Arn {
            origin: format!("role_arn in profile '{profile_name}'"),
            error,
        })?;
        let step_duration = match section.get("duration_seconds").map(|v| {
            v.parse::<u64>()
                .map_err(|_| ProfileError::BadDurationSeconds {
                    origin: format!("profile '{profile_name}'"),
                    value: v.to_string(),
                })
        }) {
            Some(secs) => {
                duration::clamp(Duration::from_secs(secs?), ROLE_DURATION.1, CHAINED_MAX).0
            }
            None => ROLE_DURATION.0,
        };
        roles.push(RoleStep {
            profile: profile_name.clone(),
            role_arn,
            external_id: section.get("external_id").map(str::to_string),
            session_name: section.get("role_session_name").map(str::to_string),
            duration: step_duration,
        });
    }
    if let Some(role_arn) = arn_role {
        roles.push(RoleStep {
            profile: name.to_string(),
            role_arn,
            external_id: None,
            session_name: None,
            duration: role_duration,
        });
    }
    // The final role: the flags, environment and custom durations apply to it.
    if let Some(last) = roles.last_mut() {
        last.duration = role_duration;
        if let Some(ext) = env.non_empty("EXTERNAL_ID") {
            debug!("external_id from environment EXTERNAL_ID");
            last.external_id = Some(ext.to_string());
        }
        if let Some(session) = env.non_empty("AWS_ROLE_SESSION_NAME") {
            if last.session_name.is_none() {
                last.session_name = Some(session.to_string());
            }
        }
        if roles.len() > 1 && role_duration > CHAINED_MAX {
            debug!("role chaining: AWS allows at most 1h for a chained role; asking for 1h");
            if let Some(last) = roles.last_mut() {
                last.duration = CHAINED_MAX;
            }
        }
    }
    for step in &roles {
        debug!(
            "role {} (profile '{}'), duration {}{}",
            step.role_arn,
            step.profile,
            duration::format(step.duration),
            if step.external_id.is_some() {
                ", with external id"
            } else {
                ""
            }
        );
    }

    Ok(Profile {
        name: name.to_string(),
        is_arn,
        region,
        source,
        roles,
        mfa_serial,
        session_duration,
        role_duration,
        endpoint_url,
        sts_regional_endpoints,
    })
}

/// Takes the configured duration (or the default) and clamps it, saying so with `-v`.
fn settle(
    what: &str,
    value: Option<(Duration, String)>,
    bounds: (Duration, Duration, Duration),
) -> Duration {
    let (default, min, max) = bounds;
    let Some((d, origin)) = value else {
        return default;
    };
    let (clamped, bound) = duration::clamp(d, min, max);
    match bound {
        Some(bound) => debug!(
            "{what} {} (from {origin}) is out of range; using the {bound}, {}",
            duration::format(d),
            duration::format(clamped)
        ),
        None => debug!("{what} = {} (from {origin})", duration::format(d)),
    }
    clamped
}

/// The keys of `profile`: the credentials file first, then the config file (as the CLI does).
fn file_keys(files: &Files, profile: &str) -> Option<Credentials> {
    [
        files.credentials_section(profile),
        files.config_section(profile),
    ]
    .into_iter()
    .flatten()
    .find_map(|s| {
        let id = s.get("aws_access_key_id").filter(|v| !v.is_empty())?;
        let secret = s.get("aws_secret_access_key").filter(|v| !v.is_empty())?;
        Some(Credentials {
            access_key_id: id.to_string(),
            secret_access_key: Secret::new(secret),
            session_token: s
                .get("aws_session_token")
                .filter(|v| !v.is_empty())
                .map(Secret::new),
            expiration: None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ini::parse;
    use std::path::Path;

    fn files(config: &str, credentials: &str) -> Files {
        Files {
            config: parse(config, Path::new("/h/.aws/config")).unwrap(),
            credentials: parse(credentials, Path::new("/h/.aws/credentials")).unwrap(),
        }
    }

    fn sample() -> Files {
        files(
            include_str!("../../fixtures/chain.config"),
            include_str!("../../fixtures/chain.credentials"),
        )
    }

    fn resolve_with(
        args: &[&str],
        env: &[(&str, &str)],
        files: &Files,
    ) -> Result<Resolved, ProfileError> {
        let args = crate::cli::args::parse(args.iter().copied()).unwrap();
        resolve(&args, &Env::from_pairs(env), files)
    }

    fn hours(h: u64) -> Duration {
        Duration::from_secs(h * 3600)
    }

    #[test]
    fn profile_then_command() {
        let r = resolve_with(&["admin", "aws", "s3", "ls"], &[], &sample()).unwrap();
        assert_eq!(r.profile.name, "admin");
        assert_eq!(r.command, ["aws", "s3", "ls"]);
    }

    #[test]
    fn aws_profile_means_no_profile_argument() {
        let r = resolve_with(&["aws", "s3"], &[("AWS_PROFILE", "admin")], &sample()).unwrap();
        assert_eq!((r.profile.name.as_str(), r.command.len()), ("admin", 2));
        // Even empty: then AWS_DEFAULT_PROFILE, else default.
        let r = resolve_with(
            &["admin"],
            &[("AWS_PROFILE", ""), ("AWS_DEFAULT_PROFILE", "dev")],
            &sample(),
        )
        .unwrap();
        assert_eq!((r.profile.name.as_str(), r.command.len()), ("dev", 1));
        let r = resolve_with(&[], &[("AWS_DEFAULT_PROFILE", "dev")], &sample()).unwrap();
        assert_eq!(r.profile.name, "dev");
        let r = resolve_with(&[], &[], &sample()).unwrap();
        assert_eq!(r.profile.name, "default");
    }

    #[test]
    fn role_profile_layers() {
        let p = resolve_with(&["admin"], &[], &sample()).unwrap().profile;
        assert_eq!(p.source.profile, "dev");
        assert_eq!(p.source.credentials.access_key_id, "AKIADEVEXAMPLE000001");
        assert_eq!(p.roles.len(), 1);
        assert_eq!(p.roles[0].role_arn.name, "admin");
        // region from the source profile beats the default's; mfa_serial inherited from source.
        assert_eq!(p.region.as_deref(), Some("us-east-2"));
        assert_eq!(
            p.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/alice")
        );
        // credentials_duration from the default profile.
        assert_eq!(p.role_duration, hours(2));
        assert_eq!(p.session_duration, hours(12));
    }

    #[test]
    fn environment_and_flags_win() {
        let env = [
            ("AWS_REGION", "eu-central-1"),
            ("AWS_DEFAULT_REGION", "ap-south-1"),
            ("CREDENTIALS_DURATION", "3h"),
            ("EXTERNAL_ID", "from-env"),
            ("MFA_SERIAL", "arn:aws:iam::123456789012:mfa/other"),
        ];
        let p = resolve_with(&["admin"], &env, &sample()).unwrap().profile;
        assert_eq!(p.region.as_deref(), Some("eu-central-1"));
        assert_eq!(p.role_duration, hours(3));
        assert_eq!(p.roles[0].external_id.as_deref(), Some("from-env"));
        assert_eq!(
            p.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/other")
        );
        let flag = "arn:aws:iam::123456789012:mfa/flag";
        let p = resolve_with(&["-a", "4h", "-M", flag, "admin"], &env, &sample())
            .unwrap()
            .profile;
        assert_eq!(p.role_duration, hours(4));
        assert_eq!(p.mfa_serial.as_deref(), Some(flag));
        let p = resolve_with(
            &["admin"],
            &[("AWS_DEFAULT_REGION", "ap-south-1")],
            &sample(),
        )
        .unwrap()
        .profile;
        assert_eq!(p.region.as_deref(), Some("ap-south-1"));
    }

    #[test]
    fn durations_are_clamped() {
        let p = resolve_with(&["-a", "5m", "admin"], &[], &sample())
            .unwrap()
            .profile;
        assert_eq!(p.role_duration, Duration::from_secs(900));
        let p = resolve_with(&["-a", "48h", "admin"], &[], &sample())
            .unwrap()
            .profile;
        assert_eq!(p.role_duration, hours(12));
        let p = resolve_with(&["admin"], &[("SESSION_TOKEN_DURATION", "40h")], &sample())
            .unwrap()
            .profile;
        assert_eq!(p.session_duration, hours(36));
        let env = [("SESSION_TOKEN_DURATION", "2h")];
        let p = resolve_with(&["-d", "1m", "admin"], &env, &sample())
            .unwrap()
            .profile;
        assert_eq!(p.session_duration, Duration::from_secs(900));
        let p = resolve_with(&["-d", "3h", "admin"], &env, &sample())
            .unwrap()
            .profile;
        assert_eq!(p.session_duration, hours(3));
    }

    #[test]
    fn duration_seconds_applies_without_credentials_duration() {
        let f = files(
            "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = k\nduration_seconds = 7200\n",
            "[k]\naws_access_key_id = AKIAKEY\naws_secret_access_key = s\n",
        );
        let p = resolve_with(&["r"], &[], &f).unwrap().profile;
        assert_eq!(p.role_duration, hours(2));
    }

    #[test]
    fn role_chaining_in_order() {
        let p = resolve_with(&["chained"], &[], &sample()).unwrap().profile;
        let names: Vec<&str> = p.roles.iter().map(|r| r.role_arn.name.as_str()).collect();
        assert_eq!(names, ["admin", "chained"]);
        assert_eq!(p.source.profile, "dev");
        // A chained role gets at most an hour.
        let p = resolve_with(&["-a", "3h", "chained"], &[], &sample())
            .unwrap()
            .profile;
        assert_eq!(p.roles[1].duration, hours(1));
    }

    #[test]
    fn role_arn_as_profile_uses_default_as_source() {
        let p = resolve_with(&["arn:aws:iam::123456789012:role/x"], &[], &sample())
            .unwrap()
            .profile;
        assert!(p.is_arn);
        assert_eq!(p.source.profile, "default");
        assert_eq!(p.roles.len(), 1);
        assert_eq!(p.roles[0].role_arn.name, "x");
    }

    #[test]
    fn credential_source_environment() {
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "envsecret"),
        ];
        let p = resolve_with(&["fromenv"], &env, &sample()).unwrap().profile;
        assert_eq!(p.source.kind, SourceKind::Environment);
        assert_eq!(p.source.credentials.access_key_id, "AKIAENV");
        let e = resolve_with(&["fromenv"], &[], &sample()).unwrap_err();
        assert!(
            matches!(e, ProfileError::EnvironmentKeysMissing { .. }),
            "{e}"
        );
    }

    #[test]
    fn stale_environment_keys_never_override_a_profile() {
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKIASTALE"),
            ("AWS_SECRET_ACCESS_KEY", "stale"),
        ];
        let p = resolve_with(&["admin"], &env, &sample()).unwrap().profile;
        assert_eq!(p.source.credentials.access_key_id, "AKIADEVEXAMPLE000001");
    }

    #[test]
    fn errors() {
        let f = sample();
        let e = resolve_with(&["nope"], &[], &f).unwrap_err().to_string();
        assert_eq!(
            e,
            "profile 'nope' not found in /h/.aws/config or /h/.aws/credentials"
        );
        let e = resolve_with(&["nosource"], &[], &f)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'nosource' has role_arn but no source_profile"),
            "{e}"
        );
        let e = resolve_with(&["cycle-a"], &[], &f).unwrap_err().to_string();
        assert_eq!(e, "source_profile cycle: cycle-a -> cycle-b -> cycle-a");
        let e = resolve_with(&["nokeys"], &[], &f).unwrap_err().to_string();
        assert!(
            e.starts_with("profile 'nokeys' has no aws_access_key_id"),
            "{e}"
        );
        let e = resolve_with(&["badarn"], &[], &f).unwrap_err().to_string();
        assert!(
            e.contains("role_arn in profile 'badarn'")
                && e.contains("'arn:aws:iam::123456789012:user/bob'"),
            "{e}"
        );
        let e = resolve_with(&["arn:aws:s3:::bucket"], &[], &f)
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid role ARN 'arn:aws:s3:::bucket'"), "{e}");
        let e = resolve_with(&["admin"], &[("CREDENTIALS_DURATION", "1d")], &f)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'1d'") && e.contains("CREDENTIALS_DURATION"),
            "{e}"
        );
        let e = resolve_with(&["lostsource"], &[], &f)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("source_profile 'ghost' of profile 'lostsource' not found"),
            "{e}"
        );
    }

    #[test]
    fn self_sourced_profile_uses_its_own_keys() {
        let f = files(
            "[profile me]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = me\n",
            "[me]\naws_access_key_id = AKIAME\naws_secret_access_key = s\n",
        );
        let p = resolve_with(&["me"], &[], &f).unwrap().profile;
        assert_eq!((p.source.profile.as_str(), p.roles.len()), ("me", 1));
    }

    #[test]
    fn credentials_only_profile_is_fine() {
        let p = resolve_with(&["keysonly"], &[], &sample()).unwrap().profile;
        assert!(p.roles.is_empty());
        assert_eq!(p.source.credentials.access_key_id, "AKIAKEYSONLY00000001");
    }
}
