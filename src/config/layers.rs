//! The layers of settings, lowest to highest: the default profile (region and the two custom
//! durations only) → the source profiles (root first) → the profile's own section → environment
//! → flags. Each value comes with its origin, traced with `-v`. Also the durations (parsed,
//! clamped) and the long-term keys at the chain's root.

use std::time::Duration;

use super::chain::{Chain, RootKind};
use super::files::Files;
use super::ini::Section;
use super::profile::{
    Origins, Overrides, ProfileError, Source, SourceKind, ROLE_DURATION, SESSION_DURATION,
};
use crate::arn::RoleArn;
use crate::credentials::{Credentials, Secret};
use crate::duration;
use crate::env::Env;
use crate::log::debug;

/// The keys only the default profile's layer may give.
const DEFAULT_ONLY: &[&str] = &["region", "session_token_duration", "credentials_duration"];

/// A value and where it came from (`profile 'dev'`, `environment AWS_REGION`, `flag --duration`).
pub type Valued = (String, String);

/// One named layer of configuration.
struct Layer {
    origin: String,
    section: Option<Section>,
}

/// The file layers of one resolution, lowest first.
pub struct Layers {
    layers: Vec<Layer>,
}

/// The settings resolved from every layer.
#[derive(Debug, Clone)]
pub struct Settings {
    pub region: Option<String>,
    pub mfa_serial: Option<String>,
    pub mfa_process: Option<String>,
    pub endpoint_url: Option<String>,
    pub sts_regional_endpoints: Option<String>,
    pub session_duration: Duration,
    pub role_duration: Duration,
    /// Where each set value came from, by key (`-D` prints them).
    pub origins: Origins,
}

impl Layers {
    /// The default profile, then the chain from its root up; `own` says whether the chain's first
    /// profile is the user's own (not the default standing in as a role ARN's source).
    pub fn new(files: &Files, chain: &Chain, own: bool) -> Layers {
        let mut layers = vec![Layer {
            origin: "profile 'default'".into(),
            section: files.profile("default"),
        }];
        for (i, name) in chain.visited.iter().enumerate().rev() {
            layers.push(Layer {
                origin: if i == 0 && own {
                    format!("profile '{name}'")
                } else {
                    format!("source profile '{name}'")
                },
                section: files.profile(name),
            });
        }
        Layers { layers }
    }

    /// `key` of the profile itself (the highest file layer) only, with its origin.
    pub fn own(&self, key: &str) -> Option<Valued> {
        let layer = self.layers.last()?;
        let value = layer.section.as_ref()?.get(key)?;
        Some((value.to_string(), layer.origin.clone()))
    }

    /// The highest file layer's value of `key`, with its origin.
    fn lookup(&self, key: &str) -> Option<Valued> {
        self.layers.iter().enumerate().rev().find_map(|(i, layer)| {
            if i == 0 && !DEFAULT_ONLY.contains(&key) {
                return None;
            }
            let value = layer.section.as_ref()?.get(key)?;
            Some((value.to_string(), layer.origin.clone()))
        })
    }
}

/// The value of an environment variable, with its origin.
fn from_env(env: &Env, var: &str) -> Option<Valued> {
    env.non_empty(var)
        .map(|v| (v.to_string(), format!("environment {var}")))
}

/// Says where a value came from (`-v`), notes it in `origins` and keeps the value.
fn traced(key: &'static str, value: Option<Valued>, origins: &mut Origins) -> Option<String> {
    let (v, origin) = value?;
    debug!("{key} = {v} (from {origin})");
    origins.push((key, origin));
    Some(v)
}

/// Parses a Go duration from a layer, naming the layer when it is bad.
fn parse_duration(
    key: &'static str,
    value: Option<Valued>,
) -> Result<Option<(Duration, String)>, ProfileError> {
    value
        .map(|(v, origin)| {
            duration::parse(&v)
                .map(|d| (d, origin.clone()))
                .map_err(|error| ProfileError::BadDuration { origin, key, error })
        })
        .transpose()
}

