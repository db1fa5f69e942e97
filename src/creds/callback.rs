//! The loopback redirect of an authorization-code login (IAM Identity Center's, `aws login`'s):
//! the bounded server every listener of
//! ours runs on (`crate::http_server`, the endpoints' own, with their limits), bound to
//! `127.0.0.1` only (an ephemeral port), waiting for the browser's `GET
//! /oauth/callback?code=..&state=..`. Any other local process may connect too: connections are
//! served concurrently, each read whole under deadlines by its own thread, so an idle or stalled
//! one holds no worker and cannot delay the browser's. A request that is not the callback with
//! our state gets a 4xx answer and the wait goes on, until the login's deadline; the callback
//! is answered, then the listener and every connection closed.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::mpsc;
use std::time::Instant;

use crate::credentials::Secret;
use crate::http_server::{Reply, Request, Server};
use crate::log::debug;
use crate::percent::{self, Plus};

/// The path the browser is redirected to.
pub const PATH: &str = "/oauth/callback";
/// The most connections at once (at the cap, a new one closes the one idle the longest). A
/// browser opens a few; the cap stays far below the common soft descriptor limit of 1024, which
/// a login does not raise (a command run after it would inherit the raised limit).
const CONNECTIONS: usize = 64;

/// How the wait for the callback ended.
pub enum Outcome {
    Code(Secret),
    /// The login page answered with an error (`access_denied`, ...), with its description.
    Refused(String),
    TimedOut,
}

/// The bound listener, until it has its one answer.
pub struct Callback {
    server: Server,
    pub redirect_uri: String,
}

impl Callback {
    /// Binds `127.0.0.1:0`.
    pub fn bind() -> io::Result<Callback> {
        let server = Server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), CONNECTIONS)?;
        let redirect_uri = format!("http://127.0.0.1:{}{PATH}", server.addr.port());
        Ok(Callback {
            server,
            redirect_uri,
        })
    }

    /// Waits until `deadline` for the callback carrying `state`, the page then saying the run
    /// is logged in to `service`; the listener is closed when this returns (the server is
    /// dropped).
    pub fn wait(self, state: &str, deadline: Instant, service: &'static str) -> Outcome {
        let (sender, outcomes) = mpsc::channel();
        let state = state.to_string();
        self.server.start(move |request| {
            let (reply, outcome) = answer(request, &state, service);
            let Some(outcome) = outcome else {
                return reply;
            };
            // Told once the page is written: the run ends soon after, and the browser is to
            // have its page first. The wait may be over already (a second callback): nobody
            // to tell.
            let sender = sender.clone();
            reply.then(move || {
                let _ = sender.send(outcome);
            })
        });
        let left = deadline.saturating_duration_since(Instant::now());
        outcomes.recv_timeout(left).unwrap_or(Outcome::TimedOut)
    }
}

/// The answer to `request`, and the outcome when it was our callback.
fn answer(request: &Request, state: &str, service: &str) -> (Reply, Option<Outcome>) {
    if request.method != "GET" {
        return (page(400, "Bad request."), None);
    }
    // Anything but our callback with our state is a 400 (SPEC 12.1), another path included.
    if request.path != PATH {
        return (page(400, "Not the login's callback."), None);
    }
    let query = request
        .target
        .split_once('?')
        .map_or("", |(_, query)| query);
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| decode(v))
    };
    if param("state").as_deref() != Some(state) {
        debug!("login: a callback without our state, ignored");
        let text = "This login is not the one aws-runas started.";
        return (page(400, text), None);
    }
    if let Some(error) = param("error") {
        // The page's words, bounded: they reach the error line.
        let detail = param("error_description").unwrap_or_default();
        let refused = format!("{} {}", bounded(&error, 64), bounded(&detail, 256))
            .trim()
            .to_string();
        let text = "The login was refused. You may close this window.";
        return (page(200, text), Some(Outcome::Refused(refused)));
    }
    let Some(code) = param("code").filter(|c| !c.is_empty()) else {
        return (page(400, "No authorization code."), None);
    };
    let text = format!("aws-runas is logged in to {service}. You may close this window.");
    (page(200, &text), Some(Outcome::Code(Secret::new(code))))
}

/// `text`, cut to `chars` characters (a `...` said where it was cut).
fn bounded(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}

/// A page saying `text`.
fn page(status: u16, text: &str) -> Reply {
    Reply::html(
        status,
        format!("<!doctype html><meta charset=utf-8><title>aws-runas</title><p>{text}</p>\n"),
    )
}

