//! Signing in from aws-runas against the sign-in stand-in (tests/emulator/login_standin.py), with
//! a "browser" that approves the page as its Allow button would (tests/util/signin_browser.py):
//! a run at a terminal whose session is over signs in again, for the profile's principal only;
//! `--login` refuses a profile with other credentials, signs in a role's source, and asks for a
//! region when it has none. Chromium, `--remote`, `--no-browser`, switching a profile to another
//! principal, the hostile answers and `--logout`: tests/login_flow/.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::login_standin::{caller_identity, login, login_home, post, standin, stats};
use crate::util::*;

/// The principal of a session other than the stand-in's.
const OTHER: &str = "arn:aws:iam::123456789012:user/someone-else";

/// The "browser": run as `BROWSER` with the URL, by the venv's python (first on the PATH).
fn browser() -> String {
    let script = Path::new(ROOT).join("tests/util/signin_browser.py");
    script.display().to_string()
}

/// The config file of `home`.
fn config(home: &Home) -> PathBuf {
    home.path().join(".aws/config")
}

fn count(url: &str, operation: &str) -> u64 {
    stats(url)[operation].as_u64().unwrap_or(0)
}

/// An ID token (unsigned: the CLI and aws-runas read its claims only) whose subject is `sub`.
fn id_token(sub: &str) -> String {
    use std::io::Write;
    let claims = json!({ "sub": sub }).to_string();
    let mut cmd = std::process::Command::new(venv_bin().join("python"))
        .args([
            "-c",
            "import base64,sys; print(base64.urlsafe_b64encode(sys.stdin.read().encode()).decode().rstrip('='))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    cmd.stdin
        .take()
        .unwrap()
        .write_all(claims.as_bytes())
        .unwrap();
    let out = cmd.wait_with_output().unwrap();
    format!("eyJhbGciOiJFUzM4NCJ9.{}.c2ln", stdout(&out).trim())
}

#[test]
fn a_run_at_a_terminal_signs_in_again_when_its_session_is_over_and_botocore_uses_the_new_one() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    login(&url, &home, true);
    assert_eq!(post(&url, "/_standin/expire", &json!({})), 200);
    let env = [
        ("AWS_ENDPOINT_URL_SIGNIN", url.as_str()),
        ("BROWSER", &browser()),
    ];
    let (before, pages) = (count(&url, "CreateOAuth2Token"), count(&url, "Authorize"));
    let run = home.run_on_terminal(&whoami(&["login"]), &[], &env);
    assert_eq!(run.status, 0, "{run:?}");
    assert!(
        run.stdout.contains("assumed-role/admin/login-user"),
        "{run:?}"
    );
    assert!(run.stderr.contains("has expired: signing in"), "{run:?}");
    // The refused refresh, then the code exchanged: one sign-in.
    assert_eq!(count(&url, "CreateOAuth2Token") - before, 2);
    assert_eq!(count(&url, "Authorize") - pages, 1);
    // The new session is the CLI's too: botocore uses it without a refresh.
    let out = caller_identity(&home, &url);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(&url, "CreateOAuth2Token") - before, 2);
    // Without a terminal, the one line (the new session is valid: expire it first).
    login(&url, &home, true);
    post(&url, "/_standin/expire", &json!({}));
    let out = home
        .cmd(whoami(&["login"]))
        .env("AWS_ENDPOINT_URL_SIGNIN", &url)
        .output()
        .unwrap();
    assert_one_line_error(&out, &["run aws-runas --login login"]);
}

#[test]
fn a_run_that_signs_in_as_another_principal_is_refused_and_writes_nothing() {
    let (_standin, url, session) = standin();
    let home = login_home(&session);
    login(&url, &home, true);
    post(&url, "/_standin/expire", &json!({}));
    let file = session_file(&home);
    let before = std::fs::read(&file).unwrap();
    let hostile = json!({ "token": { "idToken": id_token(OTHER) } });
    assert_eq!(post(&url, "/_standin/hostile", &hostile), 200);
    let env = [
        ("AWS_ENDPOINT_URL_SIGNIN", url.as_str()),
        ("BROWSER", &browser()),
    ];
    let run = home.run_on_terminal(&whoami(&["login"]), &[], &env);
    assert_eq!(run.status, 1, "{run:?}");
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains(&format!(
            "it signed in as {OTHER}, but the profile's login_session is {session}"
        )),
        "{run:?}"
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the session's file unchanged"
    );
    assert_eq!(session_file(&home), file, "and no other session written");
}

/// The one session file of `home`'s login cache.
fn session_file(home: &Home) -> PathBuf {
    let dir = home.path().join(".aws/login/cache");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.remove(0)
}

