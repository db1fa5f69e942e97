//! `-D` on an Identity Center profile and on a role over one: the login's settings and the
//! account and role, each with where it was read; the token's expiry and whether it can be
//! refreshed; each cache file a run reads and what it holds. None of an IAM user's lines
//! (session token duration, MFA serial unless the role sets one, the profile as its own source),
//! and no token, refresh token, client secret or cached secret in any output.

use super::*;
use crate::util::*;

/// The rows every `-D` of `sso-admin`'s login and role shows, from `profile` (`profile
/// 'sso-admin'` or `source profile 'sso-admin'`).
fn login_rows(from: &str) -> Vec<String> {
    vec![
        format!("SSO SESSION: corp (from {from})\n"),
        "SSO START URL: https://standin.awsapps.example/start (from [sso-session corp])\n".into(),
        "SSO REGION: us-east-1 (from [sso-session corp])\n".into(),
        format!("SSO ACCOUNT ID: 123456789012 (from {from})\n"),
        format!("SSO ROLE NAME: AdministratorAccess (from {from})\n"),
    ]
}

/// `-D profile` in `home`: its report and exit code. It says everything on stdout, and holds no
/// secret of the login (as it was before the run, which may refresh it, and after) or of the
/// cached credentials.
fn diagnose(home: &Home, url: &str, profile: &str) -> (String, i32) {
    let before = read_json(&token_file(home));
    let out = runas(home, url, &["-D", profile]).output().unwrap();
    let (report, err) = (stdout(&out), stderr(&out));
    assert_eq!(err, "", "-D says everything on stdout");
    for text in [&report, &err] {
        assert_no_secret(text, home);
        for key in ["accessToken", "refreshToken", "clientSecret"] {
            let secret = before[key].as_str().unwrap();
            assert!(!text.contains(secret), "{key} in {text}");
        }
        for file in [".aws_sso_sso-admin", ".aws_assume_role_via-sso"] {
            let Ok(data) = std::fs::read_to_string(home.cache_file(file)) else {
                continue;
            };
            let entry: serde_json::Value = serde_json::from_str(&data).unwrap();
            for key in ["SecretAccessKey", "SessionToken"] {
                let secret = entry[key].as_str().unwrap();
                assert!(!text.contains(secret), "{key} of {file} in {text}");
            }
        }
    }
    (report, out.status.code().unwrap())
}

/// `text` holds each of `wanted`.
#[track_caller]
fn assert_has<S: AsRef<str>>(text: &str, wanted: &[S]) {
    for w in wanted {
        assert!(text.contains(w.as_ref()), "{:?} in\n{text}", w.as_ref());
    }
}

/// None of an IAM user's rows: no session token, no MFA serial, and no profile as its own
/// source.
#[track_caller]
fn assert_no_iam_user_rows(text: &str) {
    for row in [
        "SESSION TOKEN DURATION",
        "MFA SERIAL",
        "SOURCE PROFILE: sso-admin",
    ] {
        assert!(!text.contains(row), "{row:?} in\n{text}");
    }
}

/// `profile`'s credentials fetched (and cached) by a run of the aws CLI through aws-runas.
fn fetch(home: &Home, url: &str, profile: &str) {
    let out = runas(home, url, &whoami(&[profile])).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The token's line, tagged `tag`.
#[track_caller]
fn token_line<'a>(report: &'a str, tag: &str) -> &'a str {
    line(
        report,
        &format!("{tag} IAM Identity Center token of sso-session 'corp' ("),
    )
}

/// The line on `sso-admin`'s cached role credentials, there and read.
#[track_caller]
fn sso_cache_line(report: &str) -> &str {
    line(
        report,
        "OK cached IAM Identity Center role credentials of profile 'sso-admin' (",
    )
}

/// The line that starts with `start`.
#[track_caller]
fn line<'a>(text: &'a str, start: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in\n{text}"))
}

/// Sets the `Expiration` of the cache file `name` in `home` to `seconds` from now.
fn age_cache(home: &Home, name: &str, seconds: i64) {
    let path = home.cache_file(name);
    let mut entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    entry["Expiration"] = (now + seconds).into();
    std::fs::write(&path, entry.to_string()).unwrap();
}

