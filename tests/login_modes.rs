//! Every mode with an `aws login` profile and with a role on one (SPEC §13), against the sign-in
//! stand-in (tests/emulator/login_standin.py, real emulator credentials): `--ec2` and `--ecs`
//! refresh the session in their renewals, read by boto3; a session the service says is over is
//! warned of once while what is still valid is served; `-j` read by botocore as a
//! credential_process; `-w` for a role on a login and for a login's own credentials; `-D -v`
//! says whether the session can be refreshed, and where, with no secret; `-l`/`-m` on a login of
//! an assumed role is IAM discovery's one line for a principal that is not a user.

use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::login_standin::{cache_file, login, post, standin, stats};
use crate::serve::endpoints::Running;
use crate::util::*;

/// The stand-in's session in `login`, and `on-login`: the role that trusts only that session.
fn config(session: &str) -> String {
    format!(
        "[profile login]\nlogin_session = {session}\nregion = us-east-1\n\n\
         [profile on-login]\nrole_arn = arn:aws:iam::123456789012:role/login-chained\nsource_profile = login\nregion = us-east-1\n"
    )
}

/// The ARN of a session of the role `on-login` assumes.
const ON_LOGIN: &str = "arn:aws:sts::123456789012:assumed-role/login-chained/";
/// The ARN of the stand-in's sessions.
const LOGIN_USER: &str = "arn:aws:sts::123456789012:assumed-role/admin/login-user";

fn refreshes(url: &str) -> u64 {
    stats(url)["CreateOAuth2Token"].as_u64().unwrap_or(0)
}

/// Waits (at most `seconds`) until the stand-in has answered `n` token calls.
fn wait_for_refreshes(url: &str, n: u64, seconds: u64) {
    let started = Instant::now();
    while refreshes(url) < n {
        assert!(
            started.elapsed() < Duration::from_secs(seconds),
            "{} token calls, waited for {n}",
            refreshes(url)
        );
        thread::sleep(Duration::from_millis(250));
    }
}

