//! AWS Sign-In as a client (LOGIN-PROTOCOL.md §3, §5): `CreateOAuth2Token` with the refresh-token
//! grant, the call that renews an `aws login` session, and with the authorization-code grant,
//! the end of a login (its authorize URL built here too). Unsigned rest-json, a DPoP proof
//! (`dpop.rs`) in the `DPoP` header; codes, verifiers and tokens travel as [`Secret`] and reach
//! no error. The answer is input: its lifetime bounded to the model's 1–900 s (none at all
//! refused), the ID token's subject checked to be an ARN, the service's text escaped. Knows no
//! cache file: the caller gives the endpoint, the key and the tokens.

use serde::Deserialize;
use serde_json::{json, Number, Value};

use super::dpop::DpopKey;
use super::http::Agent;
use super::query::{encode, AwsError};
use super::sso::{failure, whole};
use crate::base64;
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

/// The client of a login on this machine, its redirect to our loopback listener.
pub const SAME_DEVICE: &str = "arn:aws:signin:::devtools/same-device";
/// The client of a login from another device, its code pasted.
pub const CROSS_DEVICE: &str = "arn:aws:signin:::devtools/cross-device";
/// The longest ID token kept (the model's bound is 4096).
const MAX_ID_TOKEN: usize = 16 * 1024;

/// What a login's code gives: a session, and whose it is.
pub struct LoggedIn {
    pub session: Refreshed,
    /// The ID token, kept in the cache file as the CLI keeps it.
    pub id_token: Secret,
    /// Its `sub`: the session's principal, the profile's `login_session`.
    pub arn: String,
    /// The account of that ARN.
    pub account_id: String,
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

/// Where a login from another device ends: the page that shows the code to paste.
pub fn confirmation_url(base: &str) -> String {
    format!("{base}v1/sessions/confirmation")
}

/// The page a login starts on, as the CLI builds it: PKCE with the method `SHA-256`, scope
/// `openid`, and `challenge` (base64url, 43 characters) last.
pub fn authorize_url(
    base: &str,
    client_id: &str,
    state: &str,
    redirect_uri: &str,
    challenge: &str,
) -> String {
    format!(
        "{base}v1/authorize?response_type=code&client_id={}&state={}&code_challenge_method=SHA-256&scope=openid&redirect_uri={}&code_challenge={challenge}",
        encode(client_id),
        encode(state),
        encode(redirect_uri)
    )
}

/// What a login's code is exchanged with.
pub struct Code<'a> {
    pub client_id: &'a str,
    pub code: &'a Secret,
    pub verifier: &'a Secret,
    pub redirect_uri: &'a str,
}

/// Ends a login: the authorization-code grant sent to `base` with a proof made by the new `key`.
pub fn exchange(
    agent: &Agent,
    base: &str,
    key: &DpopKey,
    code: &Code<'_>,
) -> Result<LoggedIn, AwsError> {
    let body = json!({
        "clientId": code.client_id,
        "grantType": "authorization_code",
        "code": code.code.expose(),
        "codeVerifier": code.verifier.expose(),
        "redirectUri": code.redirect_uri,
    });
    let answer = call(agent, base, key, &body)?;
    read_login(&answer)
}

/// A code grant's 200 answer read and bounded: the session, and the ID token's subject.
pub fn read_login(body: &str) -> Result<LoggedIn, AwsError> {
    let bad = |detail: &str| AwsError::BadResponse {
        operation: OPERATION,
        detail: detail.to_string(),
    };
    let session = read(body)?;
    let value: Value = serde_json::from_str(body).map_err(|_| bad("the answer is not JSON"))?;
    let id_token = value
        .get("idToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && t.len() <= MAX_ID_TOKEN)
        .ok_or_else(|| bad("the answer has no idToken (or one too long)"))?;
    let (arn, account_id) = subject(id_token).map_err(bad)?;
    Ok(LoggedIn {
        session,
        id_token: Secret::new(id_token.to_string()),
        arn,
        account_id,
    })
}

/// The ID token's `sub` (the session's ARN) and its account, as the CLI reads them: the claims
/// decoded, the signature not checked (the token came over the TLS channel we opened). Checked
/// to be an ARN of 12-digit account with no control character or space: it names a file and is
/// written into the config file.
pub fn subject(id_token: &str) -> Result<(String, String), &'static str> {
    let not = "the idToken's sub is not the ARN of an AWS principal";
    let claims = id_token
        .split('.')
        .nth(1)
        .and_then(base64::decode_url)
        .and_then(|c| serde_json::from_slice::<Value>(&c).ok())
        .ok_or("the idToken is not a JWT")?;
    let sub = claims.get("sub").and_then(Value::as_str).ok_or(not)?;
    let fields: Vec<&str> = sub.split(':').collect();
    let printable = sub.chars().all(|c| c.is_ascii_graphic());
    match fields.as_slice() {
        ["arn", partition, "iam" | "sts", "", account, resource]
            if printable
                && sub.len() <= 2048
                && partition.starts_with("aws")
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && !resource.is_empty() =>
        {
            Ok((sub.to_string(), account.to_string()))
        }
        _ => Err(not),
    }
}

/// Refreshes a session: the refresh-token grant sent to `base` with a proof made by `key`.
pub fn refresh(
    agent: &Agent,
    base: &str,
    key: &DpopKey,
    client_id: &str,
    refresh_token: &Secret,
) -> Result<Refreshed, AwsError> {
    let body = json!({
        "clientId": client_id,
        "refreshToken": refresh_token.expose(),
        "grantType": "refresh_token",
    });
    read(&call(agent, base, key, &body)?)
}

