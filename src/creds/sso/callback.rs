//! The loopback redirect of the authorization-code login: a listener on `127.0.0.1` (an
//! ephemeral port) that waits for the browser's `GET /oauth/callback?code=..&state=..`, checks
//! the state, answers that one request and closes. Any other local process may connect too, so
//! each connection is read under a deadline and a size bound, one at a time; a request that is
//! not the callback with our state gets a 4xx answer and the wait goes on, until the login's
//! deadline.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::credentials::Secret;
use crate::log::debug;
use crate::percent::{self, Plus};

/// The path the browser is redirected to.
pub const PATH: &str = "/oauth/callback";
/// The largest request head read.
const MAX_HEAD: usize = 8 * 1024;
/// How long one connection may take to send its head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// How the wait for the callback ended.
pub enum Outcome {
    Code(Secret),
    /// The login page answered with an error (`access_denied`, ...), with its description.
    Refused(String),
    TimedOut,
}

/// The bound listener, until it has its one answer.
pub struct Callback {
    listener: TcpListener,
    pub redirect_uri: String,
}

impl Callback {
    /// Binds `127.0.0.1:0`.
    pub fn bind() -> io::Result<Callback> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        Ok(Callback {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{PATH}"),
        })
    }

    /// Waits until `deadline` for the callback carrying `state`; the listener is closed when
    /// this returns.
    pub fn wait(self, state: &str, deadline: Instant) -> io::Result<Outcome> {
        while Instant::now() < deadline {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(25));
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if let Some(outcome) = serve(stream, state) {
                return Ok(outcome);
            }
        }
        Ok(Outcome::TimedOut)
    }
}

/// Answers one connection; the outcome when it was our callback.
fn serve(mut stream: TcpStream, state: &str) -> Option<Outcome> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let Some(target) = request_target(&mut stream) else {
        answer(&mut stream, "400 Bad Request", "Bad request.");
        return None;
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if path != PATH {
        answer(&mut stream, "404 Not Found", "Not found.");
        return None;
    }
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| decode(v))
    };
    if param("state").as_deref() != Some(state) {
        debug!("sso login: a callback without our state, ignored");
        answer(
            &mut stream,
            "400 Bad Request",
            "This login is not the one aws-runas started.",
        );
        return None;
    }
    if let Some(error) = param("error") {
        let detail = param("error_description").unwrap_or_default();
        answer(
            &mut stream,
            "200 OK",
            "The login was refused. You may close this window.",
        );
        return Some(Outcome::Refused(
            format!("{error} {detail}").trim().to_string(),
        ));
    }
    let Some(code) = param("code").filter(|c| !c.is_empty()) else {
        answer(&mut stream, "400 Bad Request", "No authorization code.");
        return None;
    };
    answer(
        &mut stream,
        "200 OK",
        "aws-runas is logged in to IAM Identity Center. You may close this window.",
    );
    Some(Outcome::Code(Secret::new(code)))
}

/// The request line's target, if a whole `GET` head of at most [`MAX_HEAD`] bytes came in time.
fn request_target(stream: &mut TcpStream) -> Option<String> {
    let started = Instant::now();
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD || started.elapsed() > READ_TIMEOUT {
            return None;
        }
        let n = stream.read(&mut buf).ok().filter(|n| *n > 0)?;
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|b| *b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split(' ');
    (words.next()? == "GET").then_some(())?;
    words.next().map(str::to_string)
}

fn answer(stream: &mut TcpStream, status: &str, text: &str) {
    let body =
        format!("<!doctype html><meta charset=utf-8><title>aws-runas</title><p>{text}</p>\n");
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// Percent-decodes a query value (`+` is a space).
pub fn decode(value: &str) -> String {
    String::from_utf8_lossy(&percent::decode(value.as_bytes(), Plus::Space)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(uri: &str, target: &str) -> String {
        let addr = uri
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let mut s = TcpStream::connect(addr).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
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
        let outcome = cb.wait("s1", deadline).unwrap();
        let (a, b, c) = client.join().unwrap();
        assert!(a.starts_with("HTTP/1.1 404"), "{a}");
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
        let outcome = cb
            .wait("s", Instant::now() + Duration::from_secs(10))
            .unwrap();
        client.join().unwrap();
        assert!(matches!(outcome, Outcome::Refused(e) if e == "access_denied"));
        let cb = Callback::bind().unwrap();
        let outcome = cb
            .wait("s", Instant::now() + Duration::from_millis(100))
            .unwrap();
        assert!(matches!(outcome, Outcome::TimedOut));
    }
}