/// boto3's caller ARN in a HOME of its own, with `env` (an endpoint's variables), STS at
/// `sts`: the credentials came from the endpoint alone.
fn boto3_arn(sts: &str, env: &[(&str, String)]) -> String {
    let home = TempDir::new();
    let script = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])";
    let mut cmd = Command::new(venv_bin().join("python"));
    cmd.args(["-c", script])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .env("AWS_ENDPOINT_URL", sts)
        .env("AWS_DEFAULT_REGION", "us-east-1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "boto3: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

/// The variables that point an SDK at `ecs`'s endpoint.
fn ecs_env(ecs: &Running) -> Vec<(&'static str, String)> {
    vec![
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            ecs.export("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            ecs.export("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        ),
    ]
}

#[test]
fn ec2_and_ecs_renewals_refresh_a_login_and_a_role_on_it_silently_for_boto3() {
    // Everything lasts 24 s: each renewal (at half-life) refreshes the session through the
    // stand-in, and the role on it is assumed again with the refreshed credentials.
    let e = Emulator::start_with(&[("EMULATOR_ROLE_LIFETIME", "24")]);
    let keys = [
        &e.endpoint,
        &e.alice.access_key_id,
        &e.alice.secret_access_key,
    ];
    let standin = Helper::start_with_env(
        "tests/emulator/login_standin.py",
        &keys.map(String::as_str),
        &[("LOGIN_STANDIN_EXPIRES_IN", "24")],
    );
    let ready: Value = serde_json::from_str(&standin.url).unwrap();
    let url = ready["url"].as_str().unwrap().to_string();
    let home = Home::with_endpoint(&config(ready["session"].as_str().unwrap()), "", &e.endpoint);
    login(&url, &home, false);
    let signin = [("AWS_ENDPOINT_URL_SIGNIN", url.as_str())];
    let ec2 = Running::start(&home, &["--ec2", "login"], &signin, 1);
    let ecs = Running::start(&home, &["--ecs", "on-login"], &signin, 2);
    // The login, one refresh as each endpoint starts, then one in each one's first renewal.
    wait_for_refreshes(&url, 5, 40);
    let imds = [(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        ec2.export("AWS_EC2_METADATA_SERVICE_ENDPOINT"),
    )];
    assert_eq!(boto3_arn(&e.endpoint, &imds), LOGIN_USER);
    assert!(boto3_arn(&e.endpoint, &ecs_env(&ecs)).starts_with(ON_LOGIN));
    for (name, server, profile) in [("--ec2", ec2, "login"), ("--ecs", ecs, "on-login")] {
        let (code, _, log) = server.stop();
        assert_eq!(code, Some(0), "{name}: {log}");
        let renewed = format!("renewed the credentials of {profile}");
        assert!(log.contains(&renewed), "{name}: {log}");
        assert!(!log.contains("warning"), "{name}: {log}");
    }
    // Negative control: the stand-in counted only those calls.
    assert!(refreshes(&url) >= 5);
}

/// `POST /refresh` on the `--ec2` console at `url` (its page's token sent): the status.
fn console_refresh(url: &str) -> u16 {
    let a = url.trim_start_matches("http://").trim_end_matches('/');
    let page = raw_http(
        a,
        &format!("GET / HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\r\n"),
    )
    .1;
    let token = console_token(&page);
    let request = format!(
        "POST /refresh HTTP/1.1\r\nHost: {a}\r\nX-Aws-Runas-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    raw_http(a, &request).0
}

#[test]
fn a_session_the_service_says_is_over_is_warned_of_once_and_what_is_valid_is_served() {
    let (_standin, url, session) = standin();
    let home = Home::new(&config(&session), "");
    login(&url, &home, false);
    // Due for its refresh (200 s left), and the service says it is over.
    crate::login_refresh::expiring_in(&home, 200);
    assert_eq!(post(&url, "/_standin/expire", &serde_json::json!({})), 200);
    let signin = [("AWS_ENDPOINT_URL_SIGNIN", url.as_str())];
    let ec2 = Running::start(&home, &["--ec2", "login"], &signin, 1);
    let endpoint = ec2.export("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    // Two more renewals asked for (the console's refresh), each refused by the service.
    for _ in 0..2 {
        assert_eq!(console_refresh(&endpoint), 200);
    }
    assert_eq!(refreshes(&url), 4, "the login and three refused refreshes");
    let imds = [("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)];
    assert_eq!(boto3_arn(&emulator().endpoint, &imds), LOGIN_USER);
    let (code, _, log) = ec2.stop();
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(log.matches("aws-runas --login login").count(), 1, "{log}");
    assert!(
        log.contains("can no longer be refreshed (TOKEN_EXPIRED)"),
        "{log}"
    );
    // The service's other word for it, on --ecs serving a role on the session: the role is
    // assumed with what is still valid, and the warning names the login profile once.
    let changed = serde_json::json!({"error": {"status": 401, "type": "AccessDeniedException",
        "body": {"error": "USER_CREDENTIALS_CHANGED", "message": "password changed"}}});
    assert_eq!(post(&url, "/_standin/hostile", &changed), 200);
    let ecs = Running::start(&home, &["--ecs", "on-login"], &signin, 2);
    assert!(boto3_arn(&emulator().endpoint, &ecs_env(&ecs)).starts_with(ON_LOGIN));
    let (code, _, log) = ecs.stop();
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(log.matches("aws-runas --login login").count(), 1, "{log}");
    assert!(log.contains("(USER_CREDENTIALS_CHANGED)"), "{log}");
}

#[test]
#[ignore = "slow: waits 38 s for a session's credentials to come within a minute of expiry"]
fn a_session_over_is_said_once_then_its_failing_renewal_once_and_it_is_served_meanwhile() {
    let (_standin, url, session) = standin();
    let home = Home::new(&config(&session), "");
    login(&url, &home, false);
    // 70 s left: the first renewal, at half-life, finds them within a minute of expiry, where
    // the session's credentials are no longer handed on: a new login is needed.
    crate::login_refresh::expiring_in(&home, 70);
    assert_eq!(post(&url, "/_standin/expire", &serde_json::json!({})), 200);
    let signin = [("AWS_ENDPOINT_URL_SIGNIN", url.as_str())];
    let ecs = Running::start(&home, &["--ecs", "login"], &signin, 2);
    thread::sleep(Duration::from_secs(38));
    // Still served while valid.
    assert_eq!(boto3_arn(&emulator().endpoint, &ecs_env(&ecs)), LOGIN_USER);
    let (code, _, log) = ecs.stop();
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(
        log.matches("can no longer be refreshed").count(),
        1,
        "{log}"
    );
    assert_eq!(
        log.matches("cannot renew the credentials of login").count(),
        1,
        "{log}"
    );
    assert_eq!(log.matches("aws-runas --login login").count(), 2, "{log}");
}

/// `python -c script` in `home`, with the stand-in at `url` for the aws-runas it runs.
fn python_in(home: &Home, url: &str, script: &str) -> Output {
    let mut cmd = Command::new(venv_bin().join("python"));
    cmd.args(["-c", script]);
    home.isolate(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL_SIGNIN", url).output().unwrap()
}

#[test]
fn j_for_a_login_and_a_role_on_it_is_what_botocore_reads_as_a_credential_process() {
    let (_standin, url, session) = standin();
    let config = format!(
        "{}\n[profile cp-login]\nregion = us-east-1\ncredential_process = {BIN} -j login\n\n\
         [profile cp-role]\nregion = us-east-1\ncredential_process = {BIN} -j on-login\n",
        config(&session)
    );
    let home = Home::new(&config, "");
    let cache = login(&url, &home, true);
    let out = home
        .cmd(["-j", "login"])
        .env("AWS_ENDPOINT_URL_SIGNIN", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["Version"], 1);
    assert!(json["Expiration"].as_str().unwrap().ends_with('Z'));
    let cached = cache_file(&home, &session);
    assert_eq!(json["AccessKeyId"], cached["accessToken"]["accessKeyId"]);
    assert_ne!(
        json["AccessKeyId"], cache["accessToken"]["accessKeyId"],
        "not refreshed"
    );
    assert_eq!(refreshes(&url), 2, "the login and one refresh");
    let arn = |profile: &str| {
        let script = format!("import boto3; print(boto3.Session(profile_name='{profile}').client('sts').get_caller_identity()['Arn'])");
        let out = python_in(&home, &url, &script);
        assert!(out.status.success(), "{profile}: {}", stderr(&out));
        stdout(&out).trim().to_string()
    };
    assert_eq!(arn("cp-login"), LOGIN_USER);
    assert!(arn("cp-role").starts_with(ON_LOGIN));
    // Negative control: the session was fresh for both: no refresh of their own.
    assert_eq!(refreshes(&url), 2);
}

#[test]
fn w_signs_in_a_role_on_a_login_and_a_login_of_a_role_but_refuses_a_user_s() {
    let (_standin, url, session) = standin();
    let home = Home::new(&config(&session), "");
    login(&url, &home, false);
    let federation = Helper::start("signin_standin.py", &[&emulator().endpoint]);
    let w = |home: &Home, profile: &str, federation: &str| {
        home.cmd(["-w", profile])
            .env("AWS_ENDPOINT_URL_SIGNIN", &url)
            .env("AWS_RUNAS_SIGNIN_URL", federation)
            .output()
            .unwrap()
    };
    // A role on the login, and the login's own credentials (its principal is an assumed role).
    for (profile, arn) in [("on-login", ON_LOGIN), ("login", LOGIN_USER)] {
        let out = w(&home, profile, &federation.url);
        assert!(out.status.success(), "{profile}: {}", stderr(&out));
        let signin_url = stdout(&out).trim().to_string();
        let token = crate::web_console::param(&signin_url, "SigninToken");
        let issued = crate::web_console::issued(&federation, &token);
        assert!(issued["arn"].as_str().unwrap().starts_with(arn), "{issued}");
    }
    // The login's own credentials refused: said as such, with the way that works.
    let refusing = Helper::start("signin_standin.py", &["http://127.0.0.1:9"]);
    let out = w(&home, "login", &refusing.url);
    assert_one_line_error(
        &out,
        &[
            "HTTP 400",
            "aws login session's own credentials of profile 'login'",
            "source_profile is 'login'",
        ],
    );
    // A user's session: refused before any request (the federation URL goes nowhere).
    let user = Home::new(&config("arn:aws:iam::123456789012:user/alice"), "");
    let out = w(&user, "login", "http://127.0.0.1:9/federation");
    assert_one_line_error(
        &out,
        &[
            "aws login session of arn:aws:iam::123456789012:user/alice, a user's",
            "source_profile is 'login'",
        ],
    );
    // With -s, a role on the login signs in with the login's own credentials.
    let out = home
        .cmd(["-w", "-s", "on-login"])
        .env("AWS_ENDPOINT_URL_SIGNIN", &url)
        .env("AWS_RUNAS_SIGNIN_URL", &federation.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let token = crate::web_console::param(stdout(&out).trim(), "SigninToken");
    let issued = crate::web_console::issued(&federation, &token);
    assert_eq!(issued["arn"], LOGIN_USER);
}

/// The secrets of a login cache document: refresh token, secret key, session token, key lines.
fn secrets(cache: &Value) -> Vec<String> {
    let text = |v: &Value| v.as_str().unwrap().to_string();
    let mut out = vec![
        text(&cache["refreshToken"]),
        text(&cache["accessToken"]["secretAccessKey"]),
        text(&cache["accessToken"]["sessionToken"]),
    ];
    let key = text(&cache["dpopKey"]);
    out.extend(
        key.lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_string),
    );
    out
}

#[test]
fn d_says_whether_and_where_a_session_is_refreshed_and_no_secret() {
    let (_standin, url, session) = standin();
    let home = Home::new(&config(&session), "");
    let mut seen = vec![login(&url, &home, false)];
    let diagnose = |home: &Home| {
        home.cmd(["-D", "-v", "on-login"])
            .env("AWS_ENDPOINT_URL_SIGNIN", &url)
            .output()
            .unwrap()
    };
    let token_url = format!("{url}/v1/token");
    let valid = diagnose(&home);
    let due_in = format!("refreshed within 5 minutes of expiry at {token_url}");
    assert!(stdout(&valid).contains(&due_in), "{}", stdout(&valid));
    // Due: the next run refreshes it (and -D's own call did).
    crate::login_refresh::expiring_in(&home, 200);
    let due = diagnose(&home);
    let next = format!("OK aws login session {session} of profile 'login'");
    assert!(stdout(&due).contains(&next), "{}", stdout(&due));
    assert!(stdout(&due).contains(&format!("the next run refreshes them at {token_url}")));
    seen.push(cache_file(&home, &session));
    // Expired, and its DPoP key unreadable: why not, and what to run.
    let path = home.path().join(".aws/login/cache");
    let file = std::fs::read_dir(&path)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let mut doc = cache_file(&home, &session);
    doc["dpopKey"] =
        Value::from("-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5\n-----END EC PRIVATE KEY-----\n");
    doc["accessToken"]["expiresAt"] = Value::from("2020-01-01T00:00:00Z");
    std::fs::write(&file, doc.to_string()).unwrap();
    let expired = diagnose(&home);
    let line = "credentials expired at 2020-01-01T00:00:00Z and cannot be refreshed (dpopKey is not a P-256 key with its public key); run aws-runas --login login";
    assert!(stdout(&expired).contains(line), "{}", stdout(&expired));
    for out in [&valid, &due, &expired] {
        let all = format!("{}{}", stdout(out), stderr(out));
        assert!(!all.contains("cannot refresh them yet"), "{all}");
        for secret in seen.iter().flat_map(secrets) {
            assert!(!all.contains(&secret), "a secret in -D -v:\n{all}");
        }
    }
}

#[test]
fn l_and_m_on_a_login_of_an_assumed_role_are_one_line_naming_the_principal() {
    let (_standin, url, session) = standin();
    let home = Home::new(&config(&session), "");
    login(&url, &home, false);
    for mode in ["-l", "-m"] {
        let out = home
            .cmd([mode, "login"])
            .env("AWS_ENDPOINT_URL_SIGNIN", &url)
            .output()
            .unwrap();
        assert_one_line_error(&out, &["profile 'login' are not an IAM user's", LOGIN_USER]);
    }
    assert_eq!(refreshes(&url), 1, "a fresh session was refreshed");
}
