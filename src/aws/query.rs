//! One AWS Query API call: the form encoded exactly as botocore encodes it, signed with
//! aws-sigv4, POSTed through the run's agent, retried once on a connection error or a
//! 5xx/throttling answer, and turned into a parsed document or a typed error.

use std::fmt;
use std::thread;
use std::time::Duration;

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;

use super::endpoint::Endpoint;
use super::http::{Agent, HttpError, Response};
use super::xml::{self, Doc};
use crate::credentials::Credentials;
use crate::log::debug;
use crate::time;

/// The content type of every Query API request.
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
/// Pause before the one retry.
const RETRY_BACKOFF: Duration = Duration::from_millis(300);

/// A Query API request.
pub struct Request<'a> {
    /// Signing name: `sts` or `iam`.
    pub service: &'static str,
    /// API version: `2011-06-15` (STS), `2010-05-08` (IAM).
    pub version: &'static str,
    pub action: &'static str,
    /// Parameters after `Action` and `Version`, in order.
    pub params: Vec<(&'static str, &'a str)>,
}

/// A failed call; the message names the operation.
#[derive(Debug, Clone)]
pub enum AwsError {
    /// AWS answered with an error (`Code`, `Message`).
    Service {
        operation: &'static str,
        code: String,
        message: String,
    },
    /// The request could not be signed (the signer refused the credentials or the endpoint).
    Signing {
        operation: &'static str,
        detail: String,
    },
    /// No answer.
    Transport {
        operation: &'static str,
        url: String,
        error: HttpError,
    },
    /// A redirect, which is never followed: the endpoint is not an STS/IAM endpoint.
    Redirect {
        operation: &'static str,
        url: String,
        status: u16,
    },
    /// An answer we cannot read.
    BadResponse {
        operation: &'static str,
        detail: String,
    },
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AwsError::Service {
                operation,
                code,
                message,
                ..
            } if message.is_empty() => {
                write!(f, "{operation} failed: {code}")
            }
            AwsError::Service {
                operation,
                code,
                message,
                ..
            } => {
                write!(f, "{operation} failed: {code}: {message}")
            }
            AwsError::Transport {
                operation,
                url,
                error,
            } => {
                write!(f, "{operation} failed: {url}: {error}")
            }
            AwsError::Redirect {
                operation,
                url,
                status,
            } => write!(
                f,
                "{operation} failed: {url} answered with a redirect (HTTP {status}), which is not followed: check the endpoint URL"
            ),
            AwsError::Signing { operation, detail } => {
                write!(f, "{operation} failed: cannot sign the request: {detail}")
            }
            AwsError::BadResponse { operation, detail } => {
                write!(f, "{operation} failed: unreadable answer: {detail}")
            }
        }
    }
}

impl std::error::Error for AwsError {}

/// Percent-encodes as botocore does for Query bodies: `A-Za-z0-9_.-~` raw, space as `+`,
/// every other byte `%XX` upper-case. (The emulator recomputes the payload hash over its own
/// re-encoding, so any other choice fails its signature check; AWS accepts this form too.)
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The form body: `Action=…&Version=…` then the parameters.
pub fn form(request: &Request<'_>) -> String {
    let mut body = format!("Action={}&Version={}", request.action, request.version);
    for (name, value) in &request.params {
        body.push('&');
        body.push_str(&encode(name));
        body.push('=');
        body.push_str(&encode(value));
    }
    body
}