#[test]
fn an_sso_profile_with_a_fresh_token_and_cached_role_credentials_shows_its_login_role_and_cache() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    fetch(&home, &url, "sso-admin");
    let portal = count(&url, "GetRoleCredentials");
    let (report, code) = diagnose(&home, &url, "sso-admin");
    assert_eq!(code, 0, "{report}");
    let token = token_line(&report, "OK");
    assert!(
        token.contains(": expires ") && token.contains(", can be refreshed until "),
        "{token}"
    );
    let cache = sso_cache_line(&report);
    assert!(
        cache.contains(".aws/.aws_sso_sso-admin): valid until ") && cache.contains(", used until "),
        "{cache}"
    );
    assert_has(&report, &login_rows("profile 'sso-admin'"));
    assert_has(
        &report,
        &["PROFILE: sso-admin\nREGION: us-east-1 (from profile 'sso-admin')\nSSO SESSION"],
    );
    assert_no_iam_user_rows(&report);
    // No role: none of a role's rows either.
    assert!(!report.contains("ROLE ARN"), "{report}");
    // The cached credentials were used: no call to the portal.
    assert_eq!(count(&url, "GetRoleCredentials"), portal);
}

#[test]
fn an_expired_token_that_can_be_refreshed_is_said_so_and_no_cached_credentials_are_none() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    age_token(&home, -120, None);
    let (report, code) = diagnose(&home, &url, "sso-admin");
    assert_eq!(code, 0, "{report}");
    let token = token_line(&report, "OK");
    assert!(
        token.contains(": expired ") && token.contains(", can be refreshed until "),
        "{token}"
    );
    assert_has(
        &report,
        &["OK no cached IAM Identity Center role credentials of profile 'sso-admin' ("],
    );
    assert_has(
        &report,
        &[".aws/.aws_sso_sso-admin): the next run fetches them\n"],
    );
    assert_has(&report, &login_rows("profile 'sso-admin'"));
    assert_no_iam_user_rows(&report);
}

#[test]
fn a_token_that_cannot_be_refreshed_is_a_warning_and_expired_role_credentials_are_said_so() {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    fetch(&home, &url, "sso-admin");
    age_cache(&home, ".aws_sso_sso-admin", -60);
    age_token(&home, -120, Some(-60));
    let (report, code) = diagnose(&home, &url, "sso-admin");
    // No login without a terminal, so no source credentials: an ERROR.
    assert_eq!(code, 1, "{report}");
    let token = token_line(&report, "WARN");
    assert!(
        token.contains(": expired ")
            && token.ends_with(", cannot be refreshed: its client registration has expired"),
        "{token}"
    );
    let cache = sso_cache_line(&report);
    assert!(
        cache.contains("): expired ") && cache.ends_with("; the next run fetches new ones"),
        "{cache}"
    );
    assert_has(&report, &["ERROR cannot get the source credentials: "]);
    assert_has(&report, &login_rows("profile 'sso-admin'"));
    assert_no_iam_user_rows(&report);
}

#[test]
fn a_role_over_an_sso_source_shows_the_role_and_the_source_s_login_with_an_mfa_serial_only_when_set(
) {
    let (_standin, url) = standin();
    let home = logged_in(&url);
    fetch(&home, &url, "via-sso");
    let (report, code) = diagnose(&home, &url, "via-sso");
    assert_eq!(code, 0, "{report}");
    token_line(&report, "OK");
    // Both caches a run reads, the source's first.
    let sso = sso_cache_line(&report);
    let role = line(&report, "OK cached role credentials of profile 'via-sso' (");
    assert!(sso.contains("): valid until "), "{sso}");
    assert!(
        role.contains(".aws/.aws_assume_role_via-sso): valid until "),
        "{role}"
    );
    assert!(report.find(sso) < report.find(role), "{report}");
    let mut rows = vec!["PROFILE: via-sso\nREGION: us-east-1 (from profile 'via-sso')\nSOURCE PROFILE: sso-admin\nSSO SESSION".to_string()];
    rows.extend(login_rows("source profile 'sso-admin'"));
    rows.push("SSO ROLE NAME: AdministratorAccess (from source profile 'sso-admin')\nROLE ARN: arn:aws:iam::123456789012:role/sso-chained (from profile 'via-sso')\nEXTERNAL ID: (not set)\nASSUME ROLE CREDENTIAL DURATION: 1h0m0s (default)\n".into());
    assert_has(&report, &rows);
    assert!(
        !report.contains("SESSION TOKEN DURATION") && !report.contains("MFA SERIAL"),
        "{report}"
    );
    // An MFA serial on the role profile is sent with its AssumeRole: said, with its origin.
    let config = home.path().join(".aws/config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("mfa_serial = arn:aws:iam::123456789012:mfa/sso-user\n");
    std::fs::write(&config, text).unwrap();
    let (report, code) = diagnose(&home, &url, "via-sso");
    assert_eq!(code, 0, "{report}");
    assert_has(&report, &["SSO ROLE NAME: AdministratorAccess (from source profile 'sso-admin')\nMFA SERIAL: arn:aws:iam::123456789012:mfa/sso-user (from profile 'via-sso')\nROLE ARN: "]);
    assert!(!report.contains("SESSION TOKEN DURATION"), "{report}");
}
