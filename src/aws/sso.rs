//! IAM Identity Center as a client: its OIDC service (RegisterClient, StartDeviceAuthorization,
//! CreateToken) and its access portal (GetRoleCredentials, ListAccounts, ListAccountRoles,
//! Logout). JSON over HTTPS and unsigned: the OIDC calls carry the client's secret, the portal's
//! the bearer token. Tokens, secrets and codes travel as [`Secret`]; none reaches an error.

use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{Agent, Response};
use super::query::{encode, AwsError};
use crate::credentials::{Credentials, Secret};

/// A registered OIDC client, as RegisterClient returns it.
pub struct Registration {
    pub client_id: String,
    pub client_secret: Secret,
    /// Unix seconds.
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
    pub expires_in: u64,
    pub interval: u64,
}

/// What CreateToken returns.
pub struct Tokens {
    pub access_token: Secret,
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

/// An account the login reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
}

/// The grant types a client for the authorization-code flow registers for.
const PKCE_GRANTS: [&str; 2] = ["authorization_code", "refresh_token"];

/// An error answer's code: OIDC's `error` (`authorization_pending`, `slow_down`, ...), else the
/// portal's `__type`, else one named after the status.
pub(crate) fn failure(operation: &'static str, response: &Response) -> AwsError {
    let body: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
    let code = text("error")
        .or_else(|| text("__type").map(|t| t.rsplit('#').next().unwrap_or(&t).to_string()))
        .unwrap_or_else(|| match response.status {
            401 => "UnauthorizedException".to_string(),
            403 => "ForbiddenException".to_string(),
            404 => "ResourceNotFoundException".to_string(),
            429 => "TooManyRequestsException".to_string(),
            status => format!("HTTP {status}"),
        });
    let message = text("error_description")
        .or_else(|| text("message"))
        .or_else(|| text("Message"))
        .filter(|m| *m != code)
        .unwrap_or_default();
    AwsError::Service {
        operation,
        code,
        message,
    }
}

/// Sends one call and reads its JSON answer into `T`.
fn call<T: for<'de> Deserialize<'de>>(
    agent: &Agent,
    operation: &'static str,
    url: &str,
    request: Request<'_>,
) -> Result<T, AwsError> {
    let result = match request {
        Request::Post(body) => {
            let headers = [("Content-Type".to_string(), "application/json".to_string())];
            agent.post(url, &headers, &body.to_string())
        }
        Request::Portal { token, post } => {
            let headers = [(
                "x-amz-sso_bearer_token".to_string(),
                token.expose().to_string(),
            )];
            if post {
                agent.post(url, &headers, "")
            } else {
                agent.get(url, &headers)
            }
        }
    };
    let response = result.map_err(|error| AwsError::Transport {
        operation,
        url: url.to_string(),
        error,
    })?;
    if !(200..300).contains(&response.status) {
        return Err(failure(operation, &response));
    }
    let body = if response.body.trim().is_empty() {
        "{}"
    } else {
        &response.body
    };
    serde_json::from_str(body).map_err(|e| AwsError::BadResponse {
        operation,
        detail: e.to_string(),
    })
}

enum Request<'a> {
    Post(Value),
    Portal { token: &'a Secret, post: bool },
}

/// RegisterClient: a public client named `name` for `scopes`; for the authorization-code flow,
/// `pkce` is the issuer (the start URL) and the redirect URI.
pub fn register_client(
    agent: &Agent,
    oidc: &str,
    name: &str,
    scopes: &[String],
    pkce: Option<(&str, &str)>,
) -> Result<Registration, AwsError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        client_id: String,
        client_secret: String,
        client_secret_expires_at: i64,
    }
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
    let a: Answer = call(agent, "RegisterClient", &url, Request::Post(body))?;
    Ok(Registration {
        client_id: a.client_id,
        client_secret: Secret::new(a.client_secret),
        expires_at: a.client_secret_expires_at,
    })
}

/// StartDeviceAuthorization for the start URL.
pub fn start_device_authorization(
    agent: &Agent,
    oidc: &str,
    client: &Registration,
    start_url: &str,
) -> Result<DeviceAuthorization, AwsError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        device_code: String,
        user_code: String,
        verification_uri: String,
        verification_uri_complete: Option<String>,
        expires_in: u64,
        interval: Option<u64>,
    }
    let body = json!({
        "clientId": client.client_id,
        "clientSecret": client.client_secret.expose(),
        "startUrl": start_url,
    });
    let url = format!("{oidc}device_authorization");
    let a: Answer = call(agent, "StartDeviceAuthorization", &url, Request::Post(body))?;
    Ok(DeviceAuthorization {
        device_code: Secret::new(a.device_code),
        user_code: a.user_code,
        verification_uri: a.verification_uri,
        verification_uri_complete: a.verification_uri_complete,
        expires_in: a.expires_in,
        interval: a.interval.unwrap_or(5).max(1),
    })
}

