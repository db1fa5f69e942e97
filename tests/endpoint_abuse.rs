//! The credential endpoints (`--ec2`, its console, `--ecs`) used as a hostile local process would
//! use them: claimed bodies of any length, stalled bodies, a pipelining client that never reads,
//! slowloris heads, hundreds of idle connections under a low descriptor limit, oversized heads,
//! other HTTP versions, near misses of the container path, guessed MFA codes. After each, an SDK
//! (botocore's own providers, 1 s timeout, no retry) must still get credentials. Every loop is
//! bounded in count and time, on loopback only; the servers are stopped when dropped.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::endpoints::Running;
use crate::util::*;

/// `aws-runas --ec2 admin`; the endpoint's `host:port`.
fn ec2(home: &Home) -> (Running, String) {
    let running = Running::start(home, &["--ec2", "admin"], &[], 1);
    let authority = running.authority(&running.export("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
    (running, authority)
}

/// `aws-runas --ecs admin`; the endpoint's `host:port`, its path and its token.
fn ecs(home: &Home) -> (Running, String, String, String) {
    let running = Running::start(home, &["--ecs", "admin"], &[], 2);
    let uri = running.export("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    let token = running.export("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    let authority = running.authority(&uri);
    let path = format!("/{}", uri.rsplit('/').next().unwrap());
    (running, authority, path, token)
}

/// What botocore's provider (`imds <url>` or `ecs <uri> <token>`) got: an access key id, or
/// `none (...)`.
fn sdk(args: &[&str]) -> String {
    let out = Command::new(venv_bin().join("python"))
        .arg(Path::new(ROOT).join("tests/util/sdk_credentials.py"))
        .args(args)
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "false")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[track_caller]
fn assert_sdk_gets_credentials(args: &[&str]) {
    let got = sdk(args);
    assert!(got.starts_with("ASIA"), "the SDK got no credentials: {got}");
}

fn imds_sdk(authority: &str) -> Vec<String> {
    vec!["imds".into(), format!("http://{authority}/")]
}

fn ecs_sdk(authority: &str, path: &str, token: &str) -> Vec<String> {
    vec![
        "ecs".into(),
        format!("http://{authority}{path}"),
        token.to_string(),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A connection that has sent `head` (and holds on).
fn open_with(authority: &str, head: &str) -> TcpStream {
    let mut s = TcpStream::connect(authority).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s
}

/// The status of the first answer on `s` (0: closed without one), waiting at most `wait`.
fn status_within(s: &mut TcpStream, wait: Duration) -> u16 {
    s.set_read_timeout(Some(wait)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(2).any(|w| w == b"\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&got);
    text.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_claim_of_any_length_cut_short_does_not_end_the_endpoint() {
    let home = Home::standard();
    let (mut running, a) = ec2(&home);
    for length in ["18446744073709551615", "1099511627776"] {
        for path in ["/profile", "/latest/api/token"] {
            let mut s = open_with(
                &a,
                &format!("POST {path} HTTP/1.1\r\nHost: {a}\r\nContent-Length: {length}\r\n\r\n"),
            );
            s.shutdown(Shutdown::Write).unwrap();
            status_within(&mut s, Duration::from_secs(5));
            assert!(running.alive(), "{path} with Content-Length {length} ended the endpoint");
        }
    }
    assert_sdk_gets_credentials(&strs(&imds_sdk(&a)));
}
