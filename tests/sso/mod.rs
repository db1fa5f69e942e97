//! IAM Identity Center: aws-runas against the SSO OIDC and portal stand-in
//! (tests/emulator/sso_standin.py, proven in standin.rs), whose role credentials are real
//! moto credentials. Logins by the device grant and by the code grant (in Chromium), shared with
//! botocore both ways; refresh; every mode with an SSO profile; parallel cold runs; bad token
//! files; and no token, refresh token, client secret or code in any output.

mod standin;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::*;
use standin::{sso_home, standin, standin_with};

const ADMIN: &str = "arn:aws:sts::123456789012:assumed-role/admin/sso-user";

/// `aws-runas args...` in `home`, pointed at the stand-in `url`.
fn runas(home: &Home, url: &str, args: &[&str]) -> Command {
    let mut cmd = home.cmd(args);
    cmd.envs(sso_env(url));
    cmd
}

/// The stand-in's calls by operation.
fn stats(url: &str) -> serde_json::Value {
    let authority = url.trim_start_matches("http://");
    let (_, body) = raw_http(
        authority,
        &format!("GET /_standin/stats HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"),
    );
    serde_json::from_str(&body).unwrap()
}

fn count(url: &str, operation: &str) -> u64 {
    stats(url)[operation].as_u64().unwrap_or(0)
}

/// Approves (or denies) the device code `user_code` as the user would on the page.
fn answer_device(url: &str, user_code: &str, action: &str) {
    let authority = url.trim_start_matches("http://");
    let form = format!("user_code={user_code}&action={action}");
    raw_http(
        authority,
        &format!("POST /device HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}", form.len()),
    );
}

/// `aws-runas --sso-login --use-device-code --no-browser sso-admin`, the code answered with
/// `action` (`allow`, `deny`, or `none`) once it is shown; the run's output.
fn device_run(home: &Home, url: &str, action: &str) -> Output {
    let mut child = runas(
        home,
        url,
        &[
            "--sso-login",
            "--use-device-code",
            "--no-browser",
            "sso-admin",
        ],
    )
    .stderr(Stdio::piped())
    .stdout(Stdio::piped())
    .spawn()
    .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut shown = String::new();
    err.read_line(&mut shown).unwrap();
    let code = shown
        .split("enter the code ")
        .nth(1)
        .unwrap_or_else(|| panic!("no code in {shown:?}"))
        .trim()
        .to_string();
    if action != "none" {
        answer_device(url, &code, action);
    }
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let mut out = child.wait_with_output().unwrap();
    out.stderr = format!("{shown}{rest}").into_bytes();
    out
}

