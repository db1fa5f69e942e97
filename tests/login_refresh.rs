//! The refresh of `aws login` sessions (SPEC §13) against the sign-in stand-in
//! (tests/emulator/login_standin.py, which verifies the DPoP proof, rotates refresh tokens bound to
//! the session's key and mints real emulator credentials): aws-runas refreshes an expired session
//! with one CreateOAuth2Token call and rewrites the file so that botocore and the JS SDK use it
//! without a refresh of their own; it uses a session botocore refreshed without a request; 8
//! parallel runs refresh once; a session the service says is over asks for a new login in one
//! line; no refresh token, DPoP key or secret key reaches any output, `-v` included.

use std::process::Output;

use serde_json::Value;

use crate::login_standin::{
    cache_file, caller_identity, js_credentials, login, login_home, post, standin, stats,
};
use crate::util::*;

/// `aws-runas -v login aws sts get-caller-identity ...` in `home`, signing in through `url`.
fn runas(home: &Home, url: &str) -> Output {
    home.cmd(whoami(&["-v", "login"]))
        .env("AWS_ENDPOINT_URL_SIGNIN", url)
        .output()
        .unwrap()
}

fn refreshes(url: &str) -> u64 {
    stats(url)["CreateOAuth2Token"].as_u64().unwrap()
}

/// The secrets of a cache document: the refresh token, the DPoP key's lines, the secret key.
fn secrets(cache: &Value) -> Vec<String> {
    let mut out = vec![
        cache["refreshToken"].as_str().unwrap().to_string(),
        cache["accessToken"]["secretAccessKey"]
            .as_str()
            .unwrap()
            .to_string(),
    ];
    out.extend(
        cache["dpopKey"]
            .as_str()
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_string),
    );
    out
}

fn no_secret_in(out: &Output, caches: &[&Value]) {
    let all = format!("{}{}", stdout(out), stderr(out));
    for cache in caches {
        for secret in secrets(cache) {
            assert!(!all.contains(&secret), "a secret in the output:\n{all}");
        }
    }
}

/// The path of `session`'s cache file in `home`.
fn cache_path(home: &Home) -> std::path::PathBuf {
    let dir = home.path().join(".aws/login/cache");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn an_expired_session_is_refreshed_once_and_botocore_and_the_js_sdk_use_the_file() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, true);
    assert_eq!(refreshes(&url), 1, "the login's code grant");
    let out = runas(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session);
    assert_eq!(refreshes(&url), 2, "one refresh");
    // Rewritten: new credentials and refresh token, expiresAt as the CLI writes it, the rest kept.
    let cached = cache_file(&home, &session);
    assert_ne!(
        cached["accessToken"]["accessKeyId"],
        cache["accessToken"]["accessKeyId"]
    );
    assert_ne!(cached["refreshToken"], cache["refreshToken"]);
    for kept in ["clientId", "dpopKey", "idToken", "tokenType"] {
        assert_eq!(cached[kept], cache[kept], "{kept}");
    }
    assert_eq!(
        cached["accessToken"]["accountId"],
        cache["accessToken"]["accountId"]
    );
    let expires = cached["accessToken"]["expiresAt"].as_str().unwrap();
    assert_eq!(expires.len(), 20, "{expires}");
    assert!(
        expires.ends_with('Z') && !expires.contains('.'),
        "{expires}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(cache_path(&home))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    no_secret_in(&out, &[&cache, &cached]);
    // botocore and the JS SDK use the file as it is: no refresh of theirs.
    let out = caller_identity(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session);
    assert_eq!(refreshes(&url), 2, "botocore refreshed");
    let out = js_credentials(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    let js: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(js["accessKeyId"], cached["accessToken"]["accessKeyId"]);
    assert_eq!(refreshes(&url), 2, "the JS SDK refreshed");
    // Negative control: aws-runas again, with the credentials fresh: no request.
    let out = runas(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(refreshes(&url), 2);
}

#[test]
fn a_session_botocore_refreshed_is_used_without_a_request() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, true);
    let out = caller_identity(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(refreshes(&url), 2, "botocore's refresh");
    let cached = cache_file(&home, &session);
    let out = runas(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session);
    assert_eq!(refreshes(&url), 2, "aws-runas made a request");
    assert_eq!(
        cache_file(&home, &session),
        cached,
        "the file was rewritten"
    );
    no_secret_in(&out, &[&cache, &cached]);
}

/// Sets the session's `expiresAt` in `home` to `seconds` from now (the credentials unchanged).
pub(crate) fn expiring_in(home: &Home, seconds: u64) {
    let path = cache_path(home);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let out = std::process::Command::new(venv_bin().join("python"))
        .args([
            "-c",
            "import datetime,sys; print(datetime.datetime.fromtimestamp(int(sys.argv[1]), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))",
            &(now + seconds).to_string(),
        ])
        .output()
        .unwrap();
    doc["accessToken"]["expiresAt"] = Value::from(stdout(&out).trim());
    std::fs::write(&path, doc.to_string()).unwrap();
}

#[test]
fn eight_parallel_runs_near_expiry_refresh_once() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    login(&url, &home, false);
    expiring_in(&home, 200);
    let runs: Vec<_> = (0..8)
        .map(|_| {
            home.cmd(whoami(&["login"]))
                .env("AWS_ENDPOINT_URL_SIGNIN", &url)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out).trim(), session);
    }
    assert_eq!(refreshes(&url), 2, "the login and one refresh");
    // Negative control: the same files, not near expiry any more, and no lock taken.
    let out = runas(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(refreshes(&url), 2);
}

