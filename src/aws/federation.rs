//! The AWS console sign-in URL (`-w`): the federation endpoint's `getSigninToken` exchanges a
//! role's temporary credentials for a sign-in token, and the `login` URL carries the token to
//! the console of the role's partition.

use std::fmt;

use super::http::{Agent, HttpError};
use super::query::encode;
use crate::credentials::Credentials;

/// The federation endpoint and the console of a partition.
pub fn endpoints(partition: &str) -> (&'static str, &'static str) {
    match partition {
        "aws-cn" => (
            "https://signin.amazonaws.cn/federation",
            "https://console.amazonaws.cn/",
        ),
        "aws-us-gov" => (
            "https://signin.amazonaws-us-gov.com/federation",
            "https://console.amazonaws-us-gov.com/",
        ),
        _ => (
            "https://signin.aws.amazon.com/federation",
            "https://console.aws.amazon.com/",
        ),
    }
}

/// Why no sign-in token came.
#[derive(Debug)]
pub enum FederationError {
    Transport {
        url: String,
        error: HttpError,
    },
    /// The endpoint refused (AWS answers 400 for credentials it will not federate).
    Refused {
        url: String,
        status: u16,
    },
    BadResponse {
        url: String,
    },
    /// The profile's credentials are a session token's (no role): AWS federates only a role's.
    NotARole {
        profile: String,
    },
    /// The profile's credentials are an `aws login` session's whose principal is a user (or
    /// root), not a role: user session credentials are not federated, as GetSessionToken's.
    LoginUser {
        profile: String,
        principal: String,
    },
    /// The endpoint refused an `aws login` session's own credentials (of an assumed role).
    LoginRefused {
        profile: String,
        url: String,
        status: u16,
    },
}

impl fmt::Display for FederationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FederationError::NotARole { profile } => write!(
                f,
                "profile '{profile}' gives session-token credentials, which AWS cannot federate into a console session: use -w with a role profile (one with role_arn)"
            ),
            FederationError::LoginUser { profile, principal } => write!(
                f,
                "profile '{profile}' gives the credentials of an aws login session of {principal}, a user's, and AWS federates only a role's into a console session: use -w with a role profile whose source_profile is '{profile}'"
            ),
            FederationError::LoginRefused { profile, url, status } => write!(
                f,
                "getSigninToken failed: {url} answered HTTP {status}: AWS did not take the aws login session's own credentials of profile '{profile}' for a console session; use -w with a role profile whose source_profile is '{profile}'"
            ),
            FederationError::Transport { url, error } => {
                write!(f, "getSigninToken failed: {url}: {error}")
            }
            FederationError::Refused { url, status } => write!(
                f,
                "getSigninToken failed: {url} answered HTTP {status} (the credentials were refused for the console)"
            ),
            FederationError::BadResponse { url } => {
                write!(f, "getSigninToken failed: {url} answered without a SigninToken")
            }
        }
    }
}

impl std::error::Error for FederationError {}

/// Asks `endpoint` for a sign-in token for `credentials` (a role's).
pub fn signin_token(
    agent: &Agent,
    endpoint: &str,
    credentials: &Credentials,
) -> Result<String, FederationError> {
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key.expose(),
        "sessionToken": credentials.session_token.as_ref().map(|t| t.expose()).unwrap_or_default(),
    })
    .to_string();
    let url = format!(
        "{endpoint}?Action=getSigninToken&Session={}",
        encode(&session)
    );
    // Messages name the endpoint, never the query (it holds the credentials).
    let shown = endpoint.to_string();
    let response = agent
        .get(&url, &[])
        .map_err(|error| FederationError::Transport {
            url: shown.clone(),
            error,
        })?;
    if response.status != 200 {
        return Err(FederationError::Refused {
            url: shown,
            status: response.status,
        });
    }
    let body: serde_json::Value = serde_json::from_str(&response.body)
        .map_err(|_| FederationError::BadResponse { url: shown.clone() })?;
    body.get("SigninToken")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .ok_or(FederationError::BadResponse { url: shown })
}

/// The console sign-in URL for `token`, landing on `destination`.
pub fn login_url(endpoint: &str, token: &str, destination: &str) -> String {
    format!(
        "{endpoint}?Action=login&Issuer=aws-runas&Destination={}&SigninToken={}",
        encode(destination),
        encode(token)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_and_urls() {
        assert_eq!(
            endpoints("aws").0,
            "https://signin.aws.amazon.com/federation"
        );
        assert_eq!(endpoints("aws-cn").1, "https://console.amazonaws.cn/");
        assert_eq!(
            endpoints("aws-us-gov").0,
            "https://signin.amazonaws-us-gov.com/federation"
        );
        assert_eq!(
            login_url("https://s/federation", "t+k/=", "https://console.aws.amazon.com/"),
            "https://s/federation?Action=login&Issuer=aws-runas&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=t%2Bk%2F%3D"
        );
    }
}