/// The session `corp`'s token file in `home`.
fn token_file(home: &Home) -> PathBuf {
    let out = Command::new(venv_bin().join("python"))
        .args([
            "-c",
            "import hashlib; print(hashlib.sha1(b'corp').hexdigest())",
        ])
        .output()
        .unwrap();
    home.path()
        .join(".aws/sso/cache")
        .join(format!("{}.json", stdout(&out).trim()))
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Asserts that none of the login's secrets (tokens, client secret) is in `text`.
#[track_caller]
fn assert_no_secret(text: &str, home: &Home) {
    let Ok(data) = std::fs::read_to_string(token_file(home)) else {
        return;
    };
    let token: serde_json::Value = serde_json::from_str(&data).unwrap();
    for key in ["accessToken", "refreshToken", "clientSecret"] {
        if let Some(secret) = token[key].as_str() {
            assert!(!text.contains(secret), "{key} in {text}");
        }
    }
    assert!(!text.contains("dc-") && !text.contains("code-"), "{text}");
}

/// A home whose `corp` login is made by aws-runas's device grant through the stand-in.
fn logged_in(url: &str) -> Home {
    let home = sso_home();
    let out = device_run(&home, url, "allow");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_no_secret(&stderr(&out), &home);
    home
}

/// An emulator whose role credentials last `lifetime` seconds, the stand-in minting in it (with
/// `standin_env`), and a home logged in through them; the SSO endpoint variables to pass.
fn short_lived(lifetime: &str, standin_env: &[(&str, &str)]) -> (Emulator, Helper, String, Home) {
    let e = Emulator::start_with(&[("EMULATOR_ROLE_LIFETIME", lifetime)]);
    let (standin, url) = standin::standin_on(&e, standin_env);
    let home = Home::with_endpoint(standin::SSO_CONFIG, "", &e.endpoint);
    let out = device_run(&home, &url, "allow");
    assert!(out.status.success(), "{}", stderr(&out));
    (e, standin, url, home)
}

/// The SSO endpoint variables for the stand-in at `url`.
fn sso_env(url: &str) -> [(&'static str, &str); 2] {
    [
        ("AWS_ENDPOINT_URL_SSO", url),
        ("AWS_ENDPOINT_URL_SSO_OIDC", url),
    ]
}

/// `argv` (the aws CLI, or setsid running aws-runas) in `home`, pointed at the stand-in.
fn sso_command(home: &Home, url: &str, argv: &[&str]) -> Command {
    let mut cmd = Command::new(argv[0]);
    cmd.args(&argv[1..]);
    home.isolate(&mut cmd);
    cmd.envs(sso_env(url));
    cmd
}

/// `aws-runas args...` without a controlling terminal, pointed at the stand-in.
fn without_terminal(home: &Home, url: &str, args: &[&str]) -> Output {
    let mut argv = vec!["setsid", "--wait", BIN];
    argv.extend_from_slice(args);
    sso_command(home, url, &argv).output().unwrap()
}

/// Sets the login's `expiresAt` to `seconds` from now (and `registrationExpiresAt` too, when
/// given), as botocore writes times.
fn age_token(home: &Home, seconds: i64, registration: Option<i64>) {
    let script = "import datetime,json,sys; p=sys.argv[1]; d=json.load(open(p)); now=datetime.datetime.now(datetime.timezone.utc); \
        iso=lambda s: (now+datetime.timedelta(seconds=int(s))).strftime('%Y-%m-%dT%H:%M:%SUTC'); d['expiresAt']=iso(sys.argv[2]); \
        d.update({'registrationExpiresAt': iso(sys.argv[3])} if sys.argv[3] != 'keep' else {}); json.dump(d, open(p,'w'))";
    let registration = registration.map_or("keep".to_string(), |r| r.to_string());
    let out = Command::new(venv_bin().join("python"))
        .args([
            "-c",
            script,
            token_file(home).to_str().unwrap(),
            &seconds.to_string(),
            &registration,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_device_login_gives_every_mode_the_role_and_a_cached_run_asks_nothing() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    let file = token_file(&home);
    let meta = std::fs::metadata(&file).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let token = read_json(&file);
    for key in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "refreshToken",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
    ] {
        assert!(token[key].is_string(), "{key} in {token}");
    }
    // The wrapped command.
    let out = runas(&home, &url, &whoami(&["sso-admin"]))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), ADMIN);
    assert!(home.cache_file(".aws_sso_sso-admin").exists());
    // Cached runs make no request: exports and -j.
    let before = stats(&url);
    let out = runas(&home, &url, &["sso-admin"]).output().unwrap();
    assert!(
        stdout(&out).contains("AWS_SESSION_TOKEN"),
        "{}",
        stderr(&out)
    );
    let out = runas(&home, &url, &["-j", "sso-admin"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(stats(&url), before);
    // -D: the token's expiry and whether it can be refreshed, never the token.
    let out = runas(&home, &url, &["-D", "sso-admin"]).output().unwrap();
    let report = stdout(&out);
    assert!(
        report.contains("IAM Identity Center token of sso-session 'corp'"),
        "{report}"
    );
    assert!(report.contains("can be refreshed until"), "{report}");
    assert!(
        report.contains("IAM Identity Center role AdministratorAccess in account 123456789012"),
        "{report}"
    );
    assert_no_secret(&report, &home);
    assert_no_secret(&stderr(&out), &home);
}

#[test]
fn our_login_is_used_by_botocore_and_a_login_botocore_refreshed_is_used_by_us() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    // botocore's SSO provider (the aws CLI) with our login: no login of its own.
    let aws = [
        "aws",
        "sts",
        "get-caller-identity",
        "--profile",
        "sso-admin",
    ];
    let mut cmd = sso_command(&home, &url, &aws);
    cmd.args(["--query", "Arn", "--output", "text"]);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), ADMIN);
    // botocore refreshes a token near expiry and writes the file; we use what it wrote.
    age_token(&home, 300, None);
    let before = read_json(&token_file(&home));
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let refreshed = read_json(&token_file(&home));
    assert_ne!(refreshed["accessToken"], before["accessToken"]);
    let tokens = count(&url, "CreateToken");
    let out = runas(&home, &url, &whoami(&["sso-admin"]))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), ADMIN);
    assert_eq!(count(&url, "CreateToken"), tokens, "no refresh of ours");
}

