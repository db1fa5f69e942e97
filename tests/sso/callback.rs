//! The login's loopback redirect under a hostile local process, end to end: `aws-runas
//! --sso-login` opens a "browser" (a Python script, tests/util/callback_browser.py) that first
//! holds the callback port the way any local process could (ten idle connections and one sending
//! its head a byte at a time), then sends a callback with a wrong state, then logs in through
//! the stand-in's authorize page and follows its redirect. The wrong state is answered 400
//! within a second and the wait goes on; the real redirect ends it within two seconds; the
//! listener is closed after it. The run is killed if it outlives 30 s.

use std::path::Path;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use super::standin::{sso_home, standin};
use super::{assert_no_secret, runas, token_file};
use crate::util::*;

#[test]
fn idle_and_slow_local_connections_do_not_delay_the_login_redirect() {
    let (_standin, url) = standin();
    let home = sso_home();
    let report = home.path().join("browser.json");
    let browser = home.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nexec {} {} \"$1\" {}\n",
            venv_bin().join("python").display(),
            Path::new(ROOT)
                .join("tests/util/callback_browser.py")
                .display(),
            report.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut child = runas(&home, &url, &["--sso-login", "sso-admin"])
        .env("BROWSER", browser.to_str().unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(30) {
        thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    // The browser may finish after the run (it checks that the listener closed).
    let waited = Instant::now();
    while !report.exists() && waited.elapsed() < Duration::from_secs(10) {
        thread::sleep(Duration::from_millis(50));
    }
    let seen: serde_json::Value = std::fs::read_to_string(&report)
        .map(|text| serde_json::from_str(&text).unwrap_or_default())
        .unwrap_or_default();
    assert!(out.status.success(), "{err}\nbrowser: {seen}");
    assert_eq!(seen["wrong"], 400, "{seen}");
    assert!(seen["wrong_took"].as_f64().unwrap() < 1.0, "{seen}");
    assert_eq!(seen["right"], 200, "{seen}");
    assert!(seen["right_took"].as_f64().unwrap() < 2.0, "{seen}");
    assert_eq!(seen["closed_after"], true, "{seen}");
    assert!(token_file(&home).exists(), "{err}");
    assert_no_secret(&err, &home);
}