/// Signs the request: the headers to send (content type, date, authorization, token).
fn signed_headers(
    endpoint: &Endpoint,
    service: &'static str,
    credentials: &Credentials,
    body: &str,
) -> Result<Vec<(String, String)>, String> {
    let identity = aws_credential_types::Credentials::new(
        &credentials.access_key_id,
        credentials.secret_access_key.expose(),
        credentials
            .session_token
            .as_ref()
            .map(|t| t.expose().to_string()),
        None,
        "aws-runas",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&endpoint.signing_region)
        .name(service)
        .time(time::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        "POST",
        endpoint.url.as_str(),
        [("content-type", CONTENT_TYPE)].into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (headers, _) = instructions.into_parts();
    let mut out = vec![("Content-Type".to_string(), CONTENT_TYPE.to_string())];
    out.extend(
        headers
            .into_iter()
            .map(|h| (h.name().to_string(), h.value().to_string())),
    );
    Ok(out)
}

/// Whether an answer deserves the one retry.
fn retryable(response: &Response, doc: Option<&Doc>) -> bool {
    if response.status >= 500 {
        return true;
    }
    let code = doc.and_then(|d| d.first("Code")).unwrap_or_default();
    matches!(
        code,
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException"
    )
}

/// A call's answer: its document, and the server's `Date` header (for the clock check).
#[derive(Debug)]
pub struct Answer {
    pub doc: Doc,
    pub date: Option<String>,
}

/// Makes the call and returns the parsed answer and the `Date` header.
pub fn call(
    agent: &Agent,
    endpoint: &Endpoint,
    credentials: &Credentials,
    request: &Request<'_>,
) -> Result<Answer, AwsError> {
    send(agent, endpoint, Some(credentials), request)
}

/// Makes an unsigned call: the few operations AWS takes without a signature, their parameters
/// being the proof (AssumeRoleWithWebIdentity).
pub fn call_unsigned(
    agent: &Agent,
    endpoint: &Endpoint,
    request: &Request<'_>,
) -> Result<Answer, AwsError> {
    send(agent, endpoint, None, request)
}

fn send(
    agent: &Agent,
    endpoint: &Endpoint,
    credentials: Option<&Credentials>,
    request: &Request<'_>,
) -> Result<Answer, AwsError> {
    let body = form(request);
    match once(agent, endpoint, credentials, request, &body) {
        Err(Failed::Retryable(_)) => {
            thread::sleep(RETRY_BACKOFF);
            once(agent, endpoint, credentials, request, &body).map_err(Failed::into_error)
        }
        result => result.map_err(Failed::into_error),
    }
}

/// Why a try of a call failed: worth one more try (no connection, a dropped one, throttling or
/// a server error), or not.
enum Failed {
    Retryable(AwsError),
    Final(AwsError),
}

impl Failed {
    fn into_error(self) -> AwsError {
        match self {
            Failed::Retryable(e) | Failed::Final(e) => e,
        }
    }
}

/// A call that got no answer: worth one more try when there was no connection, or it dropped.
fn transport(operation: &'static str, endpoint: &Endpoint, error: HttpError) -> Failed {
    debug!("POST {} {operation}: {error}", endpoint.url);
    let retryable = matches!(error, HttpError::Connect(_) | HttpError::Dropped(_));
    let url = endpoint.url.clone();
    let e = AwsError::Transport {
        operation,
        url,
        error,
    };
    if retryable {
        Failed::Retryable(e)
    } else {
        Failed::Final(e)
    }
}

/// One try of a call: signed (or not), posted, its answer read.
fn once(
    agent: &Agent,
    endpoint: &Endpoint,
    credentials: Option<&Credentials>,
    request: &Request<'_>,
    body: &str,
) -> Result<Answer, Failed> {
    let operation = request.action;
    let headers = match credentials {
        Some(c) => signed_headers(endpoint, request.service, c, body)
            .map_err(|detail| Failed::Final(AwsError::Signing { operation, detail }))?,
        None => vec![("Content-Type".to_string(), CONTENT_TYPE.to_string())],
    };
    let response = agent
        .post(&endpoint.url, &headers, body)
        .map_err(|error| transport(operation, endpoint, error))?;
    debug!(
        "POST {} {operation} (key {}) -> {} in {} ms",
        endpoint.url,
        credentials.map_or("none, unsigned", |c| c.access_key_id.as_str()),
        response.status,
        response.elapsed.as_millis()
    );
    if (300..400).contains(&response.status) {
        return Err(Failed::Final(AwsError::Redirect {
            operation,
            url: endpoint.url.clone(),
            status: response.status,
        }));
    }
    let doc = xml::parse(&response.body);
    if response.status >= 400 {
        let retry = retryable(&response, doc.as_ref().ok());
        let e = service_error(operation, &response, doc.ok());
        return Err(if retry {
            Failed::Retryable(e)
        } else {
            Failed::Final(e)
        });
    }
    doc.map(|doc| Answer {
        doc,
        date: response.date,
    })
    .map_err(|detail| Failed::Final(AwsError::BadResponse { operation, detail }))
}

/// The error of a refused call: the first `Code` and `Message` in the answer, wherever they are.
pub(crate) fn service_error(
    operation: &'static str,
    response: &Response,
    doc: Option<Doc>,
) -> AwsError {
    match doc.as_ref().and_then(|d| d.first("Code")) {
        Some(code) => AwsError::Service {
            operation,
            code: code.to_string(),
            message: doc
                .as_ref()
                .and_then(|d| d.first("Message"))
                .unwrap_or_default()
                .to_string(),
        },
        None => AwsError::BadResponse {
            operation,
            detail: format!("HTTP {} without an error code", response.status),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_botocore() {
        assert_eq!(encode("abc-_.~XYZ019"), "abc-_.~XYZ019");
        assert_eq!(encode("a b"), "a+b");
        assert_eq!(
            encode("arn:aws:iam::1:role/x"),
            "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx"
        );
        assert_eq!(encode("it's+=,@é"), "it%27s%2B%3D%2C%40%C3%A9");
    }

    #[test]
    fn form_order() {
        let r = Request {
            service: "sts",
            version: "2011-06-15",
            action: "AssumeRole",
            params: vec![
                ("RoleArn", "arn:aws:iam::1:role/x"),
                ("RoleSessionName", "a b"),
            ],
        };
        assert_eq!(
            form(&r),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx&RoleSessionName=a+b"
        );
    }

    #[test]
    fn errors_read_either_shape() {
        let resp = |body: &str| Response {
            status: 403,
            body: body.into(),
            date: None,
            location: None,
            elapsed: Duration::ZERO,
        };
        for body in [
            include_str!("../../fixtures/error_response.xml"),
            include_str!("../../fixtures/error_errors.xml"),
        ] {
            let r = resp(body);
            let e = service_error("AssumeRole", &r, xml::parse(body).ok());
            assert!(e.to_string().starts_with("AssumeRole failed: "), "{e}");
            assert!(matches!(e, AwsError::Service { .. }));
        }
        let r = resp("<html>bad gateway</html>");
        let e = service_error("AssumeRole", &r, xml::parse(&r.body).ok());
        assert_eq!(
            e.to_string(),
            "AssumeRole failed: unreadable answer: HTTP 403 without an error code"
        );
    }

    #[test]
    fn signs_with_token_and_date() {
        let endpoint = Endpoint {
            url: "http://127.0.0.1:4566/".into(),
            signing_region: "us-east-1".into(),
        };
        let creds = Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: crate::credentials::Secret::new("secret"),
            session_token: Some(crate::credentials::Secret::new("token")),
            expiration: None,
        };
        let headers = signed_headers(
            &endpoint,
            "sts",
            &creds,
            "Action=GetCallerIdentity&Version=2011-06-15",
        )
        .unwrap();
        let names: Vec<String> = headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        for want in [
            "content-type",
            "x-amz-date",
            "authorization",
            "x-amz-security-token",
        ] {
            assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
        }
        let auth = &headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .unwrap()
            .1;
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/"),
            "{auth}"
        );
        assert!(auth.contains("/us-east-1/sts/aws4_request"), "{auth}");
        assert!(
            auth.contains("content-type;host;x-amz-date;x-amz-security-token"),
            "{auth}"
        );
    }

    #[test]
    fn a_request_that_cannot_be_signed_says_so() {
        let endpoint = Endpoint {
            url: "http://bad host/".into(),
            signing_region: "us-east-1".into(),
        };
        let creds = Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: crate::credentials::Secret::new("secret"),
            session_token: None,
            expiration: None,
        };
        let request = Request {
            service: "sts",
            version: "2011-06-15",
            action: "GetCallerIdentity",
            params: vec![],
        };
        // Signing comes before any connection, so nothing is sent.
        let e = call(&Agent::new(), &endpoint, &creds, &request).unwrap_err();
        assert!(matches!(e, AwsError::Signing { .. }), "{e:?}");
        let message = e.to_string();
        assert!(
            message.starts_with("GetCallerIdentity failed: cannot sign the request: "),
            "{message}"
        );
        assert!(!message.contains("secret"), "{message}");
    }

    /// A loopback server that answers each connection in turn with the next of `replies`.
    fn serve(replies: Vec<&'static [u8]>) -> (Endpoint, std::thread::JoinHandle<usize>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = Endpoint {
            url: format!("http://{}/", listener.local_addr().unwrap()),
            signing_region: "us-east-1".into(),
        };
        let server = std::thread::spawn(move || {
            let mut served = 0;
            for reply in replies {
                let (mut c, _) = listener.accept().unwrap();
                let mut buf = [0u8; 8192];
                let _ = c.read(&mut buf);
                let _ = c.write_all(reply);
                served += 1;
            }
            served
        });
        (endpoint, server)
    }

    fn keys() -> Credentials {
        Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: crate::credentials::Secret::new("secret"),
            session_token: None,
            expiration: None,
        }
    }

    fn identity_request() -> Request<'static> {
        Request {
            service: "sts",
            version: "2011-06-15",
            action: "GetCallerIdentity",
            params: vec![],
        }
    }

    #[test]
    fn a_connection_dropped_mid_answer_is_retried_once() {
        let body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>";
        let full: &'static [u8] = Box::leak(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
            .into_boxed_slice(),
        );
        let (endpoint, server) = serve(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<GetCallerIdentityResp",
            full,
        ]);
        let doc = call(&Agent::new(), &endpoint, &keys(), &identity_request())
            .unwrap()
            .doc;
        assert_eq!(
            doc.first("Arn"),
            Some("arn:aws:iam::123456789012:user/alice")
        );
        assert_eq!(server.join().unwrap(), 2);
    }

    #[test]
    fn a_redirect_is_an_error_naming_the_status_and_endpoint() {
        let (endpoint, server) = serve(vec![
            b"HTTP/1.1 301 Moved Permanently\r\nLocation: http://attacker.example/\r\nContent-Length: 0\r\n\r\n",
        ]);
        let e = call(&Agent::new(), &endpoint, &keys(), &identity_request()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "GetCallerIdentity failed: {} answered with a redirect (HTTP 301), which is not followed: check the endpoint URL",
                endpoint.url
            )
        );
        assert_eq!(server.join().unwrap(), 1);
    }
}
