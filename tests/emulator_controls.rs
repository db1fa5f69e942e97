//! The emulator's negative controls: requests that AWS refuses must be refused here too, or every
//! passing test elsewhere would prove only that the emulator says yes. Each case checks the
//! emulator's policy engine, signature check or MFA check (the refusal), and that aws-runas
//! reports it as one line and caches nothing for the refused role.

use crate::util::*;

/// Refused: one error line containing `wanted`, and no role credentials cached for `profile`.
#[track_caller]
fn refused(home: &Home, out: &std::process::Output, profile: &str, wanted: &[&str]) -> String {
    let line = assert_one_line_error(out, wanted);
    let role_cache = home.cache_file(&format!(".aws_assume_role_{profile}"));
    assert!(!role_cache.exists(), "{} was written", role_cache.display());
    line
}

#[test]
fn emulator_refuses_a_role_the_identity_policy_does_not_allow() {
    let home = Home::standard();
    refused(
        &home,
        &home.run(["forbidden"]),
        "forbidden",
        &["AssumeRole failed: AccessDenied"],
    );
}

#[test]
fn emulator_refuses_a_role_whose_trust_policy_does_not_name_the_caller() {
    let home = Home::standard();
    refused(
        &home,
        &home.run(["untrusted"]),
        "untrusted",
        &["AssumeRole failed: AccessDenied"],
    );
    // A role whose trust asks for an external id we do not send.
    refused(
        &home,
        &home.run(["ext-missing"]),
        "ext-missing",
        &["AssumeRole failed: AccessDenied"],
    );
}

#[test]
fn emulator_refuses_a_wrong_secret_key_with_signature_does_not_match() {
    let e = emulator();
    let mut alice = e.alice.clone();
    alice.secret_access_key = "not-the-right-secret-at-all".into();
    let home = Home::new(&standard_config(), &keys(&[("dev", &alice)]));
    let err = refused(
        &home,
        &home.run(["admin"]),
        "admin",
        &["SignatureDoesNotMatch"],
    );
    assert!(!err.contains("not-the-right-secret-at-all"), "{err}");
    assert!(!home.cache_file(".aws_session_token_dev").exists());
}

#[test]
fn emulator_refuses_an_unknown_access_key() {
    let mut stranger = emulator().alice.clone();
    stranger.access_key_id = "AKIANOSUCHKEY0000000".into();
    let home = Home::new(&standard_config(), &keys(&[("dev", &stranger)]));
    refused(
        &home,
        &home.run(["admin"]),
        "admin",
        &["InvalidClientTokenId"],
    );
    assert!(!home.cache_file(".aws_session_token_dev").exists());
}

#[test]
fn emulator_refuses_another_users_mfa_device() {
    let e = emulator();
    let home = Home::standard();
    let code = totp(&e.bob.mfa_seed, 0);
    let out = home.run_without_terminal(&["-M", &e.bob.mfa_serial, "-o", &code, "mfa-admin"]);
    refused(
        &home,
        &out,
        "mfa-admin",
        &[
            "MultiFactorAuthentication failed",
            "associated with this user",
        ],
    );
    assert!(!home.cache_file(".aws_session_token_mfauser").exists());
}

#[test]
fn emulator_refuses_a_role_that_needs_mfa_without_it() {
    let e = emulator();
    let config = format!(
        "[default]\nregion = us-east-1\n[profile m]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/mfa-admin\nsource_profile = dev\n"
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    refused(
        &home,
        &home.run(["m"]),
        "m",
        &["AssumeRole failed: AccessDenied"],
    );
}
