//! The endpoints' refusals reach a client that is still sending (a lingering close): a 1 MiB
//! body refused with 413 and a 1 MiB request line refused with 431, each to a client that writes
//! its whole request before it reads, as most clients do; and a client that never stops sending
//! is still cut off within the bound (1 s, 1 MiB). The clients' send buffers are kept small, as
//! on a real network where the request is still in flight: what the kernel's loopback buffers
//! would otherwise absorb cannot hide a reset. Loopback only; every loop bounded in count and
//! time; the endpoint is stopped when dropped.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::thread;
use std::time::{Duration, Instant};

use super::endpoints::Running;
use crate::util::*;

const MIB: usize = 1024 * 1024;

/// `aws-runas --ec2 admin`; the endpoint's `host:port`.
fn ec2(home: &Home) -> (Running, String) {
    let running = Running::start(home, &["--ec2", "admin"], &[], 1);
    let authority = running.authority(&running.export("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
    (running, authority)
}

/// A connection to `authority` whose send buffer holds 16 KiB (the kernel doubles it).
fn connect_small(authority: &str) -> TcpStream {
    let s = TcpStream::connect(authority).unwrap();
    let size: libc::c_int = 16 * 1024;
    // SAFETY: setsockopt on our own open socket, with a pointer to a c_int and its size.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt: {}", io::Error::last_os_error());
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// What a client gets that writes `head` and `body` whole, then reads the answer to its end:
/// how its writing ended, and the answer (what came before the end or an error).
fn send_all_then_read(authority: &str, head: &str, body: &[u8]) -> (io::Result<()>, String) {
    let mut s = connect_small(authority);
    let sent = s
        .write_all(head.as_bytes())
        .and_then(|()| s.write_all(body));
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while answer.len() < 64 * 1024 {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    (sent, String::from_utf8_lossy(&answer).into_owned())
}

#[track_caller]
fn assert_answered(what: &str, (sent, answer): (io::Result<()>, String), status: u16) {
    assert!(
        sent.is_ok(),
        "{what}: the request could not be sent whole ({sent:?}); answer read: {answer:?}"
    );
    assert!(
        answer.starts_with(&format!("HTTP/1.1 {status} ")),
        "{what}: no {status} read: {answer:?}"
    );
}

/// The endpoint still answers an ordinary request.
#[track_caller]
fn assert_still_serving(running: &mut Running, a: &str) {
    assert!(running.alive(), "the endpoint ended");
    let (status, role) = raw_http(
        a,
        &format!("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!((status, role.as_str()), (200, "admin"));
}

#[test]
fn a_refused_1_mib_body_is_answered_413_to_a_client_that_sends_it_all() {
    let home = Home::standard();
    let (mut running, a) = ec2(&home);
    let json = format!("{{\"profile\": \"{}\"}}", "a".repeat(MIB - 16));
    for (method, path) in [("POST", "/profile"), ("PUT", "/latest/api/token")] {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {a}\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            json.len()
        );
        let got = send_all_then_read(&a, &head, json.as_bytes());
        assert_answered(&format!("{method} {path}"), got, 413);
    }
    assert_still_serving(&mut running, &a);
}

#[test]
fn a_1_mib_request_line_is_answered_431_to_a_client_that_sends_it_all() {
    let home = Home::standard();
    let (mut running, a) = ec2(&home);
    let head = format!("GET /{} HTTP/1.1\r\nHost: {a}\r\n\r\n", "a".repeat(MIB));
    let got = send_all_then_read(&a, &head, b"");
    assert_answered("a 1 MiB request line", got, 431);
    assert_still_serving(&mut running, &a);
}

/// Writes `chunk` on `s` until a write fails, at most `count` times and for `limit`; how many
/// bytes were taken, and when the failure came (`None`: none did).
fn send_until_cut_off(
    mut s: TcpStream,
    chunk: &[u8],
    pause: Duration,
    count: usize,
    limit: Duration,
) -> (usize, Option<Duration>) {
    let started = Instant::now();
    let mut taken = 0;
    for _ in 0..count {
        if started.elapsed() > limit {
            break;
        }
        if s.write_all(chunk).is_err() {
            return (taken, Some(started.elapsed()));
        }
        taken += chunk.len();
        thread::sleep(pause);
    }
    (taken, None)
}

#[test]
fn a_client_that_never_stops_sending_is_cut_off_within_the_linger_bound() {
    let home = Home::standard();
    let (mut running, a) = ec2(&home);
    // A head that never ends, sent as fast as the endpoint takes it: its 431, then at most
    // 1 MiB more is read (plus what the buffers hold) before the connection is closed.
    let mut s = connect_small(&a);
    s.write_all(format!("GET / HTTP/1.1\r\nHost: {a}\r\nX-Big: ").as_bytes())
        .unwrap();
    let writer = s.try_clone().unwrap();
    let flood = thread::spawn(move || {
        let chunk = vec![b'a'; 64 * 1024];
        send_until_cut_off(
            writer,
            &chunk,
            Duration::ZERO,
            4096,
            Duration::from_secs(10),
        )
    });
    let mut answer = [0u8; 12];
    s.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 431");
    let (taken, cut_off) = flood.join().unwrap();
    let cut_off = cut_off.unwrap_or_else(|| panic!("{taken} bytes taken, never cut off"));
    assert!(
        cut_off < Duration::from_secs(4),
        "cut off after {cut_off:?}"
    );
    assert!(taken < 8 * MIB, "{taken} bytes taken");
    // A body refused at once, then trickled a byte at a time: cut off about 1 s after its 413.
    let mut s = connect_small(&a);
    s.write_all(
        format!("POST /profile HTTP/1.1\r\nHost: {a}\r\nContent-Length: 1073741824\r\n\r\n")
            .as_bytes(),
    )
    .unwrap();
    s.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 413");
    let answered = Instant::now();
    let pause = Duration::from_millis(50);
    let (_, cut_off) = send_until_cut_off(s, b"a", pause, 200, Duration::from_secs(8));
    assert!(cut_off.is_some(), "the trickle was never cut off");
    let after = answered.elapsed();
    assert!(
        after > Duration::from_millis(700) && after < Duration::from_millis(2500),
        "cut off {after:?} after the answer"
    );
    assert_still_serving(&mut running, &a);
}
