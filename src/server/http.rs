//! What the endpoints add to the bounded server they run on (`crate::http_server`): addresses
//! that are loopback only (or the metadata address, for `--ec2`), every request's `Host`
//! checked (a page the user visits cannot reach us through DNS rebinding), a body only on a
//! POST, one access-log line per request (targets holding a secret hidden), the JSON error
//! answer, and the soft descriptor limit raised, which sets how many connections are served at
//! once. Served until the process is told to stop.

use std::fmt;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::http_server;
pub use crate::http_server::{Reply, Request};
use crate::time;

/// The instance-metadata service's own address, which SDKs know without configuration.
pub const METADATA_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);

/// The most connections at once, whatever the descriptor limit allows.
const MAX_CONNECTIONS: usize = 1024;
/// Descriptors kept for everything else (the cache, the terminal, the HTTP agent, a command).
const RESERVED_FDS: u64 = 64;

// The endpoints' error answer, beside the server that sends it (the JSON is `json.rs`'s).
impl Reply {
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

/// A bound endpoint.
pub struct Server {
    inner: http_server::Server,
    pub addr: SocketAddr,
}

impl Server {
    /// Binds `addr`, after raising the soft descriptor limit to the hard one, which sets how
    /// many connections are served at once.
    pub fn bind(addr: SocketAddr) -> Result<Server, ServerError> {
        let fds = crate::os::raise_fd_limit();
        let inner = http_server::Server::bind(addr, connection_cap(fds)).map_err(|e| {
            ServerError::Bind {
                addr: addr.to_string(),
                detail: e.to_string(),
            }
        })?;
        Ok(Server {
            addr: inner.addr,
            inner,
        })
    }

    /// Answers requests with `handler` on worker threads, in the background, for as long as the
    /// server lives; the access log shows a request's path, or `/<credentials>` for a target
    /// that `hidden` says holds a secret (whatever the answer, the Host check's refusals
    /// included). Returns at once.
    pub fn start<H, S>(&self, handler: H, hidden: S)
    where
        H: Fn(&Request) -> Reply + Send + Sync + 'static,
        S: Fn(&str) -> bool + Send + Sync + 'static,
    {
        self.inner
            .start(move |request| answer(request, &handler, &hidden));
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

/// Answers one request: the Host check, the handler, the access-log line.
fn answer(
    request: &Request,
    handler: &(dyn Fn(&Request) -> Reply + Sync),
    hidden: &(dyn Fn(&str) -> bool + Sync),
) -> Reply {
    let reply = if !host_allowed(request.header("host")) {
        Reply::error(
            403,
            "this endpoint answers only requests for a loopback host",
        )
    } else if !request.body.is_empty() && request.method != "POST" {
        Reply::error(413, "only the console's POST calls take a body")
    } else {
        handler(request)
    };
    // Logged before the answer goes out: a client that has its answer (and then stops us)
    // finds its request in the log.
    let logged = if hidden(&request.target) {
        "/<credentials>"
    } else {
        &request.path
    };
    log_request(&request.method, logged, reply.status, reply.body.len());
    reply
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
