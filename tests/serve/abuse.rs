//! The credential endpoints (`--ec2`, its console, `--ecs`) used as a hostile local process would
//! use them: claimed bodies of any length, stalled bodies, a pipelining client that never reads,
//! slowloris heads, bursts of idle connections, hundreds of them under a low descriptor limit,
//! oversized heads, other HTTP versions, near misses of the container path, guessed MFA codes.
//! After each, an SDK (botocore's own providers, 1 s timeout, no retry) must still get
//! credentials. Every loop is bounded in count and time, on loopback only; the servers are
//! stopped when dropped.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use super::endpoints::Running;
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
            assert!(
                running.alive(),
                "{path} with Content-Length {length} ended the endpoint"
            );
        }
    }
    assert_sdk_gets_credentials(&strs(&imds_sdk(&a)));
}

#[test]
fn a_body_over_16_kib_or_where_no_route_takes_one_is_refused_with_413() {
    let home = Home::standard();
    let (mut running, a) = ec2(&home);
    for length in ["18446744073709551615", "1099511627776", "16385"] {
        for path in ["/profile", "/latest/api/token"] {
            let mut s = open_with(
                &a,
                &format!("POST {path} HTTP/1.1\r\nHost: {a}\r\nContent-Length: {length}\r\n\r\n"),
            );
            s.shutdown(Shutdown::Write).unwrap();
            let status = status_within(&mut s, Duration::from_secs(5));
            assert_eq!(status, 413, "{path} with Content-Length {length}");
        }
    }
    assert!(running.alive(), "the endpoint ended");
    assert_sdk_gets_credentials(&strs(&imds_sdk(&a)));
    // A small body where no route takes one is refused too.
    let (status, _) = raw_http(
        &a,
        &format!("PUT /latest/api/token HTTP/1.1\r\nHost: {a}\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"),
    );
    assert_eq!(status, 413);
}

/// Holds what would starve the workers of an endpoint at `a`: four stalled bodies, a client
/// pipelining 1500 requests and reading none, and 200 slowloris heads. Returns the connections.
fn hold_the_workers(a: &str) -> Vec<TcpStream> {
    let mut held = vec![
        open_with(
            a,
            &format!("POST /profile HTTP/1.1\r\nHost: {a}\r\nContent-Length: 2048\r\n\r\n{{\"pro"),
        ),
        open_with(
            a,
            &format!("POST /profile HTTP/1.1\r\nHost: {a}\r\nTransfer-Encoding: chunked\r\n\r\n400\r\nab"),
        ),
        open_with(
            a,
            &format!("POST /mfa HTTP/1.1\r\nHost: {a}\r\nExpect: 100-continue\r\nContent-Length: 20\r\n\r\n"),
        ),
        open_with(
            a,
            &format!("POST /refresh HTTP/1.1\r\nHost: {a}\r\nContent-Length: 1025\r\n\r\n"),
        ),
    ];
    // The pipeliner: as many requests as the buffers take, never reading.
    let pipeliner = TcpStream::connect(a).unwrap();
    pipeliner
        .set_write_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let request = format!("GET / HTTP/1.1\r\nHost: {a}\r\n\r\n");
    let mut writer = pipeliner.try_clone().unwrap();
    let all = request.repeat(1500);
    let _ = writer.write_all(all.as_bytes());
    held.push(pipeliner);
    for _ in 0..200 {
        held.push(open_with(
            a,
            &format!("GET / HTTP/1.1\r\nHost: {a}\r\nX-Slow: "),
        ));
    }
    held
}

#[test]
#[ignore = "slow: waits for four stalled requests to reach the endpoint's deadlines"]
fn held_connections_keep_no_sdk_client_out_of_ec2() {
    let home = Home::standard();
    let (mut running, a) = ec2(&home);
    let mut held = hold_the_workers(&a);
    assert_sdk_gets_credentials(&strs(&imds_sdk(&a)));
    // The stalled bodies give up their connection within a few seconds.
    let started = Instant::now();
    for s in held.iter_mut().take(4) {
        let status = status_within(s, Duration::from_secs(15));
        assert!(matches!(status, 0 | 100 | 408), "{status}");
    }
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_sdk_gets_credentials(&strs(&imds_sdk(&a)));
    assert!(running.alive());
}

#[test]
fn held_connections_keep_no_sdk_client_out_of_ecs() {
    let home = Home::standard();
    let (mut running, a, path, token) = ecs(&home);
    let held = hold_the_workers(&a);
    assert_sdk_gets_credentials(&strs(&ecs_sdk(&a, &path, &token)));
    drop(held);
    assert_sdk_gets_credentials(&strs(&ecs_sdk(&a, &path, &token)));
    assert!(running.alive());
}

