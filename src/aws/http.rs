//! The run's one HTTP agent (ureq), so each endpoint keeps one keep-alive connection for the
//! whole run. Timeouts are set; HTTP error statuses are answers, not errors, because STS and IAM
//! explain their refusals in the body.
//!
//! Proxies: ureq reads `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` itself, the one place
//! where the environment is read outside `Env` (the rules are ureq's, the same as curl's).

use std::fmt;
use std::time::{Duration, Instant};

/// Connect timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Whole-request timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP answer, whatever its status.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
    /// The `Date` header, if any.
    pub date: Option<String>,
    pub elapsed: Duration,
}

/// No answer at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The connection could not be made (refused, unreachable, DNS); worth one retry.
    Connect(String),
    Timeout,
    /// Anything else (protocol error, unreadable body).
    Other(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Connect(d) => write!(f, "cannot connect: {d}"),
            HttpError::Timeout => write!(f, "no answer within {}s", REQUEST_TIMEOUT.as_secs()),
            HttpError::Other(d) => f.write_str(d),
        }
    }
}

impl std::error::Error for HttpError {}

/// The HTTP agent; create one per run and pass it by reference.
pub struct Agent {
    inner: ureq::Agent,
}

impl Default for Agent {
    fn default() -> Self {
        Agent::new()
    }
}

impl Agent {
    pub fn new() -> Agent {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .user_agent(concat!("aws-runas/", env!("CARGO_PKG_VERSION")))
            .build();
        Agent {
            inner: ureq::Agent::new_with_config(config),
        }
    }

    /// POSTs `body` to `url` with `headers`.
    pub fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<Response, HttpError> {
        let started = Instant::now();
        let mut request = self.inner.post(url);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut response = request.send(body).map_err(convert)?;
        let status = response.status().as_u16();
        let date = response
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.body_mut().read_to_string().map_err(convert)?;
        Ok(Response {
            status,
            body,
            date,
            elapsed: started.elapsed(),
        })
    }
}

fn convert(e: ureq::Error) -> HttpError {
    match e {
        ureq::Error::Timeout(_) => HttpError::Timeout,
        ureq::Error::HostNotFound => HttpError::Connect("host not found".into()),
        ureq::Error::ConnectionFailed => HttpError::Connect("connection failed".into()),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut => HttpError::Timeout,
            std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::NotConnected
            | std::io::ErrorKind::AddrNotAvailable
            | std::io::ErrorKind::HostUnreachable
            | std::io::ErrorKind::NetworkUnreachable => HttpError::Connect(io.to_string()),
            _ => HttpError::Other(io.to_string()),
        },
        other => HttpError::Other(other.to_string()),
    }
}
