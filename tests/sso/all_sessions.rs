//! Which logins there are: `--sso-login`/`--sso-logout` on a profile that does not use IAM
//! Identity Center say so and name the profiles that do.

use super::*;
use crate::util::*;

#[test]
fn a_login_or_logout_of_a_profile_without_identity_center_names_the_profiles_that_use_it() {
    let home = Home::new(
        &format!("[default]\nregion = us-east-1\n\n{}", standin::SSO_CONFIG),
        "",
    );
    for flag in ["--sso-login", "--sso-logout"] {
        let out = home.run([flag, "default"]);
        let line = assert_one_line_error(
            &out,
            &["profile 'default' does not use IAM Identity Center; these do: sso-admin, via-sso"],
        );
        assert!(!line.contains("aws_access_key_id"), "{line}");
    }
    // A role assumed with an Identity Center profile's credentials uses its login.
    let out = home.run(["--sso-logout", "via-sso"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sso-session 'corp'"),
        "{}",
        stderr(&out)
    );
    // A profile that is not there is still "not found", with the closest name.
    let out = home.run(["--sso-login", "sso-admni"]);
    assert_one_line_error(
        &out,
        &["profile 'sso-admni' not found", "did you mean 'sso-admin'?"],
    );
}