/// Percent-decodes a query value (`+` is a space).
pub fn decode(value: &str) -> String {
    String::from_utf8_lossy(&percent::decode(value.as_bytes(), Plus::Space)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    /// `host:port` of a redirect URI.
    fn authority(uri: &str) -> String {
        uri.trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string()
    }

    /// The answer to `GET target`, as far as it came within 5 s.
    fn get(uri: &str, target: &str) -> String {
        let mut s = TcpStream::connect(authority(uri)).unwrap();
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

    /// What another local process may hold at the callback's port: `idle` connections that send
    /// nothing, and one that sends a head a byte every 100 ms (for at most 4 s, until the
    /// returned sender is dropped).
    fn hold(uri: &str, idle: usize) -> (Vec<TcpStream>, mpsc::Sender<()>) {
        let held = (0..idle)
            .map(|_| TcpStream::connect(authority(uri)).unwrap())
            .collect();
        let mut slow = TcpStream::connect(authority(uri)).unwrap();
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            let head = b"GET /oauth/callback?code=slow&state=s1 HTTP/1.1\r\nHost: x\r\n";
            for byte in head.iter().take(40) {
                let pause = stopped.recv_timeout(Duration::from_millis(100));
                if pause != Err(mpsc::RecvTimeoutError::Timeout)
                    || slow.write_all(&[*byte]).is_err()
                {
                    return;
                }
            }
        });
        (held, stop)
    }

    #[test]
    fn idle_and_slow_connections_do_not_delay_the_redirect_and_a_wrong_state_is_400() {
        let cb = Callback::bind().unwrap();
        let uri = cb.redirect_uri.clone();
        let (held, trickling) = hold(&uri, 10);
        let client = std::thread::spawn(move || {
            let wrong_sent = Instant::now();
            let wrong = get(&uri, "/oauth/callback?code=c1&state=wrong");
            let wrong_took = wrong_sent.elapsed();
            let sent = Instant::now();
            let right = get(&uri, "/oauth/callback?code=c2&state=s1");
            (wrong, wrong_took, right, sent)
        });
        let outcome = cb.wait("s1", Instant::now() + Duration::from_secs(8), "TEST");
        let ended = Instant::now();
        let (wrong, wrong_took, right, sent) = client.join().unwrap();
        assert!(
            wrong.starts_with("HTTP/1.1 400"),
            "{wrong:?} after {wrong_took:?}"
        );
        assert!(wrong_took < Duration::from_secs(1), "{wrong_took:?}");
        assert!(right.starts_with("HTTP/1.1 200"), "{right:?}");
        match outcome {
            Outcome::Code(code) => assert_eq!(code.expose(), "c2"),
            Outcome::Refused(e) => panic!("refused: {e}"),
            Outcome::TimedOut => panic!("timed out"),
        }
        let waited = ended.saturating_duration_since(sent);
        assert!(waited < Duration::from_secs(2), "{waited:?}");
        drop((held, trickling));
    }

    #[test]
    fn the_listener_closes_after_the_code() {
        let cb = Callback::bind().unwrap();
        let uri = cb.redirect_uri.clone();
        let client = std::thread::spawn({
            let uri = uri.clone();
            move || get(&uri, "/oauth/callback?code=c&state=s")
        });
        let outcome = cb.wait("s", Instant::now() + Duration::from_secs(8), "TEST");
        assert!(matches!(outcome, Outcome::Code(_)));
        assert!(client.join().unwrap().starts_with("HTTP/1.1 200"));
        let started = Instant::now();
        while TcpStream::connect(authority(&uri)).is_ok() {
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "still listening"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn only_the_callback_with_our_state_ends_the_wait_and_others_get_4xx() {
        let cb = Callback::bind().unwrap();
        let uri = cb.redirect_uri.clone();
        let client = std::thread::spawn(move || {
            let a = get(&uri, "/favicon.ico");
            let b = get(&uri, "/oauth/callback?code=c1&state=wrong");
            let c = get(&uri, "/oauth/callback?code=c%2B2&state=s1");
            (a, b, c)
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        let outcome = cb.wait("s1", deadline, "TEST");
        let (a, b, c) = client.join().unwrap();
        assert!(a.starts_with("HTTP/1.1 400"), "{a}");
        assert!(b.starts_with("HTTP/1.1 400"), "{b}");
        assert!(c.starts_with("HTTP/1.1 200"), "{c}");
        match outcome {
            Outcome::Code(code) => assert_eq!(code.expose(), "c+2"),
            _ => panic!("no code"),
        }
    }

    #[test]
    fn a_refusal_is_said_and_a_silent_wait_times_out() {
        let cb = Callback::bind().unwrap();
        let uri = cb.redirect_uri.clone();
        let client =
            std::thread::spawn(move || get(&uri, "/oauth/callback?error=access_denied&state=s"));
        let outcome = cb.wait("s", Instant::now() + Duration::from_secs(10), "TEST");
        // The browser had its page before the wait ended (and the listener with it).
        assert!(client.join().unwrap().contains("The login was refused"));
        assert!(matches!(outcome, Outcome::Refused(e) if e == "access_denied"));
        let long = format!(
            "/oauth/callback?error={}&error_description={}&state=s",
            "e".repeat(3000),
            "d".repeat(3000)
        );
        let cb = Callback::bind().unwrap();
        let uri = cb.redirect_uri.clone();
        let client = std::thread::spawn(move || get(&uri, &long));
        let outcome = cb.wait("s", Instant::now() + Duration::from_secs(10), "TEST");
        client.join().unwrap();
        let Outcome::Refused(said) = outcome else {
            panic!("not refused")
        };
        assert_eq!(
            said,
            format!("{}... {}...", "e".repeat(64), "d".repeat(256))
        );
        let cb = Callback::bind().unwrap();
        let outcome = cb.wait("s", Instant::now() + Duration::from_millis(100), "TEST");
        assert!(matches!(outcome, Outcome::TimedOut));
    }
}
