//! (tests) The SDK for Rust's 8 cross-SDK cases for the `login_session` provider
//! (`fixtures/login/`, copied from smithy-rs), run against our code: the profile resolved from the
//! case's config, its cache files written to a directory of their own, then the provider.
//!
//! All 8 fully checked: "Success - Valid credentials are returned immediately", "Failure - No
//! cache file", the four "Failure - Missing ..." cases (the file is refused for the member it
//! lacks, not for its expiry), and the two refresh cases against a one-shot local server playing
//! the case's mock call: the request it receives (path, `DPoP` proof for that URL, the body the
//! case expects), the credentials handed on and the rewritten file (the case's expected document,
//! with `expiresAt` = the refresh's own clock + 900 s, as the cases' fixed clock is not ours), or,
//! for the refused refresh, an error and the file unchanged.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use super::token::{self, Standing};
use super::LoginProvider;
use crate::aws::http::Agent;
use crate::config::files::Files;
use crate::config::profile::{Overrides, SourceKind, Target};
use crate::config::resolve::resolve;
use crate::creds::error::CredsError;
use crate::creds::mfa::Mfa;
use crate::creds::provider::{Ctx, Fetched, Provider};
use crate::creds::terminal::Person;
use crate::env::Env;
use crate::time;

const CASES: &str = include_str!("../../../fixtures/login/login-provider-test-cases.json");

/// The clock of the SDK's tests: 2025-11-19T00:00:00Z.
const CLOCK: i64 = 1_763_510_400;

/// A case's profile and its cache directory with the case's files in it; `signin`: the Sign-In
/// endpoint to refresh at.
fn set_up(case: &Value, n: usize, signin: Option<&str>) -> (LoginProvider, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("aws-runas-sdk-case-{n}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, contents) in case["cacheContents"].as_object().unwrap() {
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_vec(contents).unwrap()).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let files = Files::from_texts(case["configContents"].as_str().unwrap(), "");
    let dir_text = dir.to_str().unwrap();
    let mut pairs = vec![("HOME", "/h"), ("AWS_LOGIN_CACHE_DIRECTORY", dir_text)];
    pairs.extend(signin.map(|url| ("AWS_ENDPOINT_URL_SIGNIN", url)));
    let env = Env::from_pairs(&pairs);
    let target = Target::parse("signin").unwrap();
    let profile = resolve(target, &Overrides::default(), &env, &files).unwrap();
    let SourceKind::Login(session) = profile.source.kind else {
        panic!("not a login source: {:?}", profile.source.kind);
    };
    let provider = LoginProvider {
        profile: "signin".into(),
        session,
        lock_timeout: std::time::Duration::from_secs(5),
    };
    (provider, dir)
}

fn retrieve(provider: &LoginProvider) -> Result<Fetched, CredsError> {
    let agent = Agent::new();
    let mut mfa = Mfa::new(None);
    let mut ctx = Ctx {
        agent: &agent,
        mfa: &mut mfa,
        person: &Person::nobody(),
        refresh: false,
        newer_than: None,
    };
    provider.retrieve(&mut ctx)
}

/// The credentials of the case's first outcome are what the provider hands on.
fn credentials_as_expected(case: &Value, provider: &LoginProvider) {
    let want = &case["outcomes"][0];
    assert_eq!(want["result"], "credentials");
    let got = retrieve(provider).unwrap().credentials;
    assert_eq!(got.access_key_id, want["accessKeyId"].as_str().unwrap());
    assert_eq!(got.secret_access_key.expose(), want["secretAccessKey"]);
    assert_eq!(got.session_token.unwrap().expose(), want["sessionToken"]);
    let expires = time::rfc3339::parse(want["expiresAt"].as_str().unwrap());
    assert_eq!(got.expiration, expires);
    let account = token::read(&provider.session, false).unwrap();
    assert_eq!(account.account_id(), want["accountId"].as_str());
}

/// The case ends in an error, and ours is the one line asking for a new login.
fn login_needed(case: &Value, provider: &LoginProvider) {
    assert_eq!(case["outcomes"][0]["result"], "error");
    let e = retrieve(provider).err().unwrap();
    assert!(matches!(e, CredsError::LoginNeeded { .. }), "{e}");
}

/// The case's file is refused for the `member` it lacks.
fn refused_for(provider: &LoginProvider, member: &str) {
    let data = std::fs::read(token::path(&provider.session)).unwrap();
    let why = token::Token::parse(&data).err().unwrap();
    assert_eq!(why, format!("it has no {member}"));
}

/// The case needs a refresh: its credentials have expired at the cases' clock.
fn needs_refresh(provider: &LoginProvider) {
    let t = token::read(&provider.session, false).unwrap();
    assert_eq!(t.standing(CLOCK), Standing::Expired);
}

