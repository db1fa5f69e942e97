//! The command line as one tool: flags of two modes, or a flag its mode does not read, are one
//! error line and exit 1, before any file is read or anyone asked (the parser's own tests hold
//! every pair to the flag table; here, the built binary).

use std::io::ErrorKind;
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// A login profile whose every endpoint (STS, the OIDC service, the portal) is `url`.
const SSO: &str = "[profile p]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n\n\
    [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n";

/// A listener standing for every service: a run that asks one connects here.
fn services() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// Whether anything connected to `listener` within `wait` (each connection closed at once, so
/// that the run that made it fails instead of waiting for an answer).
fn connected(listener: &TcpListener, wait: Duration) -> bool {
    let until = Instant::now() + wait;
    loop {
        match listener.accept() {
            Ok(_) => return true,
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < until => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(_) => return false,
        }
    }
}

/// `aws-runas args...` without a terminal, in `home`, every service at `url`.
fn command(home: &Home, url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new("setsid");
    cmd.arg("--wait").arg(BIN).args(args);
    home.isolate(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL_SSO", url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn run(home: &Home, url: &str, args: &[&str]) -> Output {
    command(home, url, args).output().unwrap()
}

#[test]
fn flags_of_two_modes_are_one_line_naming_both_before_the_config_is_read() {
    let (_listener, url) = services();
    // A config no run can read: reading it is an error naming it.
    let home = Home::with_endpoint("[profile p\nsso_session = corp\n", "", &url);
    let config = home.path().join(".aws/config").display().to_string();
    // Negative control: one mode reads it, and says so.
    let out = run(&home, &url, &["--sso-login", "p"]);
    assert_one_line_error(&out, &["malformed file", &config]);
    for (argv, line) in [
        (
            &["--sso-login", "-j", "p"][..],
            "--sso-login and -j cannot be used together (two modes)",
        ),
        (
            &["--sso-logout", "--sso-login", "p"],
            "--sso-logout and --sso-login cannot be used together (two modes)",
        ),
        (
            &["--sso-login", "--ec2", "p"],
            "--sso-login and --ec2 cannot be used together (two modes)",
        ),
        (
            &["--sso-login", "-w", "p"],
            "--sso-login and -w cannot be used together (two modes)",
        ),
        (
            &["--sso-logout", "-l", "p"],
            "--sso-logout and -l cannot be used together (two modes)",
        ),
        (
            &["-j", "--ec2", "p"],
            "-j and --ec2 cannot be used together (two modes)",
        ),
        (
            &["--sso-logout", "--use-device-code", "p"],
            "--use-device-code is only used with --sso-login, ",
        ),
        (
            &["--sso-login", "-o", "123456", "p"],
            "-o is only used with the credentials mode",
        ),
        (
            &["--open", "p"],
            "--open is only used with -w: add -w, or leave --open out",
        ),
        (
            &["-w", "--shell", "fish", "p"],
            "--shell is only used with the credentials mode",
        ),
    ] {
        let out = run(&home, &url, argv);
        let err = assert_one_line_error(&out, &[line]);
        assert!(
            !err.contains(&config) && !err.contains("malformed"),
            "{argv:?}: {err}"
        );
    }
}

#[test]
fn flags_of_two_modes_ask_no_service() {
    let (listener, url) = services();
    let home = Home::with_endpoint(SSO, "", &url);
    for argv in [
        &["--sso-login", "--use-device-code", "-j", "p"][..],
        &["--sso-logout", "--sso-login", "p"],
        &["-l", "--ec2", "p"],
        &["--sso-logout", "--use-device-code", "p"],
    ] {
        let out = run(&home, &url, argv);
        assert_eq!(out.status.code(), Some(1), "{argv:?}: {}", stderr(&out));
        assert!(
            !connected(&listener, Duration::ZERO),
            "{argv:?} asked a service"
        );
    }
    // Negative control: the login alone asks the OIDC service (its device grant needs no
    // terminal to start), and the listener sees it; the connection closed, the run fails.
    let child = command(&home, &url, &["--sso-login", "--use-device-code", "p"])
        .spawn()
        .unwrap();
    assert!(connected(&listener, Duration::from_secs(10)));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_login_flag_for_a_profile_that_logs_in_nowhere_is_one_line_before_any_request() {
    let (listener, url) = services();
    let config = format!(
        "{SSO}\n[profile keys]\nregion = us-east-1\n\n[profile cp]\ncredential_process = /bin/echo nothing\n\n\
         [profile over-sso]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p\n"
    );
    let home = Home::with_endpoint(
        &config,
        "[keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n",
        &url,
    );
    for (args, flag, profile) in [
        (
            &["--use-device-code", "keys"][..],
            "--use-device-code",
            "keys",
        ),
        (&["--no-browser", "-j", "cp"], "--no-browser", "cp"),
        (
            &["--use-device-code", "-m", "keys"],
            "--use-device-code",
            "keys",
        ),
    ] {
        let out = run(&home, &url, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            stderr(&out),
            format!("aws-runas: {flag} is for an IAM Identity Center login, and profile '{profile}' does not use one: leave {flag} out\n"),
            "{args:?}"
        );
        assert!(stdout(&out).is_empty(), "{args:?}");
        assert!(
            !connected(&listener, Duration::from_millis(100)),
            "{args:?}"
        );
    }
    // A profile on an Identity Center source takes it: the run goes on to the services.
    let out = command(&home, &url, &["--use-device-code", "over-sso"])
        .env("AWS_RUNAS_LOCK_TIMEOUT", "5s")
        .output()
        .unwrap();
    assert!(
        !stderr(&out).contains("leave --use-device-code out"),
        "{}",
        stderr(&out)
    );
}
