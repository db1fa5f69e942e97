//! The run's one HTTP agent (ureq), so each endpoint keeps one keep-alive connection for the
//! whole run. Timeouts are set; HTTP error statuses are answers, not errors, because STS and IAM
//! explain their refusals in the body. Redirects are never followed (as botocore does not for
//! STS): a redirected POST would go elsewhere as a GET carrying the session token. Bodies are
//! read up to [`MAX_BODY`] bytes.
//!
//! Proxies: ureq reads `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` itself, the one place
//! where the environment is read outside `Env` (the rules are ureq's, the same as curl's).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Connect timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Whole-request timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer read: more than any STS or IAM answer.
pub const MAX_BODY: u64 = 1024 * 1024;

/// An HTTP answer, whatever its status.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
    /// The `Date` header, if any.
    pub date: Option<String>,
    /// The `Location` header, if any (redirects are answers, never followed).
    pub location: Option<String>,
    pub elapsed: Duration,
}

/// No answer at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The connection could not be made (refused, unreachable, DNS); worth one retry.
    Connect(String),
    /// The connection was dropped before the whole answer came (reset, closed early); worth one
    /// retry.
    Dropped(String),
    Timeout,
    /// The server's certificate was refused (a TLS-inspecting proxy, a private CA).
    Certificate(String),
    /// The configured CA bundle cannot be used.
    CaBundle(String),
    /// The proxy (`host:port`) could not be reached, or refused to connect us on.
    Proxy {
        proxy: String,
        detail: String,
    },
    /// Anything else (protocol error, unreadable body).
    Other(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Connect(d) => write!(f, "cannot connect: {d}"),
            HttpError::Dropped(d) => write!(f, "the connection was dropped: {d}"),
            HttpError::Timeout => write!(f, "no answer within {}s", REQUEST_TIMEOUT.as_secs()),
            HttpError::CaBundle(d) => f.write_str(d),
            HttpError::Proxy { proxy, detail } => write!(
                f,
                "through the proxy {proxy} (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY): {detail}"
            ),
            HttpError::Certificate(d) => write!(
                f,
                "the server's certificate is not trusted ({d}): if a proxy or a private CA signs it, set AWS_CA_BUNDLE or ca_bundle to that CA's PEM bundle"
            ),
            HttpError::Other(d) => f.write_str(d),
        }
    }
}

impl std::error::Error for HttpError {}

/// A CA bundle that cannot be used: the file, where it was configured, and why.
#[derive(Debug)]
struct CaBundleError {
    path: String,
    origin: String,
    reason: String,
}

impl fmt::Display for CaBundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot use the CA bundle {} (from {}): {}",
            self.path, self.origin, self.reason
        )
    }
}

impl std::error::Error for CaBundleError {}

/// Which roots an agent trusts.
#[derive(Debug, Clone)]
enum Roots {
    /// The bundled (Mozilla) roots.
    Bundled,
    /// Only the certificates of this PEM file, set by `origin`.
    Bundle { path: PathBuf, origin: String },
}

/// The HTTP agent; create one per run and pass it by reference. The underlying agent (and a CA
/// bundle's reading and parsing, which costs more than a whole cached run) is made on the first
/// request, so a run that needs no request pays nothing for it.
pub struct Agent {
    roots: Roots,
    inner: OnceLock<Result<ureq::Agent, String>>,
}

impl Default for Agent {
    fn default() -> Self {
        Agent::new()
    }
}

impl Agent {
    /// An agent that trusts the bundled (Mozilla) roots.
    pub fn new() -> Agent {
        Agent {
            roots: Roots::Bundled,
            inner: OnceLock::new(),
        }
    }

    /// An agent that trusts only the certificates of the PEM bundle at `path` (as the AWS CLI
    /// does with `AWS_CA_BUNDLE`: the bundle replaces the built-in roots); `origin` says where
    /// it was set, for the error when it cannot be used.
    pub fn with_ca_bundle(path: PathBuf, origin: String) -> Agent {
        Agent {
            roots: Roots::Bundle { path, origin },
            inner: OnceLock::new(),
        }
    }