/// A registered client, as CreateToken names it.
#[derive(Clone, Copy)]
pub struct Client<'a> {
    pub id: &'a str,
    pub secret: &'a Secret,
}

/// CreateToken with `grant`, for `client`.
pub fn create_token(
    agent: &Agent,
    oidc: &str,
    client: Client<'_>,
    grant: Grant<'_>,
) -> Result<Tokens, AwsError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        access_token: String,
        expires_in: i64,
        refresh_token: Option<String>,
    }
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
    let a: Answer = call(agent, "CreateToken", &url, Request::Post(body))?;
    Ok(Tokens {
        access_token: Secret::new(a.access_token),
        expires_in: a.expires_in,
        refresh_token: a.refresh_token.map(Secret::new),
    })
}

/// GetRoleCredentials: the credentials of `role` in `account`.
pub fn role_credentials(
    agent: &Agent,
    portal: &str,
    token: &Secret,
    account: &str,
    role: &str,
) -> Result<Credentials, AwsError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        role_credentials: Role,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Role {
        access_key_id: String,
        secret_access_key: String,
        session_token: String,
        /// Unix milliseconds.
        expiration: i64,
    }
    let url = format!(
        "{portal}federation/credentials?account_id={}&role_name={}",
        encode(account),
        encode(role)
    );
    let request = Request::Portal { token, post: false };
    let a: Answer = call(agent, "GetRoleCredentials", &url, request)?;
    let r = a.role_credentials;
    Ok(Credentials {
        access_key_id: r.access_key_id,
        secret_access_key: Secret::new(r.secret_access_key),
        session_token: Some(Secret::new(r.session_token)),
        expiration: Some(r.expiration / 1000),
    })
}

/// Every item of a paged portal list: `url` (with its query) asked again with each
/// `next_token` until there is none (or it repeats); the items under `list`, as JSON.
fn every_page(
    agent: &Agent,
    operation: &'static str,
    url: &str,
    list: &str,
    token: &Secret,
) -> Result<Vec<Value>, AwsError> {
    let mut items = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page_url = match &next {
            Some(t) => format!("{url}&next_token={}", encode(t)),
            None => url.to_string(),
        };
        let request = Request::Portal { token, post: false };
        let mut page: Value = call(agent, operation, &page_url, request)?;
        if let Some(Value::Array(list)) = page.get_mut(list).map(Value::take) {
            items.extend(list);
        }
        let token = page.get("nextToken").and_then(Value::as_str);
        next = token
            .filter(|t| !t.is_empty() && next.as_deref() != Some(*t))
            .map(str::to_string);
        if next.is_none() {
            return Ok(items);
        }
    }
}

/// The text of `key` in a list item.
fn text(item: &Value, key: &str) -> String {
    item.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// ListAccounts, every page.
pub fn accounts(agent: &Agent, portal: &str, token: &Secret) -> Result<Vec<Account>, AwsError> {
    let url = format!("{portal}assignment/accounts?max_result=100");
    let items = every_page(agent, "ListAccounts", &url, "accountList", token)?;
    Ok(items
        .iter()
        .map(|i| Account {
            id: text(i, "accountId"),
            name: text(i, "accountName"),
        })
        .filter(|a| !a.id.is_empty())
        .collect())
}

/// ListAccountRoles for `account`, every page: the role names.
pub fn account_roles(
    agent: &Agent,
    portal: &str,
    token: &Secret,
    account: &str,
) -> Result<Vec<String>, AwsError> {
    let url = format!(
        "{portal}assignment/roles?account_id={}&max_result=100",
        encode(account)
    );
    let items = every_page(agent, "ListAccountRoles", &url, "roleList", token)?;
    Ok(items
        .iter()
        .map(|i| text(i, "roleName"))
        .filter(|r| !r.is_empty())
        .collect())
}

/// Logout: the token stops working.
pub fn logout(agent: &Agent, portal: &str, token: &Secret) -> Result<(), AwsError> {
    let url = format!("{portal}logout");
    let request = Request::Portal { token, post: true };
    call::<Value>(agent, "Logout", &url, request).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn answer(status: u16, body: &str) -> Response {
        Response {
            status,
            body: body.into(),
            date: None,
            location: None,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn oidc_errors_are_their_error_field_and_portal_ones_their_type_or_status() {
        let pending = failure(
            "CreateToken",
            &answer(
                400,
                r#"{"error":"authorization_pending","error_description":"x"}"#,
            ),
        );
        assert_eq!(
            pending.to_string(),
            "CreateToken failed: authorization_pending: x"
        );
        let typed = failure(
            "ListAccounts",
            &answer(
                403,
                r#"{"__type":"com.amazon#ForbiddenException","message":"No"}"#,
            ),
        );
        assert_eq!(
            typed.to_string(),
            "ListAccounts failed: ForbiddenException: No"
        );
        let bare = failure("GetRoleCredentials", &answer(401, "not json"));
        assert_eq!(
            bare.to_string(),
            "GetRoleCredentials failed: UnauthorizedException"
        );
    }
}
