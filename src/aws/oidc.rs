//! IAM Identity Center's OIDC service as a client: RegisterClient, StartDeviceAuthorization and
//! CreateToken (with the device, authorization-code and refresh grants). JSON over `sso.rs`'s
//! call, unsigned: each call carries the client's secret, which travels as a [`Secret`] and
//! reaches no error. Each answer is read by a function of its own (`*_answer`), so that the
//! tests and the fuzz target read what a service could send exactly as a login does; numbers
//! are read by [`whole`], whatever their size or sign, and bounded by the login that uses them.

use serde::Deserialize;
use serde_json::{json, Number};

use super::http::Agent;
use super::query::AwsError;
use super::sso::{read, send, whole, Request};
use crate::credentials::Secret;

/// A registered OIDC client, as RegisterClient returns it.
pub struct Registration {
    pub client_id: String,
    pub client_secret: Secret,
    /// Unix seconds, as the service sent it (any value: the login bounds it).
    pub expires_at: i64,
}

impl Registration {
    /// The client, for CreateToken.
    pub fn client(&self) -> Client<'_> {
        Client {
            id: &self.client_id,
            secret: &self.client_secret,
        }
    }
}

/// What StartDeviceAuthorization returns.
pub struct DeviceAuthorization {
    pub device_code: Secret,
    /// Shown to the user, with the verification URL.
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    /// Seconds, as the service sent them (any value: the login bounds them).
    pub expires_in: i64,
    /// Seconds, as the service sent them, else RFC 8628's default of 5 (the login bounds them).
    pub interval: i64,
}

/// What CreateToken returns.
pub struct Tokens {
    pub access_token: Secret,
    /// Seconds, as the service sent them (any value: the token cache bounds them).
    pub expires_in: i64,
    pub refresh_token: Option<Secret>,
}

/// The grant CreateToken is asked for.
pub enum Grant<'a> {
    DeviceCode(&'a Secret),
    AuthorizationCode {
        code: &'a Secret,
        redirect_uri: &'a str,
        verifier: &'a Secret,
    },
    RefreshToken(&'a Secret),
}

/// A registered client, as CreateToken names it.
#[derive(Clone, Copy)]
pub struct Client<'a> {
    pub id: &'a str,
    pub secret: &'a Secret,
}

/// The grant types a client for the authorization-code flow registers for.
const PKCE_GRANTS: [&str; 2] = ["authorization_code", "refresh_token"];

/// The operations, as errors name them.
const REGISTER: &str = "RegisterClient";
const DEVICE: &str = "StartDeviceAuthorization";
const TOKEN: &str = "CreateToken";

/// RegisterClient: a public client named `name` for `scopes`; for the authorization-code flow,
/// `pkce` is the issuer (the start URL) and the redirect URI.
pub fn register_client(
    agent: &Agent,
    oidc: &str,
    name: &str,
    scopes: &[String],
    pkce: Option<(&str, &str)>,
) -> Result<Registration, AwsError> {
    let mut body = json!({"clientName": name, "clientType": "public"});
    if !scopes.is_empty() {
        body["scopes"] = json!(scopes);
    }
    if let Some((issuer, redirect)) = pkce {
        body["grantTypes"] = json!(PKCE_GRANTS);
        body["redirectUris"] = json!([redirect]);
        body["issuerUrl"] = json!(issuer);
    }
    let url = format!("{oidc}client/register");
    registration_answer(&send(agent, REGISTER, &url, Request::Post(body))?)
}

/// RegisterClient's answer.
pub fn registration_answer(body: &str) -> Result<Registration, AwsError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        client_id: String,
        client_secret: String,
        client_secret_expires_at: Number,
    }
    let a: Answer = read(REGISTER, body)?;
    Ok(Registration {
        client_id: a.client_id,
        client_secret: Secret::new(a.client_secret),
        expires_at: whole(&a.client_secret_expires_at),
    })
}

/// StartDeviceAuthorization for the start URL.
pub fn start_device_authorization(
    agent: &Agent,
    oidc: &str,
    client: &Registration,
    start_url: &str,
) -> Result<DeviceAuthorization, AwsError> {
    let body = json!({
        "clientId": client.client_id,
        "clientSecret": client.client_secret.expose(),
        "startUrl": start_url,
    });
    let url = format!("{oidc}device_authorization");
    device_answer(&send(agent, DEVICE, &url, Request::Post(body))?)
}

/// StartDeviceAuthorization's answer.
pub fn device_answer(body: &str) -> Result<DeviceAuthorization, AwsError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        device_code: String,
        user_code: String,
        verification_uri: String,
        verification_uri_complete: Option<String>,
        expires_in: Number,
        interval: Option<Number>,
    }
    let a: Answer = read(DEVICE, body)?;
    Ok(DeviceAuthorization {
        device_code: Secret::new(a.device_code),
        user_code: a.user_code,
        verification_uri: a.verification_uri,
        verification_uri_complete: a.verification_uri_complete,
        expires_in: whole(&a.expires_in),
        interval: a.interval.as_ref().map_or(5, whole),
    })
}

/// CreateToken with `grant`, for `client`.
pub fn create_token(
    agent: &Agent,
    oidc: &str,
    client: Client<'_>,
    grant: Grant<'_>,
) -> Result<Tokens, AwsError> {
    let mut body = json!({"clientId": client.id, "clientSecret": client.secret.expose()});
    match grant {
        Grant::DeviceCode(code) => {
            body["grantType"] = json!("urn:ietf:params:oauth:grant-type:device_code");
            body["deviceCode"] = json!(code.expose());
        }
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            verifier,
        } => {
            body["grantType"] = json!("authorization_code");
            body["code"] = json!(code.expose());
            body["redirectUri"] = json!(redirect_uri);
            body["codeVerifier"] = json!(verifier.expose());
        }
        Grant::RefreshToken(token) => {
            body["grantType"] = json!("refresh_token");
            body["refreshToken"] = json!(token.expose());
        }
    }
    let url = format!("{oidc}token");
    tokens_answer(&send(agent, TOKEN, &url, Request::Post(body))?)
}

/// CreateToken's answer.
pub fn tokens_answer(body: &str) -> Result<Tokens, AwsError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        access_token: String,
        expires_in: Number,
        refresh_token: Option<String>,
    }
    let a: Answer = read(TOKEN, body)?;
    Ok(Tokens {
        access_token: Secret::new(a.access_token),
        expires_in: whole(&a.expires_in),
        refresh_token: a.refresh_token.map(Secret::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_any_size_or_sign_are_read_not_refused() {
        let device = |fields: &str| {
            device_answer(&format!(
                r#"{{"deviceCode":"d","userCode":"u","verificationUri":"v",{fields}}}"#
            ))
        };
        let huge = device(r#""expiresIn":18446744073709551615,"interval":-1"#).unwrap();
        assert_eq!((huge.expires_in, huge.interval), (i64::MAX, -1));
        let float = device(r#""expiresIn":1e300,"interval":2.5"#).unwrap();
        assert_eq!((float.expires_in, float.interval), (i64::MAX, 2));
        assert_eq!(device(r#""expiresIn":600"#).unwrap().interval, 5);
        assert!(device(r#""expiresIn":"600""#).is_err());
        let tokens = tokens_answer(r#"{"accessToken":"a","expiresIn":-5}"#).unwrap();
        assert_eq!(tokens.expires_in, -5);
        let client = registration_answer(
            r#"{"clientId":"c","clientSecret":"s","clientSecretExpiresAt":-1e30}"#,
        )
        .unwrap();
        assert_eq!(client.expires_at, i64::MIN);
    }
}
