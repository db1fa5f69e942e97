//! The same-device login (the default): the authorize URL opened with `BROWSER` and printed, the
//! redirect caught on 127.0.0.1, the code exchanged; the session then used by botocore, the JS
//! SDK and aws-runas without a sign-in request. In headless Chromium on a real terminal, and with
//! a plain-HTTP browser (`--region`, `-v`); `--no-browser` prints the URL and opens nothing; a
//! login as another principal than the profile's asks at the terminal before it switches.

use super::*;

/// The start of the same-device authorize URL at the stand-in `url`, as LOGIN-PROTOCOL.md §5
/// renders it, up to the state.
fn authorize_start(url: &str) -> String {
    format!(
        "{url}/v1/authorize?response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device&state="
    )
}

/// Asserts `text` holds the same-device authorize URL with the rest of its query.
#[track_caller]
fn assert_authorize_url(text: &str, url: &str) {
    let start = authorize_start(url);
    let at = text
        .find(&start)
        .unwrap_or_else(|| panic!("no {start} in:\n{text}"));
    let line = text[at..].lines().next().unwrap();
    for part in [
        "&code_challenge_method=SHA-256&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A",
        "%2Foauth%2Fcallback&code_challenge=",
    ] {
        assert!(line.contains(part), "{part} in {line}");
    }
}

/// `python -c boto3...get_caller_identity()` with the profile `login`, signing in at `url`.
fn boto3_identity(home: &Home, url: &str) -> Output {
    let script = format!(
        "import boto3; print(boto3.Session(profile_name='login').client('sts', endpoint_url='{}').get_caller_identity()['Arn'])",
        home.endpoint
    );
    let mut cmd = Command::new(venv_bin().join("python"));
    cmd.args(["-c", &script]);
    home.isolate(&mut cmd);
    cmd.env("AWS_ENDPOINT_URL_SIGNIN", url).output().unwrap()
}

fn code_grants(url: &str) -> u64 {
    stats(url)["CreateOAuth2Token"].as_u64().unwrap_or(0)
}

/// Asserts botocore, the JS SDK and aws-runas (`-v`, running a command) use the session in
/// `home` as it is: no sign-in request; every output free of `secrets`.
fn used_by_botocore_the_js_sdk_and_aws_runas(home: &Home, url: &str, session: &str, doc: &Value) {
    let secrets = secrets(url, Some(doc), &[]);
    let out = boto3_identity(home, url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session);
    assert_eq!(code_grants(url), 1, "botocore made a sign-in request");
    let out = js_credentials(home, url);
    assert!(out.status.success(), "{}", stderr(&out));
    let js: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(js["accessKeyId"], doc["accessToken"]["accessKeyId"]);
    assert_eq!(code_grants(url), 1, "the JS SDK made a sign-in request");
    let out = runas(home, url, &whoami(&["-v", "login"]))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session);
    assert_eq!(code_grants(url), 1, "aws-runas made a sign-in request");
    assert_no_secret(&format!("{}{}", stdout(&out), stderr(&out)), &secrets);
}

