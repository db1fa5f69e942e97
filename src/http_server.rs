//! The bounded HTTP server every listener of ours runs on (tiny_http, its one owner here): the
//! credential endpoints (`server/http.rs` adds their addresses, Host check and access log) and
//! the login's loopback redirect (`creds/callback.rs`). A handler sees a plain [`Request`]
//! and returns a [`Reply`]; a few worker threads call it until the [`Server`] is dropped, which
//! closes the listener and its connections.
//!
//! Any local process can reach a loopback port, so what one client may hold is bounded (enforced
//! inside our patched tiny_http, vendor/tiny_http/PATCHES.md): heads and bodies are read whole,
//! under deadlines, by each connection's own thread before a worker sees them, so an idle or
//! stalled connection holds no worker; a client that does not read its answers loses its
//! connection after [`WRITE_TIMEOUT`]; a refusal (413, 431) reaches a client still sending its
//! request (the connection lingers, 1 s or 1 MiB at most, before it closes); connections are
//! capped (idle ones closed first) and the accept loop outlives running out of descriptors.
//! What address to bind, and which requests to refuse before the handler, are the caller's.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// How many threads answer requests (each answer is a copy of prepared bytes). A client that
/// does not read its answers can hold one of them for [`WRITE_TIMEOUT`].
const WORKERS: usize = 8;

/// The most of a request head (request line and headers); more is answered 431.
const MAX_HEAD: usize = 16 * 1024;
/// The most of a request body (the console's JSON calls are tiny); more is answered 413.
const MAX_BODY: usize = 16 * 1024;
/// How long a write may wait for a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a connection may wait for the first byte of its next request.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request's head and body may take to arrive once begun, however slowly.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// A request, as the handlers see it.
pub struct Request {
    pub method: String,
    /// The request target as sent (the path and the query).
    pub target: String,
    /// The path, without the query.
    pub path: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    /// The body, at most [`MAX_BODY`] bytes.
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

/// What is done once an answer was written (or could not be).
type After = Box<dyn FnOnce() + Send>;

/// An answer.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
    /// Called once the answer is written: a login's redirect tells the run it has its code
    /// only then, so that the browser has its page before the run (and the listener) ends.
    after: Option<After>,
}

impl Reply {
    pub fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply::typed(status, "text/plain", body.into().into_bytes())
    }

    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::typed(status, "application/json", body.into())
    }

    pub fn html(status: u16, body: impl Into<String>) -> Reply {
        Reply::typed(status, "text/html; charset=utf-8", body.into().into_bytes())
    }

    fn typed(status: u16, content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            content_type,
            body,
            headers: Vec::new(),
            after: None,
        }
    }

    /// This answer, calling `after` once it is written (or could not be).
    pub fn then(mut self, after: impl FnOnce() + Send + 'static) -> Reply {
        self.after = Some(Box::new(after));
        self
    }
}

/// A bound server; dropping it stops its workers, then the listener and its connections close
/// (a request read after that is answered 503).
pub struct Server {
    inner: Arc<tiny_http::Server>,
    pub addr: SocketAddr,
    /// Workers started, each stopped once when the server is dropped.
    workers: AtomicUsize,
}

impl Server {
    /// Binds `addr`, serving at most `connections` at once (at the cap, a new connection closes
    /// the one idle the longest).
    pub fn bind(addr: SocketAddr, connections: usize) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr().unwrap_or(addr);
        let limits = tiny_http::Limits {
            max_connections: Some(connections),
            max_head: Some(MAX_HEAD),
            max_body: Some(MAX_BODY),
            idle_timeout: Some(IDLE_TIMEOUT),
            request_timeout: Some(REQUEST_TIMEOUT),
            write_timeout: Some(WRITE_TIMEOUT),
        };
        let inner = tiny_http::Server::from_listener_with_limits(listener, None, limits)
            .map_err(io::Error::other)?;
        Ok(Server {
            inner: Arc::new(inner),
            addr,
            workers: AtomicUsize::new(0),
        })
    }

    /// Answers requests with `handler` on worker threads, in the background, until the server
    /// is dropped. Returns at once.
    pub fn start<H>(&self, handler: H)
    where
        H: Fn(&Request) -> Reply + Send + Sync + 'static,
    {
        let handler = Arc::new(handler);
        for _ in 0..WORKERS {
            let inner = Arc::clone(&self.inner);
            let handler = Arc::clone(&handler);
            self.workers.fetch_add(1, Ordering::Relaxed);
            // recv fails only once the server is dropped (unblocked, once per worker).
            thread::spawn(move || {
                while let Ok(request) = inner.recv() {
                    answer(request, &*handler);
                }
            });
        }
    }
}

