//! The `--ec2` console in a real browser (headless Chromium driven by playwright-core,
//! tests/browser/console.mjs), against the emulator: switching to an MFA-gated role with a TOTP
//! code, a wrong code refused, and pages of other origins unable to switch anything; and the
//! JSON calls' refusals, from outside a browser.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::*;

/// Starts `cmd` (an `aws-runas --ec2` on a free port); the process and its endpoint URL.
fn serve(mut cmd: Command) -> (std::process::Child, String) {
    let mut child = cmd
        .env("AWS_RUNAS_EC2_ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line.trim().split('=').nth(1).unwrap().to_string();
    (child, url)
}

/// `aws-runas --ec2 admin` on a free port; its endpoint URL.
fn ec2(home: &Home) -> (std::process::Child, String) {
    serve(home.cmd(["--ec2", "admin"]))
}

#[test]
#[ignore = "slow: starts headless Chromium"]
fn the_console_switches_to_an_mfa_role_in_a_browser_and_other_origins_cannot() {
    assert!(browser_ready());
    let e = emulator();
    let home = Home::standard();
    let (mut server, url) = ec2(&home);
    let screenshot = std::env::var("CONSOLE_SCREENSHOT").unwrap_or_default();
    let out = Command::new("node")
        .arg(Path::new(ROOT).join("tests/browser/console.mjs"))
        .args([&url, &e.alice.mfa_seed])
        .arg(venv_bin().join("python"))
        .arg(Path::new(ROOT).join("tests/emulator/emulator.py"))
        .arg(&screenshot)
        .output()
        .unwrap();
    let text = stdout(&out);
    let result: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{err}: {text} {}", stderr(&out)));
    assert!(result.get("error").is_none(), "{result:#}");
    let step = |name: &str| -> serde_json::Value {
        result["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {result:#}"))["value"]
            .clone()
    };
    assert_eq!(step("initial"), "admin");
    let profiles = step("profiles");
    for p in ["admin", "mfa-admin", "mfa-ops", "chained"] {
        assert!(
            profiles.as_array().unwrap().iter().any(|v| v == p),
            "{p} in {profiles}"
        );
    }
    assert_eq!(step("asks for a code"), true);
    let wrong = step("wrong code message");
    assert!(
        wrong
            .as_str()
            .unwrap()
            .contains("MultiFactorAuthentication failed"),
        "{wrong}"
    );
    assert_eq!(step("after a wrong code"), "admin");
    assert_eq!(step("after the right code"), "mfa-admin");
    assert!(
        step("expiry").as_str().unwrap().starts_with("Expires in "),
        "{result:#}"
    );
    assert_eq!(step("form hidden"), true);
    // The foreign page could neither switch nor read anything.
    let foreign = step("foreign page");
    let foreign: Vec<&str> = foreign
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        foreign
            .iter()
            .all(|r| !r.starts_with("answered 200") && !r.starts_with("read ")),
        "{foreign:?}"
    );
    eprintln!("the foreign page saw: {foreign:?}");
    assert_eq!(step("after the foreign page"), "mfa-admin");
    // The aws CLI pointed at the endpoint is the new role.
    let argv = whoami(&[]);
    let mut cli = Command::new(argv[0]);
    cli.args(&argv[1..]);
    home.isolate(&mut cli);
    let empty = TempDir::new();
    let out = cli
        .env("HOME", empty.path())
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("mfa-admin"));
    let _ = server.kill();
    let _ = server.wait();
}

