//! The OIDC client a login registers (RegisterClient), cached as the CLI v2 caches it: in the
//! token cache's directory, named by the SHA-1 of the Python-sorted JSON of what the client is
//! for (so that the CLI and we reuse each other's), and reused until an hour before it expires.
//! Read and written through `store.rs`, as the token files are.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::token;
use crate::aws::http::Agent;
use crate::aws::oidc::{self, Registration};
use crate::config::sso::Login;
use crate::credentials::Secret;
use crate::creds::error::CredsError;
use crate::creds::store::{self, Private};
use crate::log::debug;
use crate::time;

/// The client name the registration carries.
const CLIENT_NAME: &str = "aws-runas";
/// A cached client registration, as the CLI v2 caches it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedClient {
    client_id: String,
    client_secret: String,
    expires_at: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    scopes: Vec<String>,
}

/// A registration file, in messages.
const FILE: store::FileKind = store::FileKind {
    tag: "sso registration",
    noun: "IAM Identity Center client registration",
    instead: "registering again",
};

/// The registration cache's key, as the CLI v2 makes it: SHA-1 of the sorted JSON of what the
/// client is for (the flow too, since a device client cannot take a code).
fn registration_key(login: &Login, pkce: bool) -> String {
    let mut args = serde_json::Map::new();
    if pkce {
        args.insert(
            "grantTypes".into(),
            serde_json::json!(["authorization_code", "refresh_token"]),
        );
    }
    args.insert("region".into(), login.region.clone().into());
    args.insert("scopes".into(), serde_json::json!(login.scopes));
    if let Some(session) = &login.session {
        args.insert("session_name".into(), session.clone().into());
    }
    args.insert("startUrl".into(), login.start_url.clone().into());
    args.insert("tool".into(), "botocore".into());
    token::sha1_hex(&python_json(&serde_json::Value::Object(args)))
}

/// `value` as Python's `json.dumps(value, sort_keys=True)` writes it (serde_json's maps are
/// sorted): `", "` between items, `": "` after keys.
fn python_json(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::from(k.as_str()), python_json(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(list) => {
            let items: Vec<String> = list.iter().map(python_json).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// Where the registration for the flow is cached.
fn registration_path(login: &Login, pkce: bool) -> PathBuf {
    login
        .cache_dir
        .join(format!("{}.json", registration_key(login, pkce)))
}

/// A registration for the flow: the cached one while it is valid, else a new one (cached).
pub fn registration(
    login: &Login,
    agent: &Agent,
    private: &Private,
    redirect: Option<&str>,
) -> Result<Registration, CredsError> {
    let path = registration_path(login, redirect.is_some());
    if let Some(data) = store::read_trusted(&path, &FILE, false) {
        if let Ok(c) = serde_json::from_slice::<CachedClient>(&data) {
            let expires_at = token::parse_time(&c.expires_at).unwrap_or(0);
            if expires_at - time::unix_now() > 3600 {
                debug!(
                    "sso login: the cached client registration, until {}",
                    c.expires_at
                );
                return Ok(Registration {
                    client_id: c.client_id,
                    client_secret: Secret::new(c.client_secret),
                    expires_at,
                });
            }
        }
    }
    let pkce = redirect.map(|r| (login.start_url.as_str(), r));
    let endpoint = &login.endpoints.oidc;
    let client = oidc::register_client(agent, endpoint, CLIENT_NAME, &login.scopes, pkce)?;
    let client = bounded(login, client, time::unix_now())?;
    let cached = CachedClient {
        client_id: client.client_id.clone(),
        client_secret: client.client_secret.expose().to_string(),
        expires_at: time::rfc3339::format(client.expires_at),
        scopes: login.scopes.clone(),
    };
    let written = serde_json::to_vec(&cached)
        .map_err(std::io::Error::other)
        .and_then(|json| private.write(&path, &token::file_name(&path), &json));
    if let Err(e) = written {
        debug!("sso login: cannot cache the client registration ({e})");
    }
    Ok(client)
}

/// `client` with its lifetime bounded (`token::lifetime`): one the service registered for
/// 2^63-1 seconds is kept for 90 days, one whose lifetime is not positive is a failed login.
pub(crate) fn bounded(
    login: &Login,
    client: Registration,
    now: i64,
) -> Result<Registration, CredsError> {
    let seconds = client.expires_at.saturating_sub(now);
    let lifetime = token::lifetime(seconds).ok_or_else(|| CredsError::SsoLogin {
        label: login.label(),
        reason: format!(
            "the service registered the client for {seconds} s: the registration has expired already"
        ),
    })?;
    Ok(Registration {
        expires_at: now + lifetime,
        ..client
    })
}

/// Forgets the cached registrations of `login` (both flows): the service refused one, so the
/// next login registers again.
pub fn forget(login: &Login) {
    for pkce in [false, true] {
        let _ = std::fs::remove_file(registration_path(login, pkce));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registration_key_is_the_sha1_of_python_sorted_json() {
        let login = Login::sample();
        let text = r#"{"region": "eu-west-1", "scopes": ["sso:account:access"], "session_name": "corp", "startUrl": "https://corp.awsapps.com/start", "tool": "botocore"}"#;
        assert_eq!(registration_key(&login, false), token::sha1_hex(text));
        assert_ne!(
            registration_key(&login, true),
            registration_key(&login, false)
        );
    }

    #[test]
    fn a_registration_lifetime_is_bounded_to_90_days_and_one_not_positive_is_refused() {
        let login = Login::sample();
        let now = 1_767_323_045;
        let client = |expires_at| Registration {
            client_id: "c".into(),
            client_secret: Secret::new("s"),
            expires_at,
        };
        let at = |expires_at| bounded(&login, client(expires_at), now).map(|c| c.expires_at);
        assert_eq!(at(now + 3600).unwrap(), now + 3600);
        assert_eq!(at(i64::MAX).unwrap(), now + token::LONGEST);
        for refused in [now, 0, i64::MIN] {
            let error = at(refused).unwrap_err().to_string();
            assert!(
                error.contains("the registration has expired already"),
                "{error}"
            );
        }
    }
}