/// POSTs `body` to the token URL of `base` with a proof by `key`; the 2xx answer's body.
fn call(agent: &Agent, base: &str, key: &DpopKey, body: &Value) -> Result<String, AwsError> {
    let url = token_url(base);
    let proof = key.proof(&url).map_err(|detail| AwsError::Signing {
        operation: OPERATION,
        detail,
    })?;
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
    Ok(response.body)
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
    // They go into export lines and environments: no control character or space, whatever the
    // service sends.
    if [&keys.secret_access_key, &keys.session_token]
        .iter()
        .any(|v| v.chars().any(|c| !c.is_ascii_graphic()))
    {
        return Err(bad(
            "the answer's secretAccessKey or sessionToken holds a control character or a space",
        ));
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

/// `text`, cut to `chars` characters (`...` where it was cut).
fn bounded(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}

/// A service error with its code and message escaped and bounded: they reach a terminal.
fn escaped(error: AwsError) -> AwsError {
    match error {
        AwsError::Service {
            operation,
            code,
            message,
        } => AwsError::Service {
            operation,
            code: log::escape(&bounded(&code, 64)).into_owned(),
            message: log::escape(&bounded(&message, 512)).into_owned(),
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
            answer("900").replace("sk2", "sk\u{1b}[31m2"),
            answer("900").replace("st2", "st 2"),
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
    fn a_service_error_s_code_and_message_are_escaped_and_bounded() {
        let e = escaped(AwsError::Service {
            operation: OPERATION,
            code: format!("X{}", "c".repeat(500)),
            message: format!("\u{1b}[31m{}", "m".repeat(5000)),
        });
        let AwsError::Service { code, message, .. } = e else {
            panic!("not a service error")
        };
        assert_eq!(code, format!("X{}...", "c".repeat(63)));
        assert!(
            message.starts_with("\\x1b[31m") && message.ends_with("m..."),
            "{message}"
        );
        assert!(message.len() <= 520, "{}", message.len());
    }

    /// A JWT whose claims are `claims` (header and signature not read).
    fn jwt(claims: &str) -> String {
        format!(
            "eyJhbGciOiJFUzM4NCJ9.{}.c2ln",
            base64::url(claims.as_bytes())
        )
    }

    #[test]
    fn a_login_answer_gives_the_session_and_the_id_token_s_subject() {
        let sub = "arn:aws:sts::123456789012:assumed-role/Admin/admin";
        let body = answer("900").replace(
            "\"tokenType\"",
            &format!(
                "\"idToken\":\"{}\",\"tokenType\"",
                jwt(&format!(r#"{{"sub":"{sub}"}}"#))
            ),
        );
        let logged = read_login(&body).unwrap();
        assert_eq!(logged.arn, sub);
        assert_eq!(logged.account_id, "123456789012");
        assert_eq!(logged.session.lifetime, 900);
        let user = r#"{"sub":"arn:aws-cn:iam::123456789012:user/Admin"}"#;
        assert_eq!(subject(&jwt(user)).unwrap().1, "123456789012");
        // No ID token: a refresh's answer, not a login's.
        assert!(read_login(&answer("900")).is_err());
    }

    #[test]
    fn an_id_token_whose_subject_is_no_arn_is_refused_in_a_line_without_it() {
        for claims in [
            r#"{"sub":"arn:aws:sts::123456789012:assumed-role/A/b\n[profile x]"}"#,
            r#"{"sub":"arn:aws:sts::123456789012:assumed-role/A/b c"}"#,
            r#"{"sub":"arn:aws:sts::12345678901:assumed-role/A/b"}"#,
            r#"{"sub":"arn:aws:s3:::bucket"}"#,
            r#"{"sub":"../../etc/passwd"}"#,
            r#"{"sub":12}"#,
            r#"{"sub":"arn:aws:iam::123456789012:"}"#,
            r#"{}"#,
            "not json",
        ] {
            let e = subject(&jwt(claims)).unwrap_err();
            assert!(!e.contains("passwd") && !e.contains('\n'), "{e}");
        }
        let long = format!(
            r#"{{"sub":"arn:aws:iam::123456789012:user/{}"}}"#,
            "a".repeat(3000)
        );
        assert!(subject(&jwt(&long)).is_err());
        assert!(subject("only-one-part").is_err());
    }

    #[test]
    fn the_authorize_url_is_the_cli_s() {
        // LOGIN-PROTOCOL.md §5's example, verified against the CLI's rendering.
        let url = authorize_url(
            "https://us-east-2.signin.aws.amazon.com/",
            SAME_DEVICE,
            "3f1c2a9e-5b7d-4e21-9c4a-0d8e6f1b2a37",
            "http://127.0.0.1:53682/oauth/callback",
            "_-BU_nrgy23GXDr5th1SCfQ5hR20PQulmXM33xVGaOs",
        );
        assert_eq!(url, "https://us-east-2.signin.aws.amazon.com/v1/authorize?response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device&state=3f1c2a9e-5b7d-4e21-9c4a-0d8e6f1b2a37&code_challenge_method=SHA-256&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Foauth%2Fcallback&code_challenge=_-BU_nrgy23GXDr5th1SCfQ5hR20PQulmXM33xVGaOs");
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