/// One request to the endpoint (`head`: the request line and headers); the status and body.
fn call(authority: &str, head: &str, body: &str) -> (u16, String) {
    let request = format!(
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw_http(authority, &request)
}

#[test]
fn posts_without_the_token_or_from_another_origin_change_nothing() {
    let home = Home::standard();
    let (mut server, url) = ec2(&home);
    let a = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let page = call(&a, &format!("GET / HTTP/1.1\r\nHost: {a}"), "").1;
    let token = console_token(&page);
    assert_eq!(token.len(), 64);
    let body = r#"{"profile": "ext"}"#;
    let post = |headers: &str| {
        call(
            &a,
            &format!("POST /profile HTTP/1.1\r\nHost: {a}\r\n{headers}"),
            body,
        )
    };
    let refused = [
        String::new(),
        "X-Aws-Runas-Token: 0000\r\n".to_string(),
        format!("X-Aws-Runas-Token: {token}\r\nOrigin: http://evil.example\r\n"),
        format!("X-Aws-Runas-Token: {token}\r\nOrigin: null\r\n"),
        format!("X-Aws-Runas-Token: {token}\r\nOrigin: http://127.0.0.1:1\r\n"),
    ];
    for headers in &refused {
        let (status, answer) = post(headers.trim_end_matches("\r\n"));
        assert_eq!(status, 403, "{headers}: {answer}");
    }
    // A rebinding Host, even with the token.
    let (status, _) = call(
        &a,
        &format!("POST /profile HTTP/1.1\r\nHost: rebind.example:80\r\nX-Aws-Runas-Token: {token}"),
        body,
    );
    assert_eq!(status, 403);
    let state = call(&a, &format!("GET /profiles HTTP/1.1\r\nHost: {a}"), "").1;
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["current"], "admin", "nothing changed");
    // With the token and our own origin: the switch happens; an unknown profile is 404.
    let (status, answer) = post(&format!("X-Aws-Runas-Token: {token}\r\nOrigin: http://{a}"));
    assert_eq!(status, 200, "{answer}");
    let state: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(state["current"], "ext");
    let (status, _) = call(
        &a,
        &format!("POST /profile HTTP/1.1\r\nHost: {a}\r\nX-Aws-Runas-Token: {token}"),
        r#"{"profile": "nope"}"#,
    );
    assert_eq!(status, 404);
    let (status, _) = call(
        &a,
        &format!("POST /mfa HTTP/1.1\r\nHost: {a}\r\nX-Aws-Runas-Token: {token}"),
        r#"{"code": "12"}"#,
    );
    assert_eq!(status, 400);
    // The instance-metadata paths serve the new profile at once.
    let (status, name) = call(
        &a,
        &format!("GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: {a}"),
        "",
    );
    assert_eq!((status, name.as_str()), (200, "ext"));
    // The first profile's cache is still there.
    assert!(home.cache_file(".aws_assume_role_admin").exists());
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
#[ignore = "slow: waits for 20-second credentials to come up for renewal"]
fn a_renewal_that_needs_mfa_without_a_terminal_asks_on_the_console() {
    // 20-second role credentials, renewed after 10 s; no terminal to ask.
    let e = Emulator::start_with(&[("EMULATOR_ROLE_LIFETIME", "20")]);
    let home = Home::standard_on(&e);
    let code = totp(&e.alice.mfa_seed, 0);
    let mut cmd = Command::new("setsid");
    cmd.args(["--wait", BIN, "--ec2", "-o", &code, "mfa-admin"]);
    home.isolate(&mut cmd);
    let (mut server, url) = serve(cmd);
    let a = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    // The session token is gone: the renewal needs a new one, and so an MFA code.
    std::fs::remove_file(home.cache_file(".aws_session_token_mfauser")).unwrap();
    let state = |a: &str| -> serde_json::Value {
        serde_json::from_str(&call(a, &format!("GET /profiles HTTP/1.1\r\nHost: {a}"), "").1)
            .unwrap()
    };
    let first = state(&a)["expiration"].clone();
    let started = std::time::Instant::now();
    while state(&a)["mfa_pending"] != true {
        assert!(
            started.elapsed().as_secs() < 20,
            "no MFA request: {}",
            state(&a)
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let page = call(&a, &format!("GET / HTTP/1.1\r\nHost: {a}"), "").1;
    let token = page
        .split("name=\"aws-runas-token\" content=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    // The code typed on the console completes the renewal.
    let mut next = totp(&e.alice.mfa_seed, 0);
    if next == code {
        next = totp(&e.alice.mfa_seed, 30);
    }
    let body = format!(r#"{{"code": "{next}"}}"#);
    let (status, answer) = call(
        &a,
        &format!("POST /mfa HTTP/1.1\r\nHost: {a}\r\nX-Aws-Runas-Token: {token}"),
        &body,
    );
    assert_eq!(status, 200, "{answer}");
    let after: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(after["mfa_pending"], false);
    assert!(
        after["expiration"].as_str() > first.as_str(),
        "{first} then {after}"
    );
    let _ = server.kill();
    let _ = server.wait();
}
