//! The layers of settings, lowest to highest: the default profile (region and the two custom
//! durations only) → the source profiles (root first) → the profile's own section → environment
//! → flags. Each value comes with its origin, traced with `-v`; the durations are parsed and
//! clamped here. Where the credentials come from is `source.rs`.

use std::time::Duration;

use super::chain::Chain;
use super::error::ProfileError;
use super::files::Files;
use super::ini::Section;
use super::profile::{Origins, Overrides, Setting, ROLE_DURATION, SESSION_DURATION};
use crate::duration::{self, Bounds};
use crate::env::Env;
use crate::log::debug;

/// The keys only the default profile's layer may give.
const DEFAULT_ONLY: &[&str] = &["region", "session_token_duration", "credentials_duration"];

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
    /// The role duration set by a flag, the environment or `credentials_duration`; else the
    /// profile's `duration_seconds` decides ([`Settings::settle_role_duration`]).
    role_duration: Option<Setting<Duration>>,
    /// Where each set value came from, by key (`-D` prints them).
    pub origins: Origins,
}

impl Settings {
    /// Whether the role duration is set by a flag, the environment or `credentials_duration`.
    pub fn role_duration_set(&self) -> bool {
        self.role_duration.is_some()
    }

    /// The role duration: the one set, else `duration_seconds` (the profile's own), else the
    /// default; clamped, and traced with its origin.
    pub fn settle_role_duration(
        &mut self,
        duration_seconds: Option<Setting<Duration>>,
    ) -> Duration {
        settle(
            &ROLE_KEYS,
            self.role_duration.take().or(duration_seconds),
            ROLE_DURATION,
            &mut self.origins,
        )
    }
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
    pub fn own(&self, key: &str) -> Option<Setting> {
        let layer = self.layers.last()?;
        let value = layer.section.as_ref()?.get(key)?;
        Some(Setting::new(value.to_string(), layer.origin.clone()))
    }

    /// The highest file layer's value of `key`, with its origin.
    fn lookup(&self, key: &str) -> Option<Setting> {
        self.layers.iter().enumerate().rev().find_map(|(i, layer)| {
            if i == 0 && !DEFAULT_ONLY.contains(&key) {
                return None;
            }
            let value = layer.section.as_ref()?.get(key)?;
            Some(Setting::new(value.to_string(), layer.origin.clone()))
        })
    }
}

/// The value of an environment variable, with its origin.
fn from_env(env: &Env, var: &str) -> Option<Setting> {
    env.non_empty(var)
        .map(|v| Setting::new(v.to_string(), format!("environment {var}")))
}

/// Says where a value came from (`-v`), notes it in `origins` and keeps the value.
fn traced(key: &'static str, setting: Option<Setting>, origins: &mut Origins) -> Option<String> {
    let Setting { value, origin } = setting?;
    debug!("{key} = {value} (from {origin})");
    origins.note(key, origin);
    Some(value)
}

/// Parses a Go duration from a layer, naming the layer when it is bad.
fn parse_duration(
    key: &'static str,
    setting: Option<Setting>,
) -> Result<Option<Setting<Duration>>, ProfileError> {
    setting
        .map(|Setting { value, origin }| match duration::parse(&value) {
            Ok(d) => Ok(Setting::new(d, origin)),
            Err(error) => Err(ProfileError::BadDuration { origin, key, error }),
        })
        .transpose()
}

/// How a duration is named: in the `-v` lines, and where it is set (its flag, its variable, its
/// key in the files, which is also its key in the origins).
struct DurationKeys {
    what: &'static str,
    flag: &'static str,
    var: &'static str,
    key: &'static str,
}
const SESSION_KEYS: DurationKeys = DurationKeys {
    what: "session token duration",
    flag: "flag --duration",
    var: "SESSION_TOKEN_DURATION",
    key: "session_token_duration",
};
const ROLE_KEYS: DurationKeys = DurationKeys {
    what: "role credentials duration",
    flag: "flag --role-duration",
    var: "CREDENTIALS_DURATION",
    key: "credentials_duration",
};

/// A duration from its flag (`given`), else its variable, else the highest layer's key.
fn duration_setting(
    layers: &Layers,
    env: &Env,
    given: Option<Duration>,
    keys: &DurationKeys,
) -> Result<Option<Setting<Duration>>, ProfileError> {
    match given {
        Some(d) => Ok(Some(Setting::new(d, keys.flag))),
        None => parse_duration(
            keys.key,
            from_env(env, keys.var).or_else(|| layers.lookup(keys.key)),
        ),
    }
}

/// Resolves every setting from the layers, the environment and the flags (the role duration is
/// settled by the caller, who knows the profile's `duration_seconds`).
pub fn settings(
    layers: &Layers,
    env: &Env,
    overrides: &Overrides,
) -> Result<Settings, ProfileError> {
    let mut origins = Origins::default();
    let region = traced(
        "region",
        overrides
            .region
            .clone()
            .map(|r| Setting::new(r, "flag --region"))
            .or_else(|| from_env(env, "AWS_REGION"))
            .or_else(|| from_env(env, "AWS_DEFAULT_REGION"))
            .or_else(|| layers.lookup("region")),
        &mut origins,
    );
    let mfa_serial = traced(
        "mfa_serial",
        overrides
            .mfa_serial
            .clone()
            .map(|m| Setting::new(m, "flag --mfa-arn"))
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
    let session_duration = settle(
        &SESSION_KEYS,
        duration_setting(layers, env, overrides.session_duration, &SESSION_KEYS)?,
        SESSION_DURATION,
        &mut origins,
    );
    let role_duration = duration_setting(layers, env, overrides.role_duration, &ROLE_KEYS)?;
    Ok(Settings {
        region,
        mfa_serial,
        mfa_process,
        endpoint_url,
        sts_regional_endpoints,
        session_duration,
        role_duration,
        origins,
    })
}

/// Takes the configured duration (or the default) and clamps it, saying so with `-v` and
/// noting its origin under its key.
fn settle(
    keys: &DurationKeys,
    setting: Option<Setting<Duration>>,
    bounds: Bounds,
    origins: &mut Origins,
) -> Duration {
    let &DurationKeys { what, key, .. } = keys;
    let Some(Setting { value: d, origin }) = setting else {
        origins.note(key, "default");
        return bounds.default;
    };
    let (clamped, bound) = bounds.clamp(d);
    match bound {
        Some(bound) => {
            debug!(
                "{what} {} (from {origin}) is out of range; using the {bound}, {}",
                duration::format(d),
                duration::format(clamped)
            );
            let given = duration::format(d);
            origins.note(
                key,
                format!("{origin}, {given} raised or lowered to the {bound}"),
            );
        }
        None => {
            debug!("{what} = {} (from {origin})", duration::format(d));
            origins.note(key, origin);
        }
    }
    clamped
}
