//! Logging in to IAM Identity Center: by the device grant (slow_down honoured, a refused login
//! and an expired code each one line), by the code grant with PKCE in a real browser (Chromium),
//! the one line a run without a terminal gives when a login is needed, and no token, refresh
//! token, client secret or code in the output of a login or a refresh, even with -v.

use super::*;
use crate::util::*;

#[test]
fn an_expired_login_without_a_terminal_is_one_line_saying_how_to_log_in() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    // Expired, and its registration too: no refresh, a login is needed.
    age_token(&home, -60, Some(-60));
    let out = without_terminal(&home, &url, &["sso-admin"]);
    assert_one_line_error(&out, &["run aws-runas --sso-login sso-admin"]);
}

#[test]
#[ignore = "slow: slow_down adds 5 s to the polling interval, and two device codes are left to expire"]
fn slow_down_is_honoured_and_a_refused_login_and_an_expired_code_are_one_line() {
    let (_standin, url) = standin_with(&[("SSO_STANDIN_SLOW_DOWN", "1")]);
    let home = sso_home();
    let out = device_run(&home, &url, "allow");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(count(&url, "CreateToken") >= 2, "{}", stats(&url));
    let home = sso_home();
    let out = device_run(&home, &url, "deny");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let last = err.lines().last().unwrap();
    assert!(last.contains("it was refused in the browser"), "{err}");
    assert_eq!(err.lines().count(), 2, "the code, then the error: {err}");
    drop(_standin);
    let (_standin, url) = standin_with(&[("SSO_STANDIN_DEVICE_SECONDS", "1")]);
    // A registration the service no longer knows is dropped: the next login registers again.
    let out = device_run(&home, &url, "none");
    assert!(stderr(&out).contains("log in again"), "{}", stderr(&out));
    let out = device_run(&home, &url, "none");
    let err = stderr(&out);
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("the code expired before it was approved"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(!token_file(&home).exists());
}

#[test]
#[ignore = "slow: starts headless Chromium"]
fn a_run_on_a_terminal_logs_in_through_the_browser_with_pkce_and_gets_the_role() {
    assert!(browser_ready());
    let (_standin, url) = standin();
    let home = sso_home();
    // The "browser" aws-runas opens: Chromium driven through the page, its report in a file.
    let report = home.path().join("browser.json");
    let browser = home.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nexec node {} \"$1\" > {} 2>&1\n",
            Path::new(ROOT)
                .join("tests/browser/sso_login.mjs")
                .display(),
            report.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = home.run_on_terminal(
        &whoami(&["sso-admin"]),
        &[],
        &[
            ("AWS_ENDPOINT_URL_SSO", &url),
            ("AWS_ENDPOINT_URL_SSO_OIDC", &url),
            ("BROWSER", browser.to_str().unwrap()),
        ],
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert!(run.stdout.contains(ADMIN), "{run:?}");
    let seen = read_json(&report);
    assert_eq!(seen["allow"], true, "{seen}");
    assert!(
        seen["callback"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{seen}"
    );
    assert!(
        seen["text"].as_str().unwrap().contains("logged in"),
        "{seen}"
    );
    let all = format!("{}{}{}", run.tty, run.stdout, run.stderr);
    assert!(all.contains("/authorize?response_type=code&"), "{all}");
    assert_no_secret(&all, &home);
    let token = read_json(&token_file(&home));
    assert!(token["refreshToken"].is_string(), "{token}");
    // The loopback listener is closed after its one answer.
    let port: u16 = seen["callback"].as_str().unwrap()["http://127.0.0.1:".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn verbose_runs_through_a_login_and_a_refresh_show_no_token_secret_or_code() {
    let (_standin, url) = standin();
    let home = sso_home();
    let mut child = runas(
        &home,
        &url,
        &[
            "-v",
            "--sso-login",
            "--use-device-code",
            "--no-browser",
            "sso-admin",
        ],
    )
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut text = String::new();
    loop {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "{text}");
        text.push_str(&line);
        if let Some(code) = line.split("enter the code ").nth(1) {
            answer_device(&url, code.trim(), "allow");
            break;
        }
    }
    err.read_to_string(&mut text).unwrap();
    assert!(child.wait().unwrap().success(), "{text}");
    let first = read_json(&token_file(&home));
    age_token(&home, 300, None);
    let out = runas(&home, &url, &["-v", "sso-admin"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    text.push_str(&stderr(&out));
    assert!(text.contains("refreshed"), "{text}");
    assert_no_secret(&text, &home);
    for key in ["accessToken", "refreshToken", "clientSecret"] {
        assert!(!text.contains(first[key].as_str().unwrap()), "{key}");
    }
}