/// Resolves every setting from the layers, the environment and the flags. `own_duration` reads
/// the own profile's `duration_seconds`, the role duration when no custom one is set (called
/// only then).
pub fn settings(
    layers: &Layers,
    env: &Env,
    overrides: &Overrides,
    own_duration: impl FnOnce() -> Result<Option<(Duration, String)>, ProfileError>,
) -> Result<Settings, ProfileError> {
    let mut origins = Origins::new();
    let region = traced(
        "region",
        from_env(env, "AWS_REGION")
            .or_else(|| from_env(env, "AWS_DEFAULT_REGION"))
            .or_else(|| layers.lookup("region")),
        &mut origins,
    );
    let mfa_serial = traced(
        "mfa_serial",
        overrides
            .mfa_serial
            .clone()
            .map(|m| (m, "flag --mfa-arn".to_string()))
            .or_else(|| from_env(env, "MFA_SERIAL"))
            .or_else(|| layers.lookup("mfa_serial")),
        &mut origins,
    );
    let mfa_process = traced(
        "mfa_process",
        from_env(env, "AWS_RUNAS_MFA_PROCESS").or_else(|| layers.lookup("mfa_process")),
        &mut origins,
    );
    let endpoint_url = traced("endpoint_url", layers.own("endpoint_url"), &mut origins);
    let sts_regional_endpoints = traced(
        "sts_regional_endpoints",
        layers.lookup("sts_regional_endpoints"),
        &mut origins,
    );
    let session_duration = match overrides.session_duration {
        Some(d) => Some((d, "flag --duration".to_string())),
        None => parse_duration(
            "session_token_duration",
            from_env(env, "SESSION_TOKEN_DURATION")
                .or_else(|| layers.lookup("session_token_duration")),
        )?,
    };
    let session_duration = settle(
        ("session token duration", "session_token_duration"),
        session_duration,
        SESSION_DURATION,
        &mut origins,
    );
    let mut role_duration = match overrides.role_duration {
        Some(d) => Some((d, "flag --role-duration".to_string())),
        None => parse_duration(
            "credentials_duration",
            from_env(env, "CREDENTIALS_DURATION").or_else(|| layers.lookup("credentials_duration")),
        )?,
    };
    if role_duration.is_none() {
        role_duration = own_duration()?;
    }

    Ok(Settings {
        region,
        mfa_serial,
        mfa_process,
        endpoint_url,
        sts_regional_endpoints,
        session_duration,
        role_duration: settle(
            ("role credentials duration", "credentials_duration"),
            role_duration,
            ROLE_DURATION,
            &mut origins,
        ),
        origins,
    })
}