#[test]
#[ignore = "slow: starts headless Chromium"]
fn a_login_in_chromium_on_a_terminal_is_used_by_botocore_the_js_sdk_and_aws_runas() {
    assert!(browser_ready());
    let (_standin, url, session) = standin();
    let home = login_home();
    let (script, report_path) = browser(&home, Browser::Chromium);
    let run = home.run_on_terminal(
        &["-v", "--login", "login"],
        &[],
        &[
            ("AWS_ENDPOINT_URL_SIGNIN", &url),
            ("BROWSER", script.to_str().unwrap()),
        ],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let seen = report(&report_path);
    assert_eq!(seen["allow"], true, "{seen}");
    let landed = seen["landed"].as_str().unwrap_or_default();
    assert!(
        landed.starts_with("http://127.0.0.1:") && landed.ends_with("/oauth/callback"),
        "{seen}"
    );
    assert_eq!(seen["status"], 200, "{seen}");
    assert_authorize_url(&run.stderr, &url);
    let doc = cache_document(&cache_dir(&home), &session, SAME_DEVICE);
    assert_config_gained(&home, &session, None);
    assert_eq!(code_grants(&url), 1);
    let all = format!("{}{}{}", run.tty, run.stdout, run.stderr);
    assert_no_secret(&all, &secrets(&url, Some(&doc), &[&seen]));
    // The loopback listener is closed after its one answer.
    let port: u16 = landed["http://127.0.0.1:".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    used_by_botocore_the_js_sdk_and_aws_runas(&home, &url, &session, &doc);
}

#[test]
fn a_login_with_region_keeps_the_profile_s_own_region_and_verbose_shows_no_secret() {
    let (_standin, url, session) = standin();
    let home = login_home();
    let (script, report_path) = browser(&home, Browser::Http);
    let mut cmd = runas(
        &home,
        &url,
        &["-v", "--login", "--region", "eu-central-1", "login"],
    );
    cmd.env("BROWSER", &script);
    let out = bounded(cmd, 30);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(stdout(&out), "", "{err}");
    assert_authorize_url(&err, &url);
    let seen = report(&report_path);
    assert_eq!(seen["status"], 200, "{seen}");
    let doc = cache_document(&cache_dir(&home), &session, SAME_DEVICE);
    // The profile has a region of its own: it keeps it (as aws login writes a region only into
    // a profile without one); the sign-in went to the one given.
    assert_config_gained(&home, &session, None);
    assert_no_secret(&err, &secrets(&url, Some(&doc), &[&seen]));
    // Negative control: the same login again keeps the config as it is now.
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    let mut cmd = runas(
        &home,
        &url,
        &["--login", "--region", "eu-central-1", "login"],
    );
    cmd.env("BROWSER", &script);
    let out = bounded(cmd, 30);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    assert_eq!(again, config, "a second login changed the config");
    assert_eq!(code_grants(&url), 2);
}

#[test]
fn no_browser_prints_the_url_and_opens_nothing() {
    let (_standin, url, session) = standin();
    let home = login_home();
    let marker = home.path().join("opened");
    let script = home.path().join("marker.sh");
    std::fs::write(&script, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Followed by hand (plain HTTP) once printed, as a person would in a browser of their own.
    let run = home.run_on_terminal(
        &["--login", "--no-browser", "login"],
        &[Answer::Paste("browse")],
        &[
            ("AWS_ENDPOINT_URL_SIGNIN", &url),
            ("BROWSER", script.to_str().unwrap()),
        ],
    );
    assert_eq!(run.status, 0, "{run:?}");
    assert!(!marker.exists(), "BROWSER was run");
    assert_authorize_url(&format!("{}{}", run.tty, run.stderr), &url);
    let seen = &run.pasted[0]["seen"];
    assert_eq!(seen["status"], 200, "{run:?}");
    let doc = cache_document(&cache_dir(&home), &session, SAME_DEVICE);
    assert_config_gained(&home, &session, None);
    let all = format!("{}{}{}", run.tty, run.stdout, run.stderr);
    assert_no_secret(&all, &secrets(&url, Some(&doc), &[seen]));
}

#[test]
fn a_login_as_another_principal_asks_before_switching_the_profile() {
    let (_standin, url, session) = standin();
    let old = "arn:aws:iam::123456789012:user/someone-else";
    let config = CONFIG.replace(
        "# its own comment\n",
        &format!("# its own comment\nlogin_session = {old}\n"),
    );
    for (answer, switched) in [("n", false), ("y", true)] {
        let home = Home::new(&config, "");
        let role = home.cache_file(".aws_assume_role_dev");
        std::fs::write(&role, "{}").unwrap();
        let (script, _report) = browser(&home, Browser::Http);
        let run = home.run_on_terminal(
            &["--login", "login"],
            &[Answer::Question("(y/n) ", answer)],
            &[
                ("AWS_ENDPOINT_URL_SIGNIN", &url),
                ("BROWSER", script.to_str().unwrap()),
            ],
        );
        let after = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
        assert!(
            run.tty.contains(old) && run.tty.contains(&session),
            "{run:?}"
        );
        if switched {
            assert_eq!(run.status, 0, "{run:?}");
            // The line replaced where it was, every other byte kept.
            assert_eq!(after, config.replace(old, &session));
            assert!(!role.exists(), "the role credentials of {old} were kept");
        } else {
            assert_eq!(run.status, 1, "{run:?}");
            assert_eq!(after, config, "the profile switched without a yes");
            assert!(role.exists(), "the role credentials were removed");
        }
    }
}
