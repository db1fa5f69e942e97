//! The profile-resolution cases in fixtures/profiles/: one file per case, each a config file, a
//! credentials file, the environment, the profile asked for, and what it must resolve to (or the
//! error it must give). The format, one `--- part` line before each part:
//!
//! ```text
//! --- config          the config file's text
//! --- credentials     the credentials file's text
//! --- env             NAME=value lines
//! --- profile         the name (or role ARN) asked for
//! --- expect          key = value lines: region, source, source_kind, key, roles (role names,
//!                     root side first, comma-separated), mfa_serial, role_duration,
//!                     session_duration (Go durations), external_id (of the last role),
//!                     session_token (yes/no), sts_endpoint (its URL), ca_bundle (its path),
//!                     error (a part of the message)
//! ```
//! A key left out of `expect` is not checked.

use std::collections::BTreeMap;
use std::path::Path;

use super::error::ProfileError;
use super::files::Files;
use super::ini::parse;
use super::profile::{Overrides, SourceKind, Target};
use super::resolve::resolve;
use crate::duration;
use crate::env::Env;

/// One case's parts, by name.
fn parts(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("--- ") {
            current = Some(name.trim().to_string());
            out.insert(name.trim().to_string(), String::new());
        } else if let Some(name) = &current {
            let part = out.get_mut(name).unwrap();
            part.push_str(line);
            part.push('\n');
        }
    }
    out
}

/// What the resolution gave, in the terms of `expect`.
fn observed(
    result: Result<super::profile::Profile, ProfileError>,
    env: &Env,
) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    let p = match result {
        Ok(p) => p,
        Err(e) => {
            out.insert("error", e.to_string());
            return out;
        }
    };
    out.insert("region", p.region.clone().unwrap_or_default());
    out.insert("source", p.source.profile.clone());
    let kind = match p.source.kind {
        SourceKind::File(_) => "file",
        SourceKind::Environment(_) => "environment",
        SourceKind::Process(_) => "process",
        SourceKind::InstanceMetadata(_) => "instance-metadata",
        SourceKind::Container { .. } => "container",
        SourceKind::WebIdentity { .. } => "web-identity",
        SourceKind::Sso(_) => "sso",
        SourceKind::Login(_) => "login",
    };
    out.insert("source_kind", kind.into());
    let keys = p.source.credentials();
    out.insert(
        "key",
        keys.map(|k| k.access_key_id.clone()).unwrap_or_default(),
    );
    let session = if keys.is_some_and(|k| k.session_token.is_some()) {
        "yes"
    } else {
        "no"
    };
    out.insert("session_token", session.into());
    let roles: Vec<&str> = p.roles.iter().map(|r| r.role_arn.name.as_str()).collect();
    out.insert("roles", roles.join(","));
    out.insert("mfa_serial", p.mfa_serial.clone().unwrap_or_default());
    out.insert("session_duration", duration::format(p.session_duration));
    out.insert(
        "ca_bundle",
        p.ca_bundle
            .clone()
            .map(|bundle| bundle.value)
            .unwrap_or_default(),
    );
    match super::endpoint::sts(env, &p) {
        Ok(e) => out.insert("sts_endpoint", e.url),
        Err(e) => out.insert("sts_endpoint", e.to_string()),
    };
    observed_sso(p.clone(), env, &mut out);
    if let Some(last) = p.roles.last() {
        out.insert("role_duration", duration::format(last.duration));
        out.insert("external_id", last.external_id.clone().unwrap_or_default());
    }
    out
}

/// An Identity Center source: `session|start URL|region|scopes|account/role`, and its endpoints.
fn observed_sso(mut p: super::profile::Profile, env: &Env, out: &mut BTreeMap<&str, String>) {
    if let Err(e) = super::endpoint::sso(env, &mut p) {
        out.insert("sso_oidc", e.to_string());
    }
    let SourceKind::Sso(role) = &p.source.kind else {
        return;
    };
    let l = &role.login;
    let assignment = role
        .assignment
        .as_ref()
        .map(|a| format!("{}/{}", a.account_id, a.role_name))
        .unwrap_or_default();
    let session = l.session.clone().unwrap_or_default();
    let scopes = l.scopes.join(",");
    let text = format!(
        "{session}|{}|{}|{scopes}|{assignment}",
        l.start_url, l.region
    );
    out.insert("sso", text);
    out.insert("sso_oidc", l.endpoints.oidc.clone());
    out.insert("sso_portal", l.endpoints.portal.clone());
}

fn run_case(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let parts = parts(&text);
    let get = |k: &str| parts.get(k).cloned().unwrap_or_default();
    let files = Files {
        config: parse(&get("config"), Path::new("/h/.aws/config")).map_err(|e| e.to_string())?,
        credentials: parse(&get("credentials"), Path::new("/h/.aws/credentials"))
            .map_err(|e| e.to_string())?,
    };
    let env_pairs: Vec<(String, String)> = format!("HOME=/h\n{}", get("env"))
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let env_refs: Vec<(&str, &str)> = env_pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let env = Env::from_pairs(&env_refs);
    let result = Target::parse(get("profile").trim())
        .and_then(|t| resolve(t, &Overrides::default(), &env, &files));
    let seen = observed(result, &env);
    let mut wrong = Vec::new();
    for line in get("expect").lines().filter(|l| !l.trim().is_empty()) {
        let (key, want) = line
            .split_once('=')
            .ok_or(format!("bad expect line {line:?}"))?;
        let (key, want) = (key.trim(), want.trim());
        let got = seen.get(key).cloned().unwrap_or_default();
        let ok = if key == "error" {
            got.contains(want)
        } else {
            got == want
        };
        if !ok {
            wrong.push(format!("{key}: want {want:?}, got {got:?}"));
        }
    }
    if !seen.contains_key("error") || get("expect").contains("error") {
        if wrong.is_empty() {
            return Ok(());
        }
    } else if wrong.is_empty() {
        wrong.push(format!("unexpected error: {}", seen["error"]));
    }
    Err(wrong.join("; "))
}

#[test]
fn every_profile_case_resolves_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run_case(c).err().map(|e| format!("{}: {e}", c.display())))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
