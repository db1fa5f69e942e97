//! `-u` against a local stand-in for the release page: HEAD, the redirect read but not
//! followed, the tag compared as a semantic version with this build's.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread;

use crate::util::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Serves `answers` (status line and headers), one a connection, on 127.0.0.1; returns the base
/// URL and a handle that gives the request lines received.
fn release_page(answers: Vec<String>) -> (String, thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = thread::spawn(move || {
        let mut requests = Vec::new();
        for answer in answers {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            // The rest of the head.
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            requests.push(first.trim_end().to_string());
            let reply = format!("{answer}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            stream.write_all(reply.as_bytes()).unwrap();
        }
        requests
    });
    (url, handle)
}

fn bump(version: &str, delta: i64) -> String {
    let mut parts: Vec<i64> = version.split('.').map(|p| p.parse().unwrap()).collect();
    parts[1] += delta;
    if parts[1] < 0 {
        // 0.x: an older release is a lower patch of an earlier line.
        return "0.0.1".to_string();
    }
    parts
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn check(answer: &str) -> (std::process::Output, Vec<String>) {
    let (url, server) = release_page(vec![answer.to_string()]);
    let home = Home::new("", "");
    let out = home
        .cmd(["-u"])
        .env(
            "AWS_RUNAS_UPDATE_URL",
            format!("{url}/o/aws-runas/releases/latest"),
        )
        .output()
        .unwrap();
    (out, server.join().unwrap())
}

#[test]
fn a_newer_tag_is_announced_with_its_page() {
    let newer = bump(VERSION, 1);
    let (out, requests) = check(&format!(
        "HTTP/1.1 302 Found\r\nLocation: /o/aws-runas/releases/tag/v{newer}"
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    // One HEAD, and the redirect not followed.
    assert_eq!(requests, ["HEAD /o/aws-runas/releases/latest HTTP/1.1"]);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("New version of aws-runas available: v{newer}\nDownload available at: http://127.0.0.1:")),
        "{text}"
    );
    assert!(
        text.ends_with(&format!("/o/aws-runas/releases/tag/v{newer}\n")),
        "{text}"
    );
}

#[test]
fn the_same_or_an_older_tag_says_this_build_is_current() {
    let (out, _) = check(&format!(
        "HTTP/1.1 302 Found\r\nLocation: https://example.invalid/releases/tag/v{VERSION}"
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("aws-runas {VERSION} is the latest release\n")
    );
    let older = bump(VERSION, -1);
    let (out, _) = check(&format!(
        "HTTP/1.1 301 Moved Permanently\r\nLocation: https://example.invalid/releases/tag/{older}"
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("aws-runas {VERSION} is newer than the latest release ({older})\n")
    );
}

#[test]
fn a_failed_check_is_one_line_and_exit_1() {
    for (answer, wanted) in [
        ("HTTP/1.1 500 Internal Server Error", "answered HTTP 500"),
        ("HTTP/1.1 200 OK", "answered HTTP 200"),
        ("HTTP/1.1 302 Found", "without a Location"),
        (
            "HTTP/1.1 302 Found\r\nLocation: /releases/tag/nightly",
            "'nightly', which is not a version",
        ),
    ] {
        let (out, _) = check(answer);
        assert_eq!(out.status.code(), Some(1), "{answer}");
        assert!(stdout(&out).is_empty());
        assert_one_line_error(&out, &["cannot check for a newer release", wanted]);
    }
    // Nothing listening.
    let home = Home::new("", "");
    let out = home
        .cmd(["-u"])
        .env(
            "AWS_RUNAS_UPDATE_URL",
            format!("http://127.0.0.1:{}/latest", unused_port()),
        )
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        &["cannot check for a newer release", "cannot connect"],
    );
}
