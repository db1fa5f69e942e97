//! The endpoints' HTTP server (tiny_http, its one owner here): bound to loopback only, every
//! request's `Host` checked (a page the user visits cannot reach us through DNS rebinding), one
//! access-log line per request, and a handler that sees a plain [`Request`] and returns a
//! [`Reply`]. Served by a few worker threads until the process is told to stop.
//!
//! Any local process can reach it, so what one client may hold is bounded ([`LIMITS`], enforced
//! inside our patched tiny_http, vendor/tiny_http/PATCHES.md): heads and bodies are read whole,
//! under deadlines, by each connection's own thread before a worker sees them; a client that
//! does not read its answers loses its connection after a few seconds; a refusal (413, 431)
//! reaches a client still sending its request (the connection lingers, 1 s or 1 MiB at most,
//! before it closes); connections are capped (idle ones closed first) and the listener
//! outlives running out of file descriptors.

use std::fmt;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::time;

/// The instance-metadata service's own address, which SDKs know without configuration.
pub const METADATA_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);

/// How many threads answer requests (each answer is a copy of prepared bytes). A client that
/// does not read its answers can hold one of them for [`WRITE_TIMEOUT`].
const WORKERS: usize = 8;

/// The most of a request head (request line and headers); more is answered 431.
const MAX_HEAD: usize = 16 * 1024;
/// The most of a request body (the console's JSON calls are tiny); more is answered 413.
const MAX_BODY: usize = 16 * 1024;
/// How long a write may wait for a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(3);
/// The most connections at once, whatever the descriptor limit allows.
const MAX_CONNECTIONS: usize = 1024;
/// Descriptors kept for everything else (the cache, the terminal, the HTTP agent, a command).
const RESERVED_FDS: u64 = 64;

/// A request, as the handlers see it.
pub struct Request {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    /// The body, at most [`MAX_BODY`] bytes, only ever on a POST.
    pub body: Vec<u8>,
}

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

/// Compares secrets without leaking, through timing, how much of a guess was right (the length
/// of ours is no secret: every token is the same length).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.ct_eq(b).into()
}

/// A bound server.
pub struct Server {
    inner: Arc<tiny_http::Server>,
    pub addr: SocketAddr,
}

impl Server {
    /// Binds `addr`, after raising the soft descriptor limit to the hard one, which sets how
    /// many connections are served at once.
    pub fn bind(addr: SocketAddr) -> Result<Server, ServerError> {
        let bind_error = |e: &dyn fmt::Display| ServerError::Bind {
            addr: addr.to_string(),
            detail: e.to_string(),
        };
        let fds = crate::os::raise_fd_limit();
        let listener = TcpListener::bind(addr).map_err(|e| bind_error(&e))?;
        let addr = listener.local_addr().unwrap_or(addr);
        let limits = tiny_http::Limits {
            max_connections: Some(connection_cap(fds)),
            max_head: Some(MAX_HEAD),
            max_body: Some(MAX_BODY),
            idle_timeout: Some(Duration::from_secs(10)),
            request_timeout: Some(Duration::from_secs(5)),
            write_timeout: Some(WRITE_TIMEOUT),
        };
        let inner = tiny_http::Server::from_listener_with_limits(listener, None, limits)
            .map_err(|e| bind_error(&e))?;
        Ok(Server {
            inner: Arc::new(inner),
            addr,
        })
    }

    /// Answers requests with `handler` on worker threads, in the background; the access log
    /// shows a request's path, or `/<credentials>` for a target that `hidden` says holds a
    /// secret (whatever the answer, the Host check's refusals included). Returns at once.
    pub fn start<H, S>(&self, handler: H, hidden: S)
    where
        H: Fn(&Request) -> Reply + Send + Sync + 'static,
        S: Fn(&str) -> bool + Send + Sync + 'static,
    {
        let serve = Arc::new((handler, hidden));
        for _ in 0..WORKERS {
            let inner = Arc::clone(&self.inner);
            let serve = Arc::clone(&serve);
            thread::spawn(move || loop {
                // recv fails only when the server is unblocked, which we never do.
                if let Ok(request) = inner.recv() {
                    answer(request, &serve.0, &serve.1);
                }
            });
        }
    }
}

/// How many connections to serve at once with `fds` descriptors.
fn connection_cap(fds: u64) -> usize {
    let usable = fds.saturating_sub(RESERVED_FDS).max(16);
    usize::try_from(usable).map_or(MAX_CONNECTIONS, |n| n.min(MAX_CONNECTIONS))
}

/// The access-log line of a request (`logged`: its path, or what stands for a secret one).
fn log_request(method: &str, logged: &str, status: u16, bytes: usize) {
    let line = format!(
        "{} {method} {} {status} {bytes}\n",
        time::rfc3339::format(time::unix_now()),
        crate::log::escape(logged)
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Our view of `request` (whose target is `target`): method, path, headers, the body.
fn ours(request: &mut tiny_http::Request, target: &str) -> Request {
    let path = target.split('?').next().unwrap_or_default().to_string();
    let mut ours = Request {
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
    // The body is in memory already (read whole by the connection, at most MAX_BODY).
    let _ = std::io::Read::read_to_end(request.as_reader(), &mut ours.body);
    ours
}

/// Answers one request: the Host check, the handler, the access-log line.
fn answer(
    mut request: tiny_http::Request,
    handler: &(dyn Fn(&Request) -> Reply + Sync),
    hidden: &(dyn Fn(&str) -> bool + Sync),
) {
    let target = request.url().to_string();
    let ours = ours(&mut request, &target);
    let reply = if !host_allowed(ours.header("host")) {
        Reply::error(
            403,
            "this endpoint answers only requests for a loopback host",
        )
    } else if !ours.body.is_empty() && ours.method != "POST" {
        Reply::error(413, "only the console's POST calls take a body")
    } else {
        handler(&ours)
    };
    let (status, bytes) = (reply.status, reply.body.len());
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    let fixed = [
        ("Content-Type", reply.content_type.to_string()),
        // No answer of ours is to be read as another type than it says.
        ("X-Content-Type-Options", "nosniff".to_string()),
    ];
    for (name, value) in fixed.into_iter().chain(reply.headers) {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    // Logged before the answer goes out: a client that has its answer (and then stops us)
    // finds its request in the log.
    let logged = if hidden(&target) {
        "/<credentials>"
    } else {
        &ours.path
    };
    log_request(&ours.method, logged, status, bytes);
    let _ = request.respond(response);
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
