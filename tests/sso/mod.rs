//! IAM Identity Center: aws-runas against the SSO OIDC and portal stand-in
//! (tests/emulator/sso_standin.py, proven in `standin`), whose role credentials are real moto
//! credentials. Logins (`login`), the login's redirect under a hostile local process
//! (`callback`), the token file shared with botocore and refreshed (`token`), every mode with
//! an SSO profile (`modes`), what `-D` says of one (`diagnose`), a logout racing a run
//! (`logout_race`), the endpoints serving one (`serve`), settings botocore refuses
//! (`settings`), a hostile portal's names (`hostile_names`), populating a config from `-l`/`-c`
//! (`populate`), what a hostile service gets otherwise (`hostile_services`), what a login
//! tells the person at the terminal (`cli_messages`) and which logins there are, every one at
//! once (`all_sessions`); no token, refresh token, client secret or code in any output.
//! Here: what those files share (a login by the device grant, the token file and its age, the
//! stand-in's counts and portal lists, a config pasted into, and the check that no secret of
//! the login is in a text).

mod all_sessions;
mod callback;
mod cli_messages;
mod diagnose;
mod hostile_names;
mod hostile_services;
mod login;
mod logout_race;
mod modes;
mod populate;
mod serve;
mod settings;
mod standin;
mod token;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::*;
use standin::{post, sso_home, standin, standin_with};

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

/// Asserts that none of the login's secrets (tokens, client secret), read from its token file in
/// `home`, is in `text`. A token file that is missing, unreadable or holds none of them fails:
/// with nothing to look for, the check would pass whatever `text` held.
#[track_caller]
fn assert_no_secret(text: &str, home: &Home) {
    let file = token_file(home);
    let data = std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "no secret to look for: the token file {} cannot be read ({e})",
            file.display()
        )
    });
    let token: serde_json::Value = serde_json::from_str(&data).unwrap_or_else(|e| {
        panic!(
            "no secret to look for: the token file {} is not JSON ({e}): {data:?}",
            file.display()
        )
    });
    let secrets: Vec<(&str, &str)> = ["accessToken", "refreshToken", "clientSecret"]
        .into_iter()
        .filter_map(|key| Some((key, token[key].as_str().filter(|s| !s.is_empty())?)))
        .collect();
    assert!(
        !secrets.is_empty(),
        "no secret to look for: the token file {} holds no token or client secret: {data:?}",
        file.display()
    );
    for (key, secret) in secrets {
        assert!(!text.contains(secret), "{key} in {text}");
    }
    assert!(!text.contains("dc-") && !text.contains("code-"), "{text}");
}

#[test]
#[should_panic(expected = "no secret to look for: the token file")]
fn the_no_secret_check_fails_without_a_token_file_to_read_the_secrets_from() {
    assert_no_secret("any text", &sso_home());
}

#[test]
#[should_panic(expected = "no secret to look for: the token file")]
fn the_no_secret_check_fails_with_an_empty_token_file() {
    let home = sso_home();
    let file = token_file(&home);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "").unwrap();
    assert_no_secret("any text", &home);
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

/// Tells the stand-in at `url` to answer ListAccounts and ListAccountRoles with `accounts` and
/// `roles` (`{account id: [role name, ...]}`).
fn portal_lists(url: &str, accounts: serde_json::Value, roles: serde_json::Value) {
    let hostile = serde_json::json!({"accounts": accounts, "roles": roles});
    assert_eq!(post(url, "/_standin/hostile", &hostile).0, 200);
}

/// Appends `text` to the config file of `home`.
fn paste(home: &Home, text: &str) {
    let config = home.path().join(".aws/config");
    let mut all = std::fs::read_to_string(&config).unwrap();
    all.push('\n');
    all.push_str(text);
    std::fs::write(&config, all).unwrap();
}

/// `aws configure get sso_account_id --profile <profile>` in `home`: the account botocore reads
/// for the profile (every CLI command fails when the config does not parse).
#[track_caller]
fn aws_account_of(home: &Home, url: &str, profile: &str) -> String {
    let argv = [
        "aws",
        "configure",
        "get",
        "sso_account_id",
        "--profile",
        profile,
    ];
    let out = sso_command(home, url, &argv).output().unwrap();
    assert!(out.status.success(), "{profile}: {}", stderr(&out));
    stdout(&out).trim().to_string()
}
