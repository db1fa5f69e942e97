//! What a hostile IAM Identity Center gets (SPEC 12.1), from the stand-in told to answer as one
//! (`POST /_standin/hostile`): pages that never end or cycle, numbers no type holds, intervals
//! and lifetimes of 2^63 seconds or of none, verification pages that are files, options or
//! another site's; and a login through the browser that nobody could see. Every run here is
//! without a terminal and killed after [`LIMIT`] seconds, so that a regression fails instead of
//! hanging.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::standin::post;
use super::*;
use crate::util::*;

/// The longest a run here may take before it is killed (exit 124): a bound the fixed code is
/// far inside, and a failure, not a hang, for code that waits on the service.
const LIMIT: u64 = 30;

/// Makes the stand-in at `url` answer as `how` says (see its docstring).
fn hostile(url: &str, how: Value) {
    let (status, answer) = post(url, "/_standin/hostile", &how);
    assert_eq!(status, 200, "{answer}");
}

/// `aws-runas args...` with `env`, pointed at the stand-in, in a new session without a
/// terminal, killed after `limit` seconds.
fn bounded(home: &Home, url: &str, limit: u64, args: &[&str], env: &[(&str, &str)]) -> Command {
    let limit = limit.to_string();
    let mut argv = vec!["timeout", "-k", "2", &limit, "setsid", "--wait", BIN];
    argv.extend_from_slice(args);
    let mut cmd = sso_command(home, url, &argv);
    cmd.envs(env.iter().copied());
    cmd
}

/// `aws-runas --sso-login --use-device-code sso-admin` with `env` (`--no-browser` unless `env`
/// sets `BROWSER`), its code approved once shown (when `approve`); the output and how long it
/// took.
fn device_login(home: &Home, url: &str, env: &[(&str, &str)], approve: bool) -> (Output, Duration) {
    let mut args = vec!["--sso-login", "--use-device-code", "sso-admin"];
    if !env.iter().any(|(k, _)| *k == "BROWSER") {
        args.insert(2, "--no-browser");
    }
    let started = Instant::now();
    let mut child = bounded(home, url, LIMIT, &args, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut shown = String::new();
    err.read_line(&mut shown).unwrap();
    if let (true, Some(code)) = (approve, shown.split("enter the code ").nth(1)) {
        answer_device(url, code.trim(), "allow");
    }
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let mut out = child.wait_with_output().unwrap();
    out.stderr = format!("{shown}{rest}").into_bytes();
    (out, started.elapsed())
}

/// Unix seconds now.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Seconds from now until the time `key` of the token file holds, read as botocore reads it
/// (which fails on a year of more than four digits).
fn seconds_until(home: &Home, key: &str) -> i64 {
    let script = "import json,sys; from botocore.utils import parse_timestamp; \
        print(int(parse_timestamp(json.load(open(sys.argv[1]))[sys.argv[2]]).timestamp()))";
    let out = Command::new(venv_bin().join("python"))
        .args(["-c", script, token_file(home).to_str().unwrap(), key])
        .output()
        .unwrap();
    assert!(out.status.success(), "{key}: {}", stderr(&out));
    stdout(&out).trim().parse::<i64>().unwrap() - now()
}

const NINETY_DAYS: i64 = 90 * 86_400;

#[test]
fn pages_that_never_end_stop_after_1000_with_one_line() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    hostile(&url, json!({"paging": "endless"}));
    let out = bounded(&home, &url, LIMIT, &["-l", "sso-admin"], &[])
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        &[
            "ListAccounts failed",
            "its pages do not end (more still after 1000 pages)",
        ],
    );
    assert_eq!(count(&url, "ListAccounts"), 1000);
}

#[test]
fn pages_that_cycle_stop_at_a_token_seen_on_any_earlier_page() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    // page-a, page-b, page-a, ...: the last token is never the one just before.
    hostile(&url, json!({"paging": "cycle"}));
    for mode in ["-l", "-c"] {
        let before = count(&url, "ListAccounts");
        let out = bounded(&home, &url, LIMIT, &[mode, "sso-admin"], &[])
            .output()
            .unwrap();
        assert_one_line_error(
            &out,
            &["ListAccounts failed: unreadable answer: its pages do not end (page 3 gives the nextToken of an earlier page)"],
        );
        assert_eq!(count(&url, "ListAccounts") - before, 3, "{mode}");
    }
    // A well-behaved portal again: the same runs list the roles.
    hostile(&url, json!({}));
    let out = bounded(&home, &url, LIMIT, &["-l", "sso-admin"], &[])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ReadOnlyAccess"), "{}", stdout(&out));
}

