//! AWS Sign-In as a client: `CreateOAuth2Token` with the refresh-token grant (LOGIN-PROTOCOL.md
//! §3), the call that renews an `aws login` session. Unsigned rest-json, a DPoP proof (`dpop.rs`)
//! in the `DPoP` header; the refresh tokens travel as [`Secret`] and reach no error. The answer is
//! input: its lifetime bounded to the model's 1–900 s (none at all refused), the service's text
//! escaped. Knows no cache file: the caller gives the endpoint, the key and the tokens.

use serde::Deserialize;
use serde_json::{json, Number, Value};

use super::dpop::DpopKey;
use super::http::Agent;
use super::query::AwsError;
use super::sso::{failure, whole};
use crate::credentials::{Credentials, Secret};
use crate::log;

const OPERATION: &str = "CreateOAuth2Token";
/// The longest lifetime the service model allows (`expiresIn`, 1–900 s).
pub const MAX_LIFETIME: i64 = 900;

/// What a refresh gives: new credentials, for how long, and the next refresh token.
pub struct Refreshed {
    /// The credentials, their expiry not set (the caller adds `lifetime` to its clock).
    pub credentials: Credentials,
    /// Seconds, 1–[`MAX_LIFETIME`].
    pub lifetime: i64,
    pub refresh_token: Secret,
}

/// The answer as sent. No `Debug`: it holds secrets.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    access_token: AnswerKeys,
    expires_in: Number,
    refresh_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnswerKeys {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
}

/// `{base}v1/token` (`base` ends in `/`, as endpoints do here).
pub fn token_url(base: &str) -> String {
    format!("{base}v1/token")
}

/// Refreshes a session: the refresh-token grant sent to `base` with a proof made by `key`.
pub fn refresh(
    agent: &Agent,
    base: &str,
    key: &DpopKey,
    client_id: &str,
    refresh_token: &Secret,
) -> Result<Refreshed, AwsError> {
    let url = token_url(base);
    let proof = key.proof(&url).map_err(|detail| AwsError::Signing {
        operation: OPERATION,
        detail,
    })?;
    let body = json!({
        "clientId": client_id,
        "refreshToken": refresh_token.expose(),
        "grantType": "refresh_token",
    });
    let headers = [
        ("Content-Type".to_string(), "application/json".to_string()),
        ("DPoP".to_string(), proof),
    ];
    let response = agent
        .post(&url, &headers, &body.to_string())
        .map_err(|error| AwsError::Transport {
            operation: OPERATION,
            url: url.clone(),
            error,
        })?;
    if !(200..300).contains(&response.status) {
        return Err(escaped(failure(OPERATION, &response)));
    }
    read(&response.body)
}

/// A 200 answer read and bounded.
pub fn read(body: &str) -> Result<Refreshed, AwsError> {
    let bad = |detail: &str| AwsError::BadResponse {
        operation: OPERATION,
        detail: detail.to_string(),
    };
    let value: Value = serde_json::from_str(body).map_err(|_| bad("the answer is not JSON"))?;
    if value.get("tokenType").and_then(Value::as_str) != Some("aws_sigv4") {
        return Err(bad("the answer's tokenType is not aws_sigv4"));
    }
    // serde's message is not said: it may quote a value, and values are secrets.
    let answer: Answer = serde_json::from_value(value)
        .map_err(|_| bad("the answer lacks accessToken, expiresIn or refreshToken"))?;
    let lifetime = whole(&answer.expires_in);
    if lifetime <= 0 {
        return Err(bad("the answer's expiresIn is not positive"));
    }
    let keys = answer.access_token;
    if [
        &keys.access_key_id,
        &keys.secret_access_key,
        &keys.session_token,
        &answer.refresh_token,
    ]
    .iter()
    .any(|v| v.is_empty())
    {
        return Err(bad("the answer has an empty credential or refresh token"));
    }
    if keys
        .access_key_id
        .chars()
        .any(|c| !c.is_ascii_alphanumeric())
    {
        return Err(bad("the answer's accessKeyId is not an access key id"));
    }
    Ok(Refreshed {
        credentials: Credentials {
            access_key_id: keys.access_key_id,
            secret_access_key: Secret::new(keys.secret_access_key),
            session_token: Some(Secret::new(keys.session_token)),
            expiration: None,
        },
        lifetime: lifetime.min(MAX_LIFETIME),
        refresh_token: Secret::new(answer.refresh_token),
    })
}

/// A service error with its code and message escaped: they reach a terminal.
fn escaped(error: AwsError) -> AwsError {
    match error {
        AwsError::Service {
            operation,
            code,
            message,
        } => AwsError::Service {
            operation,
            code: log::escape(&code).into_owned(),
            message: log::escape(&message).into_owned(),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(expires_in: &str) -> String {
        format!(
            r#"{{"accessToken":{{"accessKeyId":"ASIANEW","secretAccessKey":"sk2","sessionToken":"st2"}},"tokenType":"aws_sigv4","expiresIn":{expires_in},"refreshToken":"rt2"}}"#
        )
    }

    #[test]
    fn an_answer_is_read_with_its_lifetime_bounded() {
        for (sent, kept) in [
            ("900", 900),
            ("1", 1),
            ("901", 900),
            ("18446744073709551616", 900),
            ("1e300", 900),
            ("300.7", 300),
        ] {
            let r = read(&answer(sent)).unwrap_or_else(|e| panic!("{sent}: {e}"));
            assert_eq!(r.lifetime, kept, "{sent}");
            assert_eq!(r.credentials.access_key_id, "ASIANEW");
            assert_eq!(r.refresh_token.expose(), "rt2");
            assert_eq!(
                r.credentials.session_token.as_ref().map(Secret::expose),
                Some("st2")
            );
        }
    }

    #[test]
    fn a_hostile_answer_is_refused_without_its_values() {
        let cases = [
            answer("0"),
            answer("-5"),
            answer("-1e300"),
            answer("\"900\""),
            answer("900").replace("aws_sigv4", "Bearer"),
            answer("900").replace(r#","refreshToken":"rt2""#, ""),
            answer("900").replace(r#""refreshToken":"rt2""#, r#""refreshToken":"""#),
            answer("900").replace("ASIANEW", "AS\nIA"),
            "not json sk2".to_string(),
        ];
        for case in &cases {
            let shown = read(case)
                .err()
                .unwrap_or_else(|| panic!("{case}"))
                .to_string();
            assert!(
                !shown.contains("sk2") && !shown.contains("rt2") && !shown.contains('\n'),
                "{shown}"
            );
        }
    }

    #[test]
    fn the_token_url_appends_the_path_to_the_base() {
        assert_eq!(
            token_url("http://127.0.0.1:8080/base/"),
            "http://127.0.0.1:8080/base/v1/token"
        );
        assert_eq!(
            token_url("https://us-east-2.signin.aws.amazon.com/"),
            "https://us-east-2.signin.aws.amazon.com/v1/token"
        );
    }
}