#[test]
fn a_token_near_expiry_is_refreshed_once_keeping_the_rotated_refresh_token() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    age_token(&home, 600, None);
    let before = read_json(&token_file(&home));
    let tokens = count(&url, "CreateToken");
    // 8 parallel cold runs: one refresh, one GetRoleCredentials.
    let roles = count(&url, "GetRoleCredentials");
    let runs: Vec<_> = (0..8)
        .map(|_| {
            runas(&home, &url, &whoami(&["sso-admin"]))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out).trim(), ADMIN);
        assert_no_secret(&stderr(&out), &home);
    }
    assert_eq!(count(&url, "CreateToken") - tokens, 1);
    assert_eq!(count(&url, "GetRoleCredentials") - roles, 1);
    let after = read_json(&token_file(&home));
    assert_ne!(after["accessToken"], before["accessToken"]);
    assert_ne!(
        after["refreshToken"], before["refreshToken"],
        "rotated refresh token kept"
    );
    assert_eq!(after["clientSecret"], before["clientSecret"]);
    // The old refresh token is spent; the new one works (botocore refreshes with it).
    age_token(&home, 300, None);
    let aws = [
        "aws",
        "sts",
        "get-caller-identity",
        "--profile",
        "sso-admin",
    ];
    assert!(sso_command(&home, &url, &aws)
        .output()
        .unwrap()
        .status
        .success());
    assert_ne!(
        read_json(&token_file(&home))["refreshToken"],
        after["refreshToken"]
    );
}

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
fn a_role_profile_with_an_sso_source_and_w_l_c_and_logout() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    // A role assumed with the portal's credentials.
    let out = runas(&home, &url, &whoami(&["via-sso"])).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "arn:aws:sts::123456789012:assumed-role/sso-chained/sso-user"
    );
    // -w: the portal's role credentials federate (they are a role's).
    let signin = Helper::start("signin_standin.py", &[&emulator().endpoint]);
    let out = runas(&home, &url, &["-w", "sso-admin"])
        .env("AWS_RUNAS_SIGNIN_URL", &signin.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!("{}?Action=login&", signin.url)));
    // -l: every account and role the login reaches, paged.
    let out = runas(&home, &url, &["-l", "sso-admin"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "123456789012  sandbox  AdministratorAccess\n123456789012  sandbox  ReadOnlyAccess\n"
    );
    // -c: the pairs not configured yet, as INI that botocore reads, each section working.
    let out = runas(&home, &url, &["-c", "sso-admin"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let sections = stdout(&out);
    assert!(
        sections.starts_with("[profile sandbox.ReadOnlyAccess]\n"),
        "{sections}"
    );
    assert!(!sections.contains("AdministratorAccess"), "{sections}");
    let config = home.path().join(".aws/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push('\n');
    text.push_str(&sections);
    std::fs::write(&config, text).unwrap();
    let out = runas(&home, &url, &whoami(&["sandbox.ReadOnlyAccess"]))
        .output()
        .unwrap();
    // The stand-in's ReadOnlyAccess stands for the emulator's role `ext`.
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "arn:aws:sts::123456789012:assumed-role/ext/sso-user"
    );
    // --sso-logout: the portal's Logout, the token file and the cached credentials gone.
    let token = read_json(&token_file(&home));
    let out = runas(&home, &url, &["--sso-logout", "sso-admin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("logged out of IAM Identity Center"),
        "{}",
        stderr(&out)
    );
    assert_eq!(count(&url, "Logout"), 1);
    assert!(!token_file(&home).exists());
    for file in [
        ".aws_sso_sso-admin",
        ".aws_assume_role_via-sso",
        ".aws_sso_sandbox.ReadOnlyAccess",
    ] {
        assert!(!home.cache_file(file).exists(), "{file}");
    }
    // The token is dead at the portal too.
    let authority = url.trim_start_matches("http://");
    let (status, _) = raw_http(
        authority,
        &format!(
            "GET /assignment/accounts HTTP/1.1\r\nHost: {authority}\r\nx-amz-sso_bearer_token: {}\r\nConnection: close\r\n\r\n",
            token["accessToken"].as_str().unwrap()
        ),
    );
    assert_eq!(status, 401);
}

#[test]
fn a_corrupt_linked_or_shared_token_file_is_a_miss_with_a_warning_never_followed() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    let file = token_file(&home);
    let good = std::fs::read(&file).unwrap();
    let no_terminal = |home: &Home| without_terminal(home, &url, &["-r", "sso-admin"]);
    // Corrupt.
    std::fs::write(&file, b"{not json").unwrap();
    let out = no_terminal(&home);
    let err = stderr(&out);
    assert!(err.contains("is not a token"), "{err}");
    assert!(err.contains("run aws-runas --sso-login sso-admin"), "{err}");
    // A link to a good token elsewhere: not followed.
    let elsewhere = home.path().join("elsewhere.json");
    std::fs::write(&elsewhere, &good).unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
    let err = stderr(&no_terminal(&home));
    assert!(err.contains("it is a symbolic link"), "{err}");
    assert!(std::fs::symlink_metadata(&file)
        .unwrap()
        .file_type()
        .is_symlink());
    // Writable by others.
    std::fs::remove_file(&file).unwrap();
    std::fs::write(&file, &good).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let err = stderr(&no_terminal(&home));
    assert!(err.contains("writable by other users"), "{err}");
    // Back to private: used.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = no_terminal(&home);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
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
fn ec2_and_ecs_renew_silently_while_the_token_refreshes_and_boto3_never_fails() {
    // Role credentials of 30 s, and a token always inside its refresh window: every renewal
    // refreshes the token too.
    let (_e, _standin, url, home) = short_lived("30", &[("SSO_STANDIN_TOKEN_SECONDS", "905")]);
    let sso = sso_env(&url);
    let ec2 = crate::serve::endpoints::Running::start(&home, &["--ec2", "sso-admin"], &sso, 1);
    let endpoint = ec2.export("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    let python = venv_bin().join("python");
    let seconds = "50";
    let loop_script = crate::serve::endpoints::BOTO3_LOOP;
    let ec2_loop = crate::serve::endpoints::boto3_loop_on_ec2(&home, &endpoint, seconds);
    let ecs_loop = runas(
        &home,
        &url,
        &[
            "--ecs",
            "sso-admin",
            python.to_str().unwrap(),
            "-c",
            loop_script,
            seconds,
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let refreshes = count(&url, "CreateToken");
    for (name, child) in [("--ec2", ec2_loop), ("--ecs", ecs_loop)] {
        let out = crate::serve::endpoints::assert_boto3_loop(name, child, 20);
        assert_no_secret(&stderr(&out), &home);
    }
    assert!(count(&url, "CreateToken") > refreshes, "{}", stats(&url));
    let (code, _, log) = ec2.stop();
    assert_eq!(code, Some(0));
    assert!(
        log.matches("renewed the credentials of sso-admin").count() >= 1,
        "{log}"
    );
    assert!(!log.contains("warning"), "silent: {log}");
    assert_no_secret(&log, &home);
}

#[test]
fn incomplete_or_conflicting_settings_are_one_line_naming_profile_session_and_key_as_botocore_refuses(
) {
    let session = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
    let cases = [
        (
            "[profile p]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n".to_string(),
            vec!["profile 'p'", "sso_session 'nope'", "[sso-session nope]"],
        ),
        (
            format!("{session}[profile p]\nsso_session = corp\nsso_account_id = 1\n"),
            vec!["profile 'p'", "sso_role_name", "[sso-session corp]"],
        ),
        (
            format!("{session}[profile p]\nsso_session = corp\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n"),
            vec!["profile 'p'", "sso_region", "[sso-session corp]", "'us-east-1'", "'eu-west-1'"],
        ),
        (
            "[sso-session corp]\nsso_region = eu-west-1\n[profile p]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n".to_string(),
            vec!["profile 'p'", "sso_start_url", "[sso-session corp]"],
        ),
        (
            "[profile p]\nsso_start_url = https://corp.awsapps.com/start\nsso_account_id = 1\nsso_role_name = R\n".to_string(),
            vec!["profile 'p'", "sso_region"],
        ),
    ];
    let botocore = "import sys, botocore.session\ntry:\n    botocore.session.Session(profile='p').get_credentials()\n    print('none')\nexcept Exception as e:\n    print(type(e).__name__)";
    for (config, wanted) in cases {
        let home = Home::new(&config, "");
        let out = home.run(["p"]);
        assert_one_line_error(&out, &wanted);
        let theirs = home.run_command(&["python", "-c", botocore]);
        assert_eq!(
            stdout(&theirs).trim(),
            "InvalidConfigError",
            "{config}: {}",
            stderr(&theirs)
        );
    }
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

#[test]
fn an_endpoint_whose_login_must_be_renewed_warns_once_and_serves_until_expiry() {
    let (_e, _standin, url, home) = short_lived("20", &[]);
    let sso = sso_env(&url);
    let ecs = crate::serve::endpoints::Running::start(&home, &["--ecs", "sso-admin"], &sso, 2);
    // The login ends: expired, and no refresh possible.
    age_token(&home, -60, Some(-60));
    std::thread::sleep(std::time::Duration::from_secs(25));
    let (code, _, log) = ecs.stop();
    assert_eq!(code, Some(0));
    assert_eq!(
        log.matches("cannot renew the credentials of sso-admin")
            .count(),
        1,
        "{log}"
    );
    assert!(log.contains("run aws-runas --sso-login sso-admin"), "{log}");
    assert_no_secret(&log, &home);
}

#[test]
#[ignore = "needs root, to play another user (make test runs it as root)"]
fn a_token_file_of_another_user_is_never_used() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    let file = token_file(&home);
    std::os::unix::fs::lchown(&file, Some(65534), Some(65534)).unwrap();
    let out = without_terminal(&home, &url, &["-r", "sso-admin"]);
    let err = stderr(&out);
    assert!(err.contains("owned by another user"), "{err}");
    assert!(err.contains("run aws-runas --sso-login sso-admin"), "{err}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_token_cache_that_cannot_be_written_still_gives_its_token_while_it_lasts() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    // Due for a refresh, but the cache's private directory cannot be made (a file is there).
    age_token(&home, 600, None);
    let private = home.path().join(".aws/sso/cache/.aws-runas");
    std::fs::remove_dir_all(&private).unwrap();
    std::fs::write(&private, b"").unwrap();
    let tokens = count(&url, "CreateToken");
    let out = runas(&home, &url, &whoami(&["sso-admin"]))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), ADMIN);
    assert_eq!(count(&url, "CreateToken"), tokens);
    // Expired as well: then it says why.
    age_token(&home, -60, None);
    std::fs::remove_file(home.cache_file(".aws_sso_sso-admin")).unwrap();
    let out = runas(&home, &url, &["sso-admin"]).output().unwrap();
    assert_one_line_error(
        &out,
        &[
            "cannot use the token cache",
            ".aws-runas is not a directory",
        ],
    );
}