impl Drop for Server {
    /// Stops the workers; the last one to finish drops the listener.
    fn drop(&mut self) {
        for _ in 0..*self.workers.get_mut() {
            self.inner.unblock();
        }
    }
}

/// Our view of `request`: method, target, path, headers, the body.
fn ours(request: &mut tiny_http::Request) -> Request {
    let target = request.url().to_string();
    let path = target.split('?').next().unwrap_or_default().to_string();
    let mut ours = Request {
        method: request.method().as_str().to_ascii_uppercase(),
        target,
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
    let _ = io::Read::read_to_end(request.as_reader(), &mut ours.body);
    ours
}

/// Answers one request with `handler`'s reply, saying `nosniff`.
fn answer(mut request: tiny_http::Request, handler: &(dyn Fn(&Request) -> Reply + Sync)) {
    let reply = handler(&ours(&mut request));
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
    let _ = request.respond(response);
    if let Some(after) = reply.after {
        after();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn get(addr: SocketAddr, target: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(
            s,
            "GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn a_handler_answers_until_the_server_is_dropped() {
        let server = Server::bind("127.0.0.1:0".parse().unwrap(), 16).unwrap();
        let addr = server.addr;
        server.start(|request| Reply::text(200, format!("{} {}", request.path, request.target)));
        let answer = get(addr, "/a?b=c");
        assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
        assert!(answer.contains("nosniff"), "{answer}");
        assert!(answer.ends_with("/a /a?b=c"), "{answer}");
        drop(server);
        // The listener closes once the workers have stopped.
        let started = std::time::Instant::now();
        while TcpStream::connect(addr).is_ok() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "still listening"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// What `s` reads within 3 s (to its end, or an error).
    fn read_for_3_s(s: &mut TcpStream) -> (String, io::Result<usize>) {
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            match s.read(&mut buf) {
                Ok(0) => return (String::from_utf8_lossy(&got).into_owned(), Ok(0)),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => return (String::from_utf8_lossy(&got).into_owned(), Err(e)),
            }
        }
    }

    #[test]
    fn connections_end_with_the_server() {
        let server = Server::bind("127.0.0.1:0".parse().unwrap(), 16).unwrap();
        server.start(|_| Reply::text(200, "ok"));
        // One connection kept alive after an answer, one that never sent anything.
        let mut kept = TcpStream::connect(server.addr).unwrap();
        write!(kept, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut first = Vec::new();
        let mut buf = [0u8; 1024];
        while !first.ends_with(b"\r\n\r\nok") && first.len() < 4096 {
            let n = kept.read(&mut buf).unwrap();
            assert!(n > 0, "{:?}", String::from_utf8_lossy(&first));
            first.extend_from_slice(&buf[..n]);
        }
        assert!(first.starts_with(b"HTTP/1.1 200"));
        let mut idle = TcpStream::connect(server.addr).unwrap();
        drop(server);
        // A request sent now is answered 503, or finds the connection closed: never silence.
        let _ = write!(kept, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        for (name, s) in [("kept alive", &mut kept), ("idle", &mut idle)] {
            let started = std::time::Instant::now();
            let (got, end) = read_for_3_s(s);
            assert!(end.is_ok(), "{name}: not closed: {end:?} after {got:?}");
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{name}: closed after {:?}",
                started.elapsed()
            );
            assert!(
                got.is_empty() || got.starts_with("HTTP/1.1 503"),
                "{name}: {got:?}"
            );
        }
    }

    #[test]
    fn a_burst_of_idle_connections_delays_no_request() {
        // Each round: 100 connections that send nothing, opened as fast as they are accepted,
        // then a request, which must be answered at once (each connection has its own thread).
        for round in 0..20 {
            let server = Server::bind("127.0.0.1:0".parse().unwrap(), 512).unwrap();
            server.start(|_| Reply::text(200, "ok"));
            let held: Vec<TcpStream> = (0..100)
                .map(|_| TcpStream::connect(server.addr).unwrap())
                .collect();
            let started = std::time::Instant::now();
            let mut s = TcpStream::connect(server.addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
            write!(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            let took = started.elapsed();
            assert!(
                answer.ends_with("ok"),
                "round {round}: {answer:?} after {took:?}"
            );
            assert!(took < Duration::from_secs(1), "round {round}: {took:?}");
            drop(held);
        }
    }
}