/// Takes the configured duration (or the default) and clamps it, saying so with `-v` and
/// noting its origin under `key`.
fn settle(
    (what, key): (&str, &'static str),
    value: Option<(Duration, String)>,
    bounds: (Duration, Duration, Duration),
    origins: &mut Origins,
) -> Duration {
    let (default, min, max) = bounds;
    let Some((d, origin)) = value else {
        origins.push((key, "default".into()));
        return default;
    };
    let (clamped, bound) = duration::clamp(d, min, max);
    match bound {
        Some(bound) => {
            debug!(
                "{what} {} (from {origin}) is out of range; using the {bound}, {}",
                duration::format(d),
                duration::format(clamped)
            );
            let given = duration::format(d);
            origins.push((
                key,
                format!("{origin}, {given} raised or lowered to the {bound}"),
            ));
        }
        None => {
            debug!("{what} = {} (from {origin})", duration::format(d));
            origins.push((key, origin));
        }
    }
    clamped
}

/// The environment's key variables, if both are set.
fn environment_keys(env: &Env) -> Option<Credentials> {
    let id = env.non_empty("AWS_ACCESS_KEY_ID")?;
    let secret = env.non_empty("AWS_SECRET_ACCESS_KEY")?;
    Some(Credentials {
        access_key_id: id.to_string(),
        secret_access_key: Secret::new(secret),
        session_token: env.non_empty("AWS_SESSION_TOKEN").map(Secret::new),
        expiration: None,
    })
}

/// The credentials at the chain's root: the environment's keys for `credential_source =
/// Environment`, else the root profile's keys in the files, else (for a profile with no
/// credentials of its own at all) the environment's keys.
pub fn source(files: &Files, env: &Env, chain: &Chain) -> Result<Source, ProfileError> {
    let root = chain.root.clone();
    if chain.root_kind == RootKind::Environment {
        let credentials = environment_keys(env)
            .ok_or_else(|| ProfileError::EnvironmentKeysMissing { name: root.clone() })?;
        debug!(
            "source credentials: environment (credential_source of profile '{root}'), key {}",
            credentials.access_key_id
        );
        return Ok(Source {
            profile: root,
            kind: SourceKind::Environment(credentials),
        });
    }
    match chain.root_kind {
        RootKind::InstanceMetadata => return instance_metadata(env, root),
        RootKind::Container => return container(env, root),
        RootKind::WebIdentity => return web_identity(files, root),
        RootKind::Environment | RootKind::Profile => {}
    }
    if let Some(credentials) = files.keys(&root) {
        debug!(
            "source credentials: profile '{root}', key {}",
            credentials.access_key_id
        );
        return Ok(Source {
            profile: root,
            kind: SourceKind::File(credentials),
        });
    }
    no_keys_in_files(files, env, root)
}

/// `credential_source = Ec2InstanceMetadata`: the service at `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
/// else the link-local address, unless `AWS_EC2_METADATA_DISABLED` is true.
fn instance_metadata(env: &Env, root: String) -> Result<Source, ProfileError> {
    if env
        .non_empty("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Err(ProfileError::MetadataDisabled { name: root });
    }
    let mut base = env
        .non_empty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .unwrap_or("http://169.254.169.254/")
        .to_string();
    if !base.ends_with('/') {
        base.push('/');
    }
    debug!(
        "source credentials: instance metadata at {base} (credential_source of profile '{root}')"
    );
    Ok(Source {
        profile: root,
        kind: SourceKind::InstanceMetadata(base),
    })
}

/// `role_arn` + `web_identity_token_file` on the root profile: that role, assumed with the token
/// (read when the credentials are fetched; it is rotated).
fn web_identity(files: &Files, root: String) -> Result<Source, ProfileError> {
    let section = files.profile(&root).unwrap_or_default();
    let raw = section.get("role_arn").unwrap_or_default();
    let role_arn = RoleArn::parse(raw).map_err(|error| ProfileError::Arn {
        origin: format!("role_arn in profile '{root}'"),
        error,
    })?;
    let token_file = section
        .get("web_identity_token_file")
        .unwrap_or_default()
        .to_string();
    let duration = super::chain::duration_seconds(&root, &section)?.map_or(ROLE_DURATION.0, |d| {
        duration::clamp(d, ROLE_DURATION.1, ROLE_DURATION.2).0
    });
    debug!("source credentials: {role_arn} with the web identity token in {token_file} (profile '{root}')");
    Ok(Source {
        kind: SourceKind::WebIdentity {
            role_arn,
            token_file,
            session_name: section.get("role_session_name").map(str::to_string),
            duration,
        },
        profile: root,
    })
}

/// Whether the authorization token may be sent to `uri`: over https anywhere, over plain http
/// only to loopback or the container agents' link-local addresses (as botocore allows).
fn allowed_container_uri(uri: &str) -> bool {
    if uri.starts_with("https://") {
        return true;
    }
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host == "localhost"
        || host == "169.254.170.2"
        || host == "169.254.170.23"
        || host.eq_ignore_ascii_case("fd00:ec2::23")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `credential_source = EcsContainer`: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on the ECS
/// agent's address), else `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the authorization token
/// from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, else `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
fn container(env: &Env, root: String) -> Result<Source, ProfileError> {
    let url = match (
        env.non_empty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        env.non_empty("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
    ) {
        (Some(relative), _) => format!("http://169.254.170.2{relative}"),
        (None, Some(full)) if allowed_container_uri(full) => full.to_string(),
        (None, Some(full)) => {
            return Err(ProfileError::ContainerHost {
                name: root,
                uri: full.to_string(),
            })
        }
        (None, None) => return Err(ProfileError::ContainerUnset { name: root }),
    };
    let token_file = env
        .non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        .map(str::to_string);
    let token = env
        .non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        .map(str::to_string);
    debug!("source credentials: container endpoint {url} (credential_source of profile '{root}')");
    Ok(Source {
        profile: root,
        kind: SourceKind::Container {
            url,
            token,
            token_file,
        },
    })
}

/// The root profile has no keys in the files: name what it uses instead when we cannot use it,
/// else take the environment's keys (as the 1.x tool did, and CI jobs rely on), else say what
/// is missing.
fn no_keys_in_files(files: &Files, env: &Env, root: String) -> Result<Source, ProfileError> {
    let section = files.profile(&root);
    let has = |key: &str| section.as_ref().is_some_and(|s| s.get(key).is_some());
    if has("sso_session") || has("sso_start_url") {
        return Err(ProfileError::Sso { name: root });
    }
    if let Some(command) = section.as_ref().and_then(|s| s.get("credential_process")) {
        debug!("source credentials: credential_process of profile '{root}'");
        return Ok(Source {
            kind: SourceKind::Process(command.to_string()),
            profile: root,
        });
    }
    if has("web_identity_token_file") {
        return Err(ProfileError::WebIdentityWithoutRole { name: root });
    }
    let Some(credentials) = environment_keys(env) else {
        return Err(ProfileError::MissingKeys {
            name: root,
            config: files.config.path.clone(),
            credentials: files.credentials.path.clone(),
        });
    };
    debug!(
        "source credentials: environment (profile '{root}' has none of its own), key {}",
        credentials.access_key_id
    );
    Ok(Source {
        profile: root,
        kind: SourceKind::Environment(credentials),
    })
}