#[test]
fn numbers_no_type_holds_are_bounded_and_never_a_crash() {
    let (_standin, url) = standin();
    // 2^64-1 s for the code was a panic (SIGABRT) adding it to the clock; 2^64-1 anywhere else,
    // and -1 for the interval, were refused by serde ("unreadable answer").
    let max = u64::MAX;
    for how in [
        json!({"device": {"expiresIn": max}}),
        json!({"device": {"expiresIn": 1e300, "interval": -1},
               "register": {"clientSecretExpiresAt": max}, "token": {"expiresIn": max}}),
    ] {
        hostile(&url, how.clone());
        let home = sso_home();
        let (out, _) = device_login(&home, &url, &[], true);
        assert!(out.status.success(), "{how}: {}", stderr(&out));
        // Kept for at most 90 days, in times botocore reads.
        for key in ["expiresAt", "registrationExpiresAt"] {
            let left = seconds_until(&home, key);
            assert!((1..=NINETY_DAYS).contains(&left), "{how}: {key} {left}");
        }
        assert_no_secret(&stderr(&out), &home);
    }
}

#[test]
fn an_interval_of_10_12_seconds_waits_no_longer_than_the_code_lives() {
    let (_standin, url) = standin();
    let home = sso_home();
    // A code that lives 2 s, polled every 10^12 s: the first wait is cut short at its expiry.
    hostile(
        &url,
        json!({"device": {"interval": 1_000_000_000_000u64, "expiresIn": 2}}),
    );
    let (out, took) = device_login(&home, &url, &[], false);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("the code expired before it was approved"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "the code, then the error: {err}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(count(&url, "CreateToken"), 1, "{}", stats(&url));
    // A code already expired when it comes is not polled at all.
    hostile(&url, json!({"device": {"expiresIn": -1}}));
    let (out, took) = device_login(&home, &url, &[], false);
    assert!(
        stderr(&out).contains("the code expired before it was approved"),
        "{}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(count(&url, "CreateToken"), 1, "{}", stats(&url));
}

#[test]
fn a_token_of_2_63_seconds_is_kept_90_days_and_read_back_by_botocore_and_aws_runas() {
    let (_standin, url) = standin();
    let home = sso_home();
    hostile(&url, json!({"token": {"expiresIn": i64::MAX}}));
    let (out, _) = device_login(&home, &url, &[], true);
    assert!(out.status.success(), "{}", stderr(&out));
    let left = seconds_until(&home, "expiresAt");
    assert!((NINETY_DAYS - 60..=NINETY_DAYS).contains(&left), "{left}");
    // aws-runas reads it back: a run uses the token, with no login and no refresh.
    let tokens = count(&url, "CreateToken");
    let out = bounded(&home, &url, LIMIT, &whoami(&["sso-admin"]), &[])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), ADMIN);
    // So does botocore.
    let out = sso_command(&home, &url, &whoami(&[])[..])
        .env("AWS_PROFILE", "sso-admin")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), ADMIN);
    assert_eq!(count(&url, "CreateToken"), tokens);
}

#[test]
fn a_token_that_lives_no_time_is_a_failed_login_in_one_line() {
    let (_standin, url) = standin();
    for seconds in [0, -5] {
        let home = sso_home();
        hostile(&url, json!({"token": {"expiresIn": seconds}}));
        let (out, _) = device_login(&home, &url, &[], true);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 2, "the code, then the error: {err}");
        assert!(
            err.lines().last().unwrap().starts_with(&format!(
                "aws-runas: IAM Identity Center login of sso-session 'corp' failed: the service gave the token a lifetime of {seconds} s"
            )),
            "{err}"
        );
        assert!(!token_file(&home).exists());
    }
}

#[test]
fn a_refresh_to_a_token_that_lives_no_time_keeps_the_token_there_is() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    let before = read_json(&token_file(&home));
    age_token(&home, 300, None);
    hostile(&url, json!({"token": {"expiresIn": -5}}));
    let refreshes = count(&url, "CreateToken");
    let out = bounded(&home, &url, LIMIT, &whoami(&["-v", "sso-admin"]), &[])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("refresh failed"), "{}", stderr(&out));
    assert_eq!(count(&url, "CreateToken"), refreshes + 1);
    // The token there was, still valid for 5 minutes, is kept and used.
    let after = read_json(&token_file(&home));
    assert_eq!(after["accessToken"], before["accessToken"]);
    assert!(seconds_until(&home, "expiresAt") > 200);
}

#[test]
fn role_credentials_said_to_expire_in_2_64_ms_are_kept_90_days() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    hostile(&url, json!({"role": {"expiration": u64::MAX}}));
    let out = bounded(&home, &url, LIMIT, &["sso-admin"], &[])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // An expiration the SDKs read (a year of four digits), 90 days away.
    let left = seconds_left(&stdout(&out));
    assert!((NINETY_DAYS - 60..=NINETY_DAYS).contains(&left), "{left}");
}

