//! The login's token file (`~/.aws/sso/cache`): shared with botocore both ways, refreshed once
//! for parallel cold runs (the rotated refresh token kept), and a corrupt, linked, shared or
//! another user's file, or a cache that cannot be written, each met with a warning, never trusted.

use super::*;
use crate::util::*;

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
