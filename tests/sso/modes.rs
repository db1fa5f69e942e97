//! Every mode with an Identity Center profile: the wrapped command, exports, -j and -D from a
//! cached run that asks nothing; a role profile with an SSO source; -w, -l and -c; and
//! --sso-logout, which ends the token at the portal and removes the cached credentials.

use super::*;
use crate::util::*;

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