#[test]
fn login_refuses_other_credentials_signs_in_a_role_s_source_and_asks_for_a_region() {
    let (_standin, url, session) = standin();
    let text = "[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\n\
                [profile on-keys]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = keys\n\n\
                [profile via-login]\nrole_arn = arn:aws:iam::123456789012:role/login-chained\nsource_profile = login\n\n\
                [profile login]\nlogin_session = arn:aws:iam::123456789012:user/old\n";
    let home = Home::new(text, "");
    let login_as = |args: &[&str], extra: &[(&str, &str)]| {
        let mut cmd = home.cmd(args);
        cmd.env("AWS_ENDPOINT_URL_SIGNIN", &url)
            .env("BROWSER", browser());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let out = login_as(&["--login", "keys"], &[]);
    assert_one_line_error(
        &out,
        &[
            "profile 'keys' has aws_access_key_id",
            "aws-runas --login NEW-NAME",
        ],
    );
    let out = login_as(&["--login", "on-keys"], &[]);
    assert_one_line_error(
        &out,
        &["profile 'on-keys' has its credentials from profile 'keys'"],
    );
    assert_eq!(count(&url, "Authorize"), 0, "refused before any page");
    // A role's source signs in (without a terminal the switch is not asked: kept, exit 1).
    let out = login_as(&["--login", "via-login"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("signed in to AWS as {session}")),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("profile 'login' keeps its session"),
        "{}",
        stderr(&out)
    );
    let sessions = std::fs::read_dir(home.path().join(".aws/login/cache"))
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "json")
            })
            .count()
        })
        .unwrap_or(0);
    assert_eq!(
        sessions, 0,
        "a session the profile does not take is not kept"
    );
    // A new profile and no region anywhere, AWS's endpoint: --region is asked for.
    let out = login_as(
        &["--login", "fresh"],
        &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")],
    );
    assert_one_line_error(
        &out,
        &["no region to sign in to: run aws-runas --region REGION --login fresh"],
    );
    // With --region, the new profile gets login_session and region, appended.
    let out = login_as(&["--login", "--region", "eu-west-1", "fresh"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(config(&home)).unwrap();
    let (kept, added) = written.split_at(text.len());
    assert_eq!(kept, text);
    assert!(
        added.contains("[profile fresh]")
            && added.contains(&format!("login_session = {session}"))
            && added.contains("region = eu-west-1"),
        "{added}"
    );
}

#[test]
fn login_for_a_role_whose_source_has_nothing_yet_makes_the_source_a_login_and_the_role_works() {
    let (_standin, url, session) = standin();
    let text = "[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/login-chained\nsource_profile = base\n\n\
                [profile base]\nregion = us-east-1\n";
    let home = Home::new(text, "");
    let with = |cmd: &mut std::process::Command| {
        cmd.env("AWS_ENDPOINT_URL_SIGNIN", &url)
            .env("BROWSER", browser())
            .output()
            .unwrap()
    };
    let out = with(&mut home.cmd(["--login", "chained"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("for profile 'base'"),
        "{}",
        stderr(&out)
    );
    let written = std::fs::read_to_string(config(&home)).unwrap();
    assert_eq!(
        written,
        text.replace(
            "region = us-east-1\n",
            &format!("region = us-east-1\nlogin_session = {session}\n")
        )
    );
    // The role is assumed with the new session (login-chained trusts only it), and cached.
    let out = with(&mut home.cmd(whoami(&["chained"])));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("assumed-role/login-chained/"),
        "{}",
        stdout(&out)
    );
    assert!(home.path().join(".aws/.aws_assume_role_chained").exists());
}

#[test]
fn login_refuses_a_region_that_would_choose_the_host_and_a_name_the_config_cannot_take_before_any_page(
) {
    let (_standin, url, _) = standin();
    let text = "[profile evil]\nregion = 127.0.0.1:9/x#\n";
    let home = Home::new(text, "");
    let run = |args: &[&str], extra: &[(&str, &str)]| {
        let mut cmd = home.cmd(args);
        // AWS's own endpoint, chosen by the region: the path the region could turn.
        cmd.env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
            .env("BROWSER", browser());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let out = run(&["--login", "evil"], &[]);
    assert_one_line_error(
        &out,
        &["invalid region '127.0.0.1:9/x#' (from region of profile 'evil')"],
    );
    let out = run(
        &["--login", "other"],
        &[("AWS_REGION", "attacker.example/x#")],
    );
    assert_one_line_error(&out, &["(from environment AWS_REGION)"]);
    // A name no [profile NAME] header can hold: said before the page, with the stand-in.
    let out = home
        .cmd(["--region", "us-east-1", "--login", "a]b"])
        .env("AWS_ENDPOINT_URL_SIGNIN", &url)
        .env("BROWSER", browser())
        .output()
        .unwrap();
    assert_one_line_error(&out, &["profile 'a]b'"]);
    assert_eq!(count(&url, "Authorize"), 0, "no page was opened");
    assert_eq!(std::fs::read_to_string(config(&home)).unwrap(), text);
    assert!(!home.path().join(".aws/login/cache").exists());
}
