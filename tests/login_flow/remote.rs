//! The cross-device login (`--remote`) on a real terminal: the URL printed (client
//! `…/cross-device`, redirect to the confirmation page), nothing opened, the code the page shows
//! pasted on the terminal with its echo off; a pasted code with another state, and garbage, are
//! one line each and write nothing. The browser here is plain HTTP (tests/util/pty_run.py's
//! paste answer: the authorize page, its form, the 302 to the confirmation page, the code).

use super::*;

/// Asserts `text` holds the cross-device authorize URL for the stand-in `url`.
#[track_caller]
fn assert_cross_device_url(text: &str, url: &str) {
    let start = format!(
        "{url}/v1/authorize?response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fcross-device&state="
    );
    let at = text
        .find(&start)
        .unwrap_or_else(|| panic!("no {start} in:\n{text}"));
    let line = text[at..].lines().next().unwrap();
    let confirmation =
        url.replace(':', "%3A").replace('/', "%2F") + "%2Fv1%2Fsessions%2Fconfirmation";
    for part in [
        "&code_challenge_method=SHA-256&scope=openid&redirect_uri=".to_string(),
        format!("redirect_uri={confirmation}&code_challenge="),
    ] {
        assert!(line.contains(&part), "{part} in {line}");
    }
}

/// `aws-runas [-v] --login --remote login` on a terminal, `how` pasted; nothing opens a
/// browser (BROWSER leaves a marker, checked absent). `env` is added.
fn remote(home: &Home, url: &str, how: &str, env: &[(&str, &str)]) -> TerminalRun {
    let marker = home.path().join("opened");
    let script = home.path().join("marker.sh");
    std::fs::write(&script, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut all_env = vec![
        ("AWS_ENDPOINT_URL_SIGNIN", url),
        ("BROWSER", script.to_str().unwrap()),
    ];
    all_env.extend_from_slice(env);
    let run = home.run_on_terminal(
        &["-v", "--login", "--remote", "login"],
        &[Answer::Paste(how)],
        &all_env,
    );
    assert!(!marker.exists(), "BROWSER was run: {run:?}");
    assert_eq!(run.pasted.len(), 1, "nothing was pasted: {run:?}");
    assert_cross_device_url(&format!("{}{}", run.tty, run.stderr), url);
    run
}

/// The run as an `Output`, for [`assert_refused`].
fn output(run: &TerminalRun) -> Output {
    use std::os::unix::process::ExitStatusExt;
    Output {
        status: std::process::ExitStatus::from_raw(run.status << 8),
        stdout: run.stdout.clone().into_bytes(),
        stderr: run.stderr.clone().into_bytes(),
    }
}

#[test]
fn a_remote_login_reads_the_pasted_code_and_writes_the_session_where_the_environment_says() {
    let (_standin, url, session) = standin();
    let home = login_home();
    let elsewhere = home.path().join("login-cache");
    let run = remote(
        &home,
        &url,
        "code",
        &[("AWS_LOGIN_CACHE_DIRECTORY", elsewhere.to_str().unwrap())],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let seen = &run.pasted[0]["seen"];
    assert_eq!(seen["status"], 200, "{run:?}");
    let doc = cache_document(&elsewhere, &session, CROSS_DEVICE);
    assert_eq!(files_in(&cache_dir(&home)), Vec::<String>::new());
    assert_config_gained(&home, &session, None);
    // The pasted code was not echoed, and the terminal echoes again after.
    assert!(run.echo, "{run:?}");
    let all = format!("{}{}{}", run.tty, run.stdout, run.stderr);
    assert_no_secret(&all, &secrets(&url, Some(&doc), &[seen]));
    assert_eq!(stats(&url)["CreateOAuth2Token"], 1);
}

#[test]
fn a_pasted_code_with_another_state_or_garbage_is_one_line_and_writes_nothing() {
    let (_standin, url, _session) = standin();
    for (how, wanted) in [
        ("wrong-state", "another sign-in"),
        ("garbage", "not the code"),
    ] {
        let home = login_home();
        let run = remote(&home, &url, how, &[]);
        let out = output(&run);
        assert_refused(&out, &[wanted]);
        assert!(run.echo, "{how}: {run:?}");
        assert_nothing_written(&home);
        let all = format!("{}{}{}", run.tty, run.stdout, run.stderr);
        let mut secrets = secrets(&url, None, &[&run.pasted[0]["seen"]]);
        if how == "wrong-state" {
            // Another state, but the real code in it.
            secrets.extend(run.pasted[0]["text"].as_str().map(str::to_string));
        }
        assert_no_secret(&all, &secrets);
    }
    // Neither was exchanged: the state is checked before the code is sent.
    assert_eq!(
        stats(&url).get("CreateOAuth2Token"),
        None,
        "{}",
        stats(&url)
    );
}