    /// The underlying agent, made on first use.
    fn inner(&self) -> Result<&ureq::Agent, HttpError> {
        self.inner
            .get_or_init(|| build(&self.roots))
            .as_ref()
            .map_err(|e| HttpError::CaBundle(e.clone()))
    }

    /// POSTs `body` to `url` with `headers`.
    pub fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<Response, HttpError> {
        self.send("POST", url, headers, Some(body))
    }

    /// GETs `url` with `headers`.
    pub fn get(&self, url: &str, headers: &[(String, String)]) -> Result<Response, HttpError> {
        self.send("GET", url, headers, None)
    }

    /// HEADs `url` (the update check reads the release page's redirect).
    pub fn head(&self, url: &str) -> Result<Response, HttpError> {
        self.send("HEAD", url, &[], None)
    }

    /// PUTs an empty body to `url` with `headers` (the instance-metadata token).
    pub fn put(&self, url: &str, headers: &[(String, String)]) -> Result<Response, HttpError> {
        self.send("PUT", url, headers, Some(""))
    }

    fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Response, HttpError> {
        let started = Instant::now();
        let agent = self.inner()?;
        let result = match (method, body) {
            ("HEAD", _) => agent.head(url).call(),
            ("GET", _) => {
                let mut request = agent.get(url);
                for (name, value) in headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                request.call()
            }
            (_, body) => {
                let mut request = if method == "PUT" {
                    agent.put(url)
                } else {
                    agent.post(url)
                };
                for (name, value) in headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                request.send(body.unwrap_or_default())
            }
        };
        let mut response = result.map_err(|e| through_proxy(url, convert(e)))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (date, location) = (header("date"), header("location"));
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(convert)?;
        Ok(Response {
            status,
            body,
            date,
            location,
            elapsed: started.elapsed(),
        })
    }
}

/// `error`, naming the proxy when one (from the environment, as ureq reads it) stood between us
/// and `url` and the connection failed there: the fix is then the proxy's, not the endpoint's.
fn through_proxy(url: &str, error: HttpError) -> HttpError {
    let detail = match &error {
        HttpError::Connect(d) => format!("cannot connect: {d}"),
        HttpError::Other(d) if d.contains("CONNECT proxy failed") => {
            format!("it refused to connect us on ({d})")
        }
        _ => return error,
    };
    let Some(proxy) = ureq::Proxy::try_from_env() else {
        return error;
    };
    let applies = url
        .parse::<ureq::http::Uri>()
        .is_ok_and(|uri| !proxy.is_no_proxy(&uri));
    if !applies {
        return error;
    }
    // host:port only: a proxy URL may carry a password.
    let proxy = format!("{}:{}", proxy.host(), proxy.port());
    HttpError::Proxy { proxy, detail }
}

/// Makes the ureq agent: timeouts, no redirects, statuses as answers, the roots.
fn build(roots: &Roots) -> Result<ureq::Agent, String> {
    let roots = match roots {
        Roots::Bundled => ureq::tls::RootCerts::WebPki,
        Roots::Bundle { path, origin } => bundle(path).map_err(|reason| {
            CaBundleError {
                path: path.display().to_string(),
                origin: origin.clone(),
                reason,
            }
            .to_string()
        })?,
    };
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(roots)
        .unversioned_rustls_crypto_provider(super::tls::provider())
        .build();
    let config = ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(REQUEST_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .tls_config(tls)
        .user_agent(concat!("aws-runas/", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(ureq::Agent::new_with_config(config))
}

/// The certificates of the PEM bundle at `path`; an empty or non-PEM file is an error, not
/// "trust nothing".
fn bundle(path: &Path) -> Result<ureq::tls::RootCerts, String> {
    let pem = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let ureq::tls::PemItem::Certificate(c) = item.map_err(|e| e.to_string())? {
            certs.push(c);
        }
    }
    if certs.is_empty() {
        return Err("no PEM certificate in it".into());
    }
    Ok(ureq::tls::RootCerts::new_with_certs(&certs))
}

/// What a name lookup lacks in a bare container: the files the C library resolves names with.
/// `None` when both are there.
fn resolver_hint(hosts: &Path, resolv: &Path) -> Option<String> {
    let missing: Vec<String> = [hosts, resolv]
        .iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "there is no {}: an image built FROM scratch needs /etc/hosts (for localhost) and /etc/resolv.conf (for DNS)",
            missing.join(" and no ")
        )
    })
}

