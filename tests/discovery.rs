//! The discovery modes against the emulator: `-m` lists the IAM user's MFA devices.

use crate::util::*;

#[test]
fn list_mfa_gives_the_users_devices_for_a_user_or_a_role_profile() {
    let e = emulator();
    let home = Home::standard();
    for profile in ["dev", "admin"] {
        let out = home.run(["-m", profile]);
        assert!(out.status.success(), "{profile}: {}", stderr(&out));
        assert_eq!(
            stdout(&out),
            format!("{}\n", e.alice.mfa_serial),
            "{profile}"
        );
    }
    // Nothing was cached by it, nor asked.
    assert!(!home.cache_file(".aws_assume_role_admin").exists());
}

#[test]
fn list_mfa_with_a_roles_credentials_says_it_needs_a_user() {
    let home = Home::standard();
    let role = home.run(["admin"]);
    assert!(role.status.success(), "{}", stderr(&role));
    let exports = stdout(&role);
    let value = |n: &str| export_value(&exports, n).unwrap();
    let config = format!(
        "{}\n[profile bare]\nregion = us-east-1\n",
        standard_config()
    );
    let bare = Home::new(&config, "");
    let out = bare
        .cmd(["-m", "bare"])
        .env("AWS_ACCESS_KEY_ID", value("AWS_ACCESS_KEY_ID"))
        .env("AWS_SECRET_ACCESS_KEY", value("AWS_SECRET_ACCESS_KEY"))
        .env("AWS_SESSION_TOKEN", value("AWS_SESSION_TOKEN"))
        .output()
        .unwrap();
    assert_one_line_error(&out, &["are not an IAM user's", "assumed-role/admin"]);
}