/// The soft and hard open-file limits of process `pid`.
fn open_file_limits(pid: u32) -> (u64, u64) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

#[test]
fn idle_connections_cannot_close_the_listener_and_the_soft_fd_limit_is_raised() {
    let home = Home::standard();
    // A soft limit below the hard one is raised to it.
    let mut cmd = Command::new("prlimit");
    cmd.args(["--nofile=100:300", "--", BIN, "--ec2", "admin"]);
    home.isolate(&mut cmd);
    cmd.env("AWS_RUNAS_EC2_ADDR", "127.0.0.1:0");
    let mut running = Running::spawn(cmd, 1);
    assert_eq!(open_file_limits(running.pid()), (300, 300));
    let a = running.authority(&running.export("AWS_EC2_METADATA_SERVICE_ENDPOINT"));
    // 500 idle connections, more than the process may have descriptors.
    let addr: std::net::SocketAddr = a.parse().unwrap();
    let idle: Vec<TcpStream> = (0..500)
        .map_while(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok())
        .collect();
    assert!(idle.len() >= 300, "only {} connections", idle.len());
    assert_sdk_gets_credentials(&strs(&imds_sdk(&a)));
    drop(idle);
    thread::sleep(Duration::from_millis(300));
    assert_sdk_gets_credentials(&strs(&imds_sdk(&a)));
    assert!(running.alive());
    let (_, _, stderr) = running.stop();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_burst_of_idle_connections_delays_no_request() {
    let home = Home::standard();
    let (mut running, a) = ec2(&home);
    let target = "/latest/meta-data/iam/security-credentials/";
    // Each round: 100 connections that send nothing, opened as fast as they are accepted, then
    // a request, answered at once (each connection has its own thread, none waits for another).
    for round in 0..20 {
        let held: Vec<TcpStream> = (0..100).map(|_| TcpStream::connect(&a).unwrap()).collect();
        let started = Instant::now();
        let mut s = open_with(
            &a,
            &format!("GET {target} HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\r\n"),
        );
        let status = status_within(&mut s, Duration::from_secs(3));
        let took = started.elapsed();
        assert_eq!(status, 200, "round {round}, after {took:?}");
        assert!(took < Duration::from_secs(1), "round {round}: {took:?}");
        drop(held);
    }
    assert!(running.alive());
}

#[test]
fn a_request_head_over_16_kib_is_refused_with_431_without_reading_it_all() {
    let home = Home::standard();
    let (mut running, a) = ec2(&home);
    let mut s = open_with(&a, &format!("GET / HTTP/1.1\r\nHost: {a}\r\nX-Big: "));
    let mut writer = s.try_clone().unwrap();
    let sender = thread::spawn(move || {
        writer
            .set_write_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..32 {
            if writer.write_all(&chunk).is_err() {
                return false;
            }
        }
        true
    });
    let status = status_within(&mut s, Duration::from_secs(10));
    assert!(matches!(status, 431 | 0), "{status}");
    assert!(!sender.join().unwrap(), "all 32 MiB were taken");
    // A head just over the limit, sent whole, gets its 431.
    let mut s = open_with(
        &a,
        &format!(
            "GET / HTTP/1.1\r\nHost: {a}\r\nX-Big: {}\r\n\r\n",
            "b".repeat(17 * 1024)
        ),
    );
    assert_eq!(status_within(&mut s, Duration::from_secs(5)), 431);
    let status = std::fs::read_to_string(format!("/proc/{}/status", running.pid())).unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    assert!(peak_kib < 32 * 1024, "peak RSS {peak_kib} KiB");
    assert!(running.alive());
    assert_sdk_gets_credentials(&strs(&imds_sdk(&a)));
}

#[test]
fn a_request_of_http_2_gets_505_and_the_worker_is_not_lost() {
    let home = Home::standard();
    let (_ec2, a) = ec2(&home);
    let (_ecs, b, path, token) = ecs(&home);
    for authority in [&a, &b] {
        // More than there are workers: each used to hang one for good.
        for _ in 0..10 {
            let mut s = open_with(
                authority,
                &format!("GET / HTTP/2.0\r\nHost: {authority}\r\n\r\n"),
            );
            assert_eq!(status_within(&mut s, Duration::from_secs(5)), 505);
        }
    }
    assert_sdk_gets_credentials(&strs(&imds_sdk(&a)));
    assert_sdk_gets_credentials(&strs(&ecs_sdk(&b, &path, &token)));
}

#[test]
#[ignore = "slow: sleeps 3.6 s while three 1-second tokens expire"]
fn an_imdsv2_token_lives_its_whole_ttl() {
    let home = Home::standard();
    let (_running, a) = ec2(&home);
    let put = format!(
        "PUT /latest/api/token HTTP/1.1\r\nHost: {a}\r\nX-aws-ec2-metadata-token-ttl-seconds: 1\r\nConnection: close\r\n\r\n"
    );
    let get = |token: &str| {
        raw_http(
            &a,
            &format!("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: {a}\r\nX-aws-ec2-metadata-token: {token}\r\nConnection: close\r\n\r\n"),
        )
        .0
    };
    // Three tokens, each used 0.9 s after it was issued: whole seconds would have cut most
    // of them short.
    for _ in 0..3 {
        let (status, token) = raw_http(&a, &put);
        assert_eq!(status, 200);
        thread::sleep(Duration::from_millis(900));
        assert_eq!(get(&token), 200, "a 1 s token refused after 0.9 s");
        thread::sleep(Duration::from_millis(300));
        assert_eq!(get(&token), 401, "a 1 s token accepted after 1.2 s");
    }
}

#[test]
fn the_container_path_never_reaches_the_access_log() {
    let home = Home::standard();
    let (running, a, path, token) = ecs(&home);
    let secret = path.trim_start_matches('/').to_string();
    let targets = [
        path.clone(),
        format!("/{path}"),
        format!("{path}/"),
        format!("/%2f{secret}"),
        format!("/%2F{}", secret.to_uppercase()),
        format!("http://{a}{path}"),
        format!("/?next={secret}"),
    ];
    for target in &targets {
        for host in [a.as_str(), "rebind.example"] {
            raw_http(
                &a,
                &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n"),
            );
        }
    }
    let (_, _, stderr) = running.stop();
    assert!(
        stderr.matches("/<credentials>").count() >= targets.len() * 2,
        "{stderr}"
    );
    assert!(
        !stderr.to_ascii_lowercase().contains(&secret),
        "the path was logged: {stderr}"
    );
}

#[test]
fn every_answer_says_nosniff() {
    let home = Home::standard();
    let (_ec2, a) = ec2(&home);
    let (_ecs, b, path, token) = ecs(&home);
    let requests = [
        (a.clone(), format!("GET / HTTP/1.1\r\nHost: {a}")),
        (
            a.clone(),
            format!("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: {a}"),
        ),
        (a.clone(), format!("GET /nowhere HTTP/1.1\r\nHost: {a}")),
        (a.clone(), format!("DELETE /profiles HTTP/1.1\r\nHost: {a}")),
        (
            a.clone(),
            "GET / HTTP/1.1\r\nHost: rebind.example".to_string(),
        ),
        (
            b.clone(),
            format!("GET {path} HTTP/1.1\r\nHost: {b}\r\nAuthorization: {token}"),
        ),
        (b.clone(), format!("GET {path} HTTP/1.1\r\nHost: {b}")),
    ];
    for (authority, head) in &requests {
        let mut s = open_with(authority, &format!("{head}\r\nConnection: close\r\n\r\n"));
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let head_end = answer.find("\r\n\r\n").unwrap_or(answer.len());
        assert!(
            answer[..head_end]
                .to_ascii_lowercase()
                .contains("x-content-type-options: nosniff"),
            "{head}: {answer}"
        );
    }
}

#[test]
fn three_refused_console_codes_lock_mfa_for_30_s_without_asking_aws() {
    let e = Emulator::start();
    let home = Home::standard_on(&e);
    let (_running, a) = ec2(&home);
    let page = raw_http(
        &a,
        &format!("GET / HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\r\n"),
    )
    .1;
    let token = console_token(&page);
    let post = |path: &str, body: &str| {
        raw_http(
            &a,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {a}\r\nX-Aws-Runas-Token: {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    let (status, answer) = post("/profile", r#"{"profile": "mfa-admin"}"#);
    assert_eq!(status, 401, "{answer}");
    e.reset_stats();
    for _ in 0..3 {
        let (status, answer) = post("/mfa", r#"{"code": "000000"}"#);
        assert_eq!(status, 401, "{answer}");
    }
    let asked = e.count("GetSessionToken");
    assert_eq!(asked, 3, "each refused code was asked of AWS");
    // Now even the right code is refused, without a request.
    let code = totp(&e.alice.mfa_seed, 0);
    let (status, answer) = post("/mfa", &format!(r#"{{"code": "{code}"}}"#));
    assert_eq!(status, 429, "{answer}");
    assert!(answer.contains("try again"), "{answer}");
    assert_eq!(e.count("GetSessionToken"), asked);
}