/// A failed name lookup, with what is missing to make one when that is the cause.
fn not_found(detail: &str) -> HttpError {
    match resolver_hint(Path::new("/etc/hosts"), Path::new("/etc/resolv.conf")) {
        Some(hint) => HttpError::Connect(format!("{detail} ({hint})")),
        None => HttpError::Connect(detail.to_string()),
    }
}

fn convert(e: ureq::Error) -> HttpError {
    let text = e.to_string();
    if text.contains("certificate") {
        return HttpError::Certificate(text);
    }
    if text.contains("name resolution") || text.contains("failed to lookup address") {
        return not_found(&text);
    }
    match e {
        ureq::Error::Timeout(_) => HttpError::Timeout,
        ureq::Error::HostNotFound => not_found("host not found"),
        ureq::Error::ConnectionFailed => HttpError::Connect("connection failed".into()),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut => HttpError::Timeout,
            std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::NotConnected
            | std::io::ErrorKind::AddrNotAvailable
            | std::io::ErrorKind::HostUnreachable
            | std::io::ErrorKind::NetworkUnreachable => HttpError::Connect(io.to_string()),
            // The server (or something between) dropped the connection mid-answer.
            std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::UnexpectedEof => HttpError::Dropped(io.to_string()),
            _ => HttpError::Other(io.to_string()),
        },
        other => HttpError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// Serves one connection on loopback with `reply` after reading the request; returns the
    /// URL and the server thread.
    fn one_reply(reply: &'static [u8]) -> (String, std::thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut c, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            let _ = c.write_all(reply);
        });
        (url, server)
    }

    #[test]
    fn a_connection_dropped_mid_answer_is_told_apart() {
        for reply in [
            &b""[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc",
        ] {
            let (url, server) = one_reply(reply);
            let e = Agent::new().post(&url, &[], "x").unwrap_err();
            assert!(matches!(e, HttpError::Dropped(_)), "{e:?}");
            server.join().unwrap();
        }
    }

    #[test]
    fn redirects_are_answers_not_followed() {
        let (url, server) = one_reply(
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n",
        );
        let r = Agent::new().post(&url, &[], "x").unwrap();
        assert_eq!(r.status, 302);
        server.join().unwrap();
    }

    #[test]
    fn bodies_are_bounded() {
        static BIG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let big = BIG.get_or_init(|| {
            let n = MAX_BODY as usize + 10;
            let mut v = format!("HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n\r\n").into_bytes();
            v.resize(v.len() + n, b'a');
            v
        });
        let (url, server) = one_reply(big);
        assert!(Agent::new().post(&url, &[], "x").is_err());
        server.join().unwrap();
    }

    #[test]
    fn a_bare_container_is_told_what_it_lacks() {
        let dir = std::env::temp_dir().join(format!("aws-runas-resolv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (hosts, resolv) = (dir.join("hosts"), dir.join("resolv.conf"));
        let hint = resolver_hint(&hosts, &resolv).unwrap();
        assert!(
            hint.contains("hosts and no ") && hint.contains("FROM scratch"),
            "{hint}"
        );
        std::fs::write(&hosts, "127.0.0.1 localhost\n").unwrap();
        std::fs::write(&resolv, "nameserver 127.0.0.53\n").unwrap();
        assert_eq!(resolver_hint(&hosts, &resolv), None);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