#[test]
fn a_registration_that_lives_no_time_is_a_failed_login_in_one_line() {
    let (_standin, url) = standin();
    for expires_at in [json!(0), json!(now() - 1), json!(-1e300)] {
        let home = sso_home();
        hostile(
            &url,
            json!({"register": {"clientSecretExpiresAt": expires_at}}),
        );
        let out = bounded(
            &home,
            &url,
            LIMIT,
            &[
                "--sso-login",
                "--use-device-code",
                "--no-browser",
                "sso-admin",
            ],
            &[],
        )
        .output()
        .unwrap();
        assert_one_line_error(
            &out,
            &[
                "IAM Identity Center login of sso-session 'corp' failed: the service registered the client for",
                "the registration has expired already",
            ],
        );
    }
    assert_eq!(count(&url, "StartDeviceAuthorization"), 0);
}

/// A "browser" that writes each argument it gets on a line of `report`; its path.
fn recording_browser(home: &Home, report: &Path) -> PathBuf {
    let path = home.path().join("browser.sh");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > {}\n",
            report.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The arguments the recording browser got, once it has written them (`None` after 5 s).
fn opened(report: &Path) -> Option<String> {
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        if let Ok(text) = std::fs::read_to_string(report) {
            if text.ends_with('\n') {
                return Some(text);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn the_login_service_s_own_pages_are_opened_as_one_argument() {
    let (_standin, url) = standin();
    // The stand-in's own page (the configured OIDC endpoint's, over http on this machine), and
    // one on AWS's hosts.
    let aws = "https://device.sso.us-east-1.amazonaws.com/?user_code=AB%20CD";
    for (how, page) in [
        (json!({}), format!("{url}/device?user_code=")),
        (
            json!({"device": {"verificationUriComplete": aws}}),
            aws.to_string(),
        ),
    ] {
        hostile(&url, how);
        let home = sso_home();
        let report = home.path().join("opened");
        let browser = recording_browser(&home, &report);
        let command = format!("{} --new-tab %s", browser.display());
        let (out, _) = device_login(&home, &url, &[("BROWSER", &command)], true);
        assert!(out.status.success(), "{}", stderr(&out));
        let args = opened(&report).expect("the page was opened");
        let args: Vec<&str> = args.lines().collect();
        assert_eq!(args.len(), 2, "{args:?}");
        assert_eq!(args[0], "--new-tab");
        assert!(args[1].starts_with(&page), "{args:?}");
        let err = stderr(&out);
        assert!(!err.contains("not a page of the login service"), "{err}");
    }
}

#[test]
fn a_verification_page_not_of_the_login_service_is_said_and_never_opened() {
    let (_standin, url) = standin();
    for (how, page) in [
        // The page the user is told to open, with no other to open.
        (
            json!({"verificationUri": "file:///etc/passwd", "verificationUriComplete": null}),
            "file:///etc/passwd",
        ),
        (json!({"verificationUriComplete": "--version"}), "--version"),
        (
            json!({"verificationUriComplete": "http://phish.example/login"}),
            "http://phish.example/login",
        ),
    ] {
        hostile(&url, json!({"device": how}));
        let home = sso_home();
        let report = home.path().join("opened");
        let browser = recording_browser(&home, &report);
        let (out, _) = device_login(&home, &url, &[("BROWSER", browser.to_str().unwrap())], true);
        let err = stderr(&out);
        assert!(out.status.success(), "{page}: {err}");
        assert!(
            err.contains(&format!("{page} is not a page of the login service ({url}/): it is not opened; check it before you open it")),
            "{page}: {err}"
        );
        std::thread::sleep(Duration::from_millis(200));
        assert!(!report.exists(), "{page} was opened");
    }
}

#[test]
fn a_browser_login_nobody_could_see_fails_at_once_suggesting_the_device_code() {
    let (_standin, url) = standin();
    let home = sso_home();
    // No terminal, and no display, no BROWSER (or --no-browser): the page would reach no one.
    for (args, env) in [
        (&["--sso-login", "sso-admin"][..], &[][..]),
        (
            &["--sso-login", "--no-browser", "sso-admin"][..],
            &[("BROWSER", "/bin/true")][..],
        ),
    ] {
        let started = Instant::now();
        let out = bounded(&home, &url, LIMIT, args, env).output().unwrap();
        assert_one_line_error(
            &out,
            &["IAM Identity Center login of sso-session 'corp' failed: no browser can be opened here", "log in with --use-device-code"],
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    // With a browser to open, the login waits for it (killed here after 2 s).
    let out = bounded(
        &home,
        &url,
        2,
        &["--sso-login", "sso-admin"],
        &[("BROWSER", "/bin/true")],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/authorize?response_type=code&"),
        "{}",
        stderr(&out)
    );
}
