//! The endpoints' HTTP server (tiny_http, its one owner here): bound to loopback only, every
//! request's `Host` checked (a page the user visits cannot reach us through DNS rebinding), one
//! access-log line per request, and a handler that sees a plain [`Request`] and returns a
//! [`Reply`]. Served by a few worker threads until the process is told to stop.

use std::fmt;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread;

use crate::time;

/// The instance-metadata service's own address, which SDKs know without configuration.
pub const METADATA_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);

/// How many threads answer requests (each answer is a copy of prepared bytes).
const WORKERS: usize = 4;

/// A request, as the handlers see it.
pub struct Request {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    /// The body, up to [`MAX_BODY`] bytes (the console's JSON calls are tiny).
    pub body: Vec<u8>,
}

/// The most of a request body read.
const MAX_BODY: u64 = 16 * 1024;

impl Request {
    /// The value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: "text/plain",
            body: body.into().into_bytes(),
            headers: Vec::new(),
        }
    }

    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// A JSON `{"error": ...}` answer.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, super::json::error(message))
    }
}

/// Why the server cannot start.
#[derive(Debug)]
pub enum ServerError {
    /// The address is not loopback (nor the metadata address, where that is allowed).
    NotLoopback {
        variable: &'static str,
        addr: String,
    },
    BadAddress {
        variable: &'static str,
        addr: String,
    },
    Bind {
        addr: String,
        detail: String,
    },
    /// No random bytes for the secrets.
    Random(std::io::Error),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::NotLoopback { variable, addr } => write!(
                f,
                "{variable}={addr} is not a loopback address: the credentials endpoint listens on 127.0.0.1 (or ::1) only, so nothing else can take the credentials"
            ),
            ServerError::BadAddress { variable, addr } => {
                write!(f, "{variable}={addr} is not an address:port (e.g. 127.0.0.1:12319)")
            }
            ServerError::Bind { addr, detail } => write!(f, "cannot listen on {addr}: {detail}"),
            ServerError::Random(e) => write!(f, "cannot make the endpoint's secrets: {e}"),
        }
    }
}

impl std::error::Error for ServerError {}

/// Parses a listening address from `variable` (or `default`), refusing anything but loopback
/// and, when `metadata` allows it, 169.254.169.254.
pub fn listen_addr(
    variable: &'static str,
    value: Option<&str>,
    default: &str,
    metadata: bool,
) -> Result<SocketAddr, ServerError> {
    let text = value.unwrap_or(default);
    let addr: SocketAddr = text.parse().map_err(|_| ServerError::BadAddress {
        variable,
        addr: text.to_string(),
    })?;
    let allowed = addr.ip().is_loopback() || (metadata && addr.ip() == IpAddr::V4(METADATA_ADDR));
    if !allowed {
        return Err(ServerError::NotLoopback {
            variable,
            addr: text.to_string(),
        });
    }
    Ok(addr)
}

/// Whether a `Host` header names this machine: a loopback address or `localhost` (any port), or
/// the metadata address. A browser sends the name it resolved, so a rebinding page is refused.
pub fn host_allowed(host: Option<&str>) -> bool {
    let Some(host) = host else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    name.parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback() || ip == IpAddr::V4(METADATA_ADDR))
}

/// Compares secrets without leaking, through timing, how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A bound server.
pub struct Server {
    inner: Arc<tiny_http::Server>,
    pub addr: SocketAddr,
}

impl Server {
    pub fn bind(addr: SocketAddr) -> Result<Server, ServerError> {
        let inner = tiny_http::Server::http(addr).map_err(|e| ServerError::Bind {
            addr: addr.to_string(),
            detail: e.to_string(),
        })?;
        let addr = inner.server_addr().to_ip().unwrap_or(addr);
        Ok(Server {
            inner: Arc::new(inner),
            addr,
        })
    }

    /// Answers requests with `handler` on worker threads, in the background; `redact` maps a
    /// path to what the access log shows. Returns at once.
    pub fn start<H>(&self, handler: H)
    where
        H: Fn(&Request) -> (Reply, String) + Send + Sync + 'static,
    {
        let handler = Arc::new(handler);
        for _ in 0..WORKERS {
            let inner = Arc::clone(&self.inner);
            let handler = Arc::clone(&handler);
            thread::spawn(move || {
                while let Ok(request) = inner.recv() {
                    answer(request, handler.as_ref());
                }
            });
        }
    }
}

/// Answers one request: the Host check, the handler, the access-log line.
fn answer(mut request: tiny_http::Request, handler: &(dyn Fn(&Request) -> (Reply, String) + Sync)) {
    let path = request
        .url()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let ours = Request {
        method: request.method().as_str().to_ascii_uppercase(),
        path,
        headers: request
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_ascii_lowercase(),
                    h.value.as_str().to_string(),
                )
            })
            .collect(),
        body: Vec::new(),
    };
    let mut ours = ours;
    let reader = request.as_reader();
    let _ = std::io::Read::read_to_end(&mut std::io::Read::take(reader, MAX_BODY), &mut ours.body);
    let (reply, logged_path) = if host_allowed(ours.header("host")) {
        handler(&ours)
    } else {
        (
            Reply::error(
                403,
                "this endpoint answers only requests for a loopback host",
            ),
            ours.path.clone(),
        )
    };
    let (status, bytes) = (reply.status, reply.body.len());
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    let content_type = ("Content-Type", reply.content_type.to_string());
    for (name, value) in std::iter::once(content_type).chain(reply.headers) {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
    let line = format!(
        "{} {} {} {status} {bytes}\n",
        time::rfc3339::format(time::unix_now()),
        ours.method,
        crate::log::escape(&logged_path)
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_in_constant_time() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn hosts() {
        for ok in [
            "127.0.0.1:12319",
            "127.0.0.1",
            "localhost:80",
            "LOCALHOST",
            "[::1]:9",
            "169.254.169.254",
            "127.1.2.3:1",
        ] {
            assert!(host_allowed(Some(ok)), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:12319",
            "127.0.0.1.evil.example",
            "10.0.0.1:80",
            "",
            "[::2]:1",
        ] {
            assert!(!host_allowed(Some(bad)), "{bad}");
        }
        assert!(!host_allowed(None));
    }

    #[test]
    fn listen_addresses() {
        let v = "AWS_RUNAS_EC2_ADDR";
        assert!(listen_addr(v, None, "127.0.0.1:12319", true).is_ok());
        assert!(listen_addr(v, Some("[::1]:0"), "x", true).is_ok());
        assert!(listen_addr(v, Some("169.254.169.254:80"), "x", true).is_ok());
        assert!(matches!(
            listen_addr(v, Some("169.254.169.254:80"), "x", false),
            Err(ServerError::NotLoopback { .. })
        ));
        assert!(matches!(
            listen_addr(v, Some("0.0.0.0:12319"), "x", true),
            Err(ServerError::NotLoopback { .. })
        ));
        assert!(matches!(
            listen_addr(v, Some("localhost"), "x", true),
            Err(ServerError::BadAddress { .. })
        ));
    }
}