#[test]
fn a_session_the_service_says_is_over_asks_for_a_new_login_in_one_line() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, true);
    assert_eq!(post(&url, "/_standin/expire", &serde_json::json!({})), 200);
    let out = runas(&home, &url);
    assert!(!out.status.success());
    let last = stderr(&out).lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("aws-runas: "), "{}", stderr(&out));
    assert!(last.contains("aws-runas --login login"), "{last}");
    assert_eq!(cache_file(&home, &session), cache, "the file changed");
    no_secret_in(&out, &[&cache]);
    // Still valid for a while: the credentials are used, with a warning naming the fix.
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, false);
    expiring_in(&home, 200);
    assert_eq!(post(&url, "/_standin/expire", &serde_json::json!({})), 200);
    let out = runas(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session);
    assert!(
        stderr(&out).contains("aws-runas --login login"),
        "{}",
        stderr(&out)
    );
    no_secret_in(&out, &[&cache]);
}

#[test]
fn a_hostile_sign_in_answer_is_bounded_or_refused_in_one_escaped_line() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache = login(&url, &home, true);
    let hostile = |value: Value| assert_eq!(post(&url, "/_standin/hostile", &value), 200);
    // A lifetime of 10^12 s is kept to the model's 900 s.
    hostile(serde_json::json!({"token": {"expiresIn": 1_000_000_000_000u64}}));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let out = runas(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    let cached = cache_file(&home, &session);
    let expires = cached["accessToken"]["expiresAt"]
        .as_str()
        .unwrap()
        .to_string();
    let python = format!(
        "import datetime; print(int(datetime.datetime.strptime('{expires}', '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc).timestamp()))"
    );
    let out = std::process::Command::new(venv_bin().join("python"))
        .args(["-c", &python])
        .output()
        .unwrap();
    let expires: i64 = stdout(&out).trim().parse().unwrap();
    assert!(
        (now + 890..=now + 960).contains(&expires),
        "{expires} vs {now}"
    );
    // No lifetime at all: refused, the file as it was (a fresh login, expired again).
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    let cache2 = login(&url, &home, true);
    let hostile = |value: Value| assert_eq!(post(&url, "/_standin/hostile", &value), 200);
    hostile(serde_json::json!({"token": {"expiresIn": -1}}));
    let out = runas(&home, &url);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("expiresIn is not positive"),
        "{err}"
    );
    assert_eq!(cache_file(&home, &session), cache2, "the file changed");
    // A refusal with control characters in its message: one line, escaped, naming the permission.
    hostile(
        serde_json::json!({"token": {}, "error": {"status": 403, "type": "AccessDeniedException",
        "body": {"error": "INSUFFICIENT_PERMISSIONS", "message": "no\u{1b}[31m\nway"}}}),
    );
    let out = home
        .cmd(whoami(&["login"]))
        .env("AWS_ENDPOINT_URL_SIGNIN", &url)
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        &["signin:CreateOAuth2Token", "INSUFFICIENT_PERMISSIONS"],
    );
    assert!(!stderr(&out).contains('\u{1b}'), "{}", stderr(&out));
    no_secret_in(&out, &[&cache, &cached, &cache2]);
}