/// A server on 127.0.0.1 answering one request with the case's mock answer; its URL, and the
/// request it received (head, body).
fn mock(case: &Value) -> (String, std::thread::JoinHandle<(String, String)>) {
    let call = &case["mockApiCalls"][0];
    let status = call["responseCode"].as_u64().unwrap_or(200);
    let body = match call["response"].get("tokenOutput") {
        // The cases leave tokenType out; the service always sends it.
        Some(out) => {
            let mut out = out.clone();
            out["tokenType"] = "aws_sigv4".into();
            out.to_string()
        }
        None => "{}".to_string(),
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        while !head.ends_with("\r\n\r\n") {
            reader.read_line(&mut head).unwrap();
        }
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap();
        let mut sent = vec![0; length];
        reader.read_exact(&mut sent).unwrap();
        let answer = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).unwrap();
        (head, String::from_utf8(sent).unwrap())
    });
    (url, server)
}

/// The request the mock received is the case's: the path, a proof for that URL, the body.
fn request_as_expected(case: &Value, url: &str, head: &str, body: &str) {
    assert!(head.starts_with("POST /v1/token HTTP/1.1\r\n"), "{head}");
    let proof = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("DPoP: ")
                .or_else(|| l.strip_prefix("dpop: "))
        })
        .unwrap();
    let payload = proof.split('.').nth(1).unwrap();
    let payload = crate::base64::decode(
        &(payload.replace('-', "+").replace('_', "/") + &"=".repeat((4 - payload.len() % 4) % 4)),
    )
    .unwrap();
    let payload: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["htu"], format!("{url}/v1/token"));
    assert_eq!(payload["htm"], "POST");
    let sent: Value = serde_json::from_str(body).unwrap();
    assert_eq!(sent, case["mockApiCalls"][0]["request"]["tokenInput"]);
}

/// A refresh case, against the mock: the request, then the credentials and file it expects.
fn refresh_case(case: &Value, n: usize) {
    let (url, server) = mock(case);
    let (provider, dir) = set_up(case, n, Some(&url));
    needs_refresh(&provider);
    let before = std::fs::read(token::path(&provider.session)).unwrap();
    let started = time::unix_now();
    let got = retrieve(&provider);
    let (head, body) = server.join().unwrap();
    request_as_expected(case, &url, &head, &body);
    let want = &case["outcomes"];
    if want[0]["result"] == "error" {
        assert!(got.is_err());
        assert_eq!(
            std::fs::read(token::path(&provider.session)).unwrap(),
            before
        );
    } else {
        let got = got.unwrap().credentials;
        assert_eq!(got.access_key_id, want[0]["accessKeyId"].as_str().unwrap());
        assert_eq!(got.secret_access_key.expose(), want[0]["secretAccessKey"]);
        assert_eq!(got.session_token.unwrap().expose(), want[0]["sessionToken"]);
        let data = std::fs::read(token::path(&provider.session)).unwrap();
        let mut file: Value = serde_json::from_slice(&data).unwrap();
        let expires = file["accessToken"]["expiresAt"].take();
        let expires = time::rfc3339::parse(expires.as_str().unwrap()).unwrap();
        assert!(
            (started + 900..=time::unix_now() + 900).contains(&expires),
            "{expires}"
        );
        assert_eq!(got.expiration, Some(expires));
        let name = token::file_name(&provider.session);
        let mut expected = want[1][&name].clone();
        expected["accessToken"]["expiresAt"] = Value::Null;
        // The case's file has no tokenType (the SDKs' harnesses add it); ours keeps what was there.
        let original: Value = serde_json::from_slice(&before).unwrap();
        if let Some(kept) = original.get("tokenType") {
            expected["tokenType"] = kept.clone();
        }
        assert_eq!(file, expected);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// Runs one case.
fn run(case: &Value, n: usize) {
    let doc = case["documentation"].as_str().unwrap();
    if doc.contains("triggers") {
        return refresh_case(case, n);
    }
    let (provider, dir) = set_up(case, n, None);
    match doc {
        "Success - Valid credentials are returned immediately" => {
            credentials_as_expected(case, &provider);
        }
        "Failure - No cache file" => login_needed(case, &provider),
        "Failure - Missing accessToken"
        | "Failure - Missing refreshToken"
        | "Failure - Missing clientId in cache"
        | "Failure - Missing dpopKey" => {
            let member = doc.split(' ').nth(3).unwrap();
            refused_for(&provider, member);
            login_needed(case, &provider);
        }
        other => panic!("a case this test does not know: {other}"),
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_sdk_cases() {
    let cases: Vec<Value> = serde_json::from_str(CASES).unwrap();
    assert_eq!(cases.len(), 8);
    let refreshes = cases
        .iter()
        .filter(|c| c["documentation"].as_str().unwrap().contains("triggers"))
        .count();
    assert_eq!(refreshes, 2);
    for (n, case) in cases.iter().enumerate() {
        run(case, n);
    }
}
