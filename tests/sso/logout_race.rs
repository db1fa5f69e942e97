//! `--sso-logout` while another run is in the middle of using the login (SPEC 12.1): the run is
//! held inside the stand-in (its "delay" makes one operation answer slowly) while the logout
//! happens, so the race is the same every time. Once the logout has said it logged out, neither
//! the token file nor the role's cached credentials may be there, whatever the other run does
//! after it, and the next run needs a login.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::standin::post;
use super::*;
use crate::util::*;

/// How long the stand-in holds the slowed operation's answer.
const DELAY: f64 = 2.0;

/// Starts `aws-runas profile` without a terminal (a login it needed would fail, not wait).
fn run_in_background(home: &Home, url: &str, profile: &str) -> Child {
    sso_command(home, url, &["setsid", "--wait", BIN, profile])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the stand-in has been asked for `operation` more than `before` times.
fn wait_for_call(url: &str, operation: &str, before: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(url, operation) <= before {
        assert!(Instant::now() < deadline, "no {operation}: {}", stats(url));
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Slows `operation`, starts a run of `profile` that reaches it, and logs out while the run waits
/// for its answer; then checks that nothing of the login is left once the run has ended: no
/// token file, none of `cached`.
fn logout_while_a_run_waits_for(
    url: &str,
    home: &Home,
    operation: &str,
    profile: &str,
    cached: &[&str],
) {
    post(
        url,
        "/_standin/hostile",
        &serde_json::json!({"delay": {operation: DELAY}}),
    );
    let before = count(url, operation);
    let mut run = run_in_background(home, url, profile);
    wait_for_call(url, operation, before);
    assert!(run.try_wait().unwrap().is_none(), "the run ended too soon");
    let out = runas(home, url, &["--sso-logout", "sso-admin"])
        .output()
        .unwrap();
    let said = stderr(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("logged out of IAM Identity Center"), "{said}");
    // Whatever the run did after the logout began (it may have got its credentials, or been
    // refused), nothing it wrote may outlive the logout.
    let run_out = run.wait_with_output().unwrap();
    assert!(!token_file(home).exists(), "the token file came back");
    for file in cached {
        assert!(
            !home.cache_file(file).exists(),
            "{file}: the cached credentials came back (the run said: {})",
            stderr(&run_out)
        );
    }
    let next = without_terminal(home, url, &[profile]);
    assert_one_line_error(&next, &["run aws-runas --sso-login sso-admin"]);
}

#[test]
fn a_logout_while_a_run_fetches_the_role_leaves_no_cached_credentials() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    logout_while_a_run_waits_for(
        &url,
        &home,
        "GetRoleCredentials",
        "sso-admin",
        &[".aws_sso_sso-admin"],
    );
}

#[test]
fn a_logout_while_a_run_assumes_a_role_over_the_login_leaves_no_cached_credentials() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    // The run holds the role's cache lock, then the Identity Center role's, while it waits.
    logout_while_a_run_waits_for(
        &url,
        &home,
        "GetRoleCredentials",
        "via-sso",
        &[".aws_assume_role_via-sso", ".aws_sso_sso-admin"],
    );
}

#[test]
fn a_logout_while_a_run_refreshes_the_token_leaves_no_token() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    // Inside the refresh window, still usable: the run refreshes before it fetches the role.
    age_token(&home, 600, None);
    logout_while_a_run_waits_for(
        &url,
        &home,
        "CreateToken",
        "sso-admin",
        &[".aws_sso_sso-admin"],
    );
}
