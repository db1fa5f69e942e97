//! `aws login` sessions as a source (SPEC §13): a login cache file written by hand as the AWS
//! CLI writes it (LOGIN-PROTOCOL.md §2), holding credentials minted for real on the emulator
//! (alice's session in the `admin` role, through aws-runas -j from her keys), in a HOME that
//! holds no keys at all: whatever works there works through the login session.
//!
//! The refresh, with the files it rewrites read by botocore and the JS SDK: tests/login_refresh.rs,
//! against the sign-in stand-in.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use crate::util::*;

/// A fake DPoP key in the CLI's PEM form (never used to sign here: only carried).
const DPOP_KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPt/u8InPLpQeQLJTvVX+sNDzni8vMDMt3Liu+nMBigfoAoGCCqGSM49\nAwEHoUQDQgAEILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4bvTAiUCQ/I\nffut2379uP+OBCm2ovGpBOJRgrl1RspUOQ==\n-----END EC PRIVATE KEY-----\n";
const REFRESH_TOKEN: &str = "refresh-token-never-printed";

/// The config: `signin` declares the login session (alice in `admin`), `via-login` a role on
/// it (`chained` trusts only that session), `both` a session beside keys.
fn config() -> String {
    format!(
        "[default]\nregion = us-east-1\n\n\
         [profile signin]\nlogin_session = {session}\nregion = us-east-1\n\n\
         [profile via-login]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/chained\nsource_profile = signin\n\
         mfa_serial = arn:aws:iam::{ACCOUNT}:mfa/alice\n\n\
         [profile both]\nlogin_session = {session}\naws_access_key_id = AKIAEXAMPLE\n",
        session = session_arn("admin")
    )
}

/// Credentials of alice's session in `admin`, minted on `e` with her keys: the `-j` document.
fn mint(e: &Emulator) -> Value {
    let keys = Home::standard_on(e);
    let o = keys.run(["-j", "admin"]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The login cache document as `aws login` writes it, for `creds`, expiring at `expires_at`.
fn document(creds: &Value, expires_at: &str) -> Value {
    json!({
        "accessToken": {
            "accessKeyId": creds["AccessKeyId"],
            "secretAccessKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
            "accountId": ACCOUNT,
            "expiresAt": expires_at,
        },
        "tokenType": "aws_sigv4",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "refreshToken": REFRESH_TOKEN,
        "idToken": "eyJhbGciOiJFUzM4NCJ9.e30.c2ln",
        "dpopKey": DPOP_KEY,
    })
}

/// The cache file of `arn` in `home`, named by Python's hashlib (not by our code).
fn cache_path(home: &Home, arn: &str) -> PathBuf {
    let o = Command::new(venv_bin().join("python"))
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())",
            arn,
        ])
        .output()
        .unwrap();
    let name = String::from_utf8(o.stdout).unwrap();
    home.path()
        .join(".aws/login/cache")
        .join(format!("{}.json", name.trim()))
}

/// A HOME without keys, its login cache holding `doc` (when given) for alice's admin session.
fn login_home(e: &Emulator, doc: Option<&Value>) -> Home {
    let home = Home::with_endpoint(&config(), "", &e.endpoint);
    let path = cache_path(&home, &session_arn("admin"));
    let dir = path.parent().unwrap();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    if let Some(doc) = doc {
        std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    home
}

/// An expiry `minutes` from now, as the CLI writes it (no fractions).
fn in_minutes(minutes: i64) -> String {
    let o = Command::new("date")
        .args([
            "-u",
            "+%Y-%m-%dT%H:%M:%SZ",
            "-d",
            &format!("{minutes} minutes"),
        ])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

#[test]
fn a_login_profile_runs_a_command_with_the_session_and_makes_no_request_of_its_own() {
    let e = Emulator::start();
    let creds = mint(&e);
    let home = login_home(&e, Some(&document(&creds, &in_minutes(60))));
    e.reset_stats();
    let o = home.run(whoami(&["signin"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), session_arn("admin"));
    // The command's own GetCallerIdentity, and nothing else.
    let (requests, _) = e.stats();
    assert_eq!(requests.values().sum::<u64>(), 1, "{requests:?}");
    assert_eq!(e.count("GetCallerIdentity"), 1);
    // JavaScript's spelling of the expiry (fractions) is read too, and exported as it is.
    let js = document(&creds, &in_minutes(60).replace('Z', ".000Z"));
    let home = login_home(&e, Some(&js));
    let o = home.run(["signin"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(creds["AccessKeyId"].as_str().unwrap()));
}

#[test]
fn a_role_on_a_login_profile_is_assumed_with_its_credentials_without_mfa_and_then_cached() {
    let e = Emulator::start();
    let creds = mint(&e);
    let home = login_home(&e, Some(&document(&creds, &in_minutes(60))));
    e.reset_stats();
    let o = home.run(whoami(&["-v", "via-login"]));
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    // moto checked the call: `chained` trusts only alice's session in `admin`.
    let chained = format!("arn:aws:sts::{ACCOUNT}:assumed-role/chained/alice");
    assert_eq!(stdout(&o).trim(), chained);
    assert_eq!(e.count("AssumeRole"), 1);
    assert_eq!(e.count("GetSessionToken"), 0);
    assert!(err.contains("no MFA code"), "{err}");
    // Nothing secret in -v: the session's secret, its token, the refresh token, the DPoP key.
    for secret in [
        creds["SecretAccessKey"].as_str().unwrap(),
        creds["SessionToken"].as_str().unwrap(),
        REFRESH_TOKEN,
        "MHcCAQEE",
    ] {
        assert!(!err.contains(secret), "a secret in -v: {err}");
    }
    // The role's credentials are cached like any role's: the next run makes no request.
    e.reset_stats();
    let o = home.run(["via-login"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(e.count("AssumeRole"), 0);
    // Negative control: credentials the emulator never issued are refused by it.
    let forged =
        json!({"AccessKeyId": "ASIAFORGEDFORGED0000", "SecretAccessKey": "x", "SessionToken": "y"});
    let home = login_home(&e, Some(&document(&forged, &in_minutes(60))));
    let o = home.run(["via-login"]);
    assert_one_line_error(&o, &["AssumeRole", "InvalidClientTokenId"]);
}

#[test]
fn a_session_beside_another_credential_style_is_one_line_naming_profile_and_key() {
    let home = login_home(emulator(), None);
    let o = home.run(["both"]);
    assert_one_line_error(
        &o,
        &["profile 'both'", "login_session", "aws_access_key_id"],
    );
}

#[test]
fn a_missing_session_says_to_log_in_again_and_an_unrefreshable_expired_one_says_why() {
    let e = emulator();
    let fake =
        json!({"AccessKeyId": "ASIAEXPIREDEXPIRED00", "SecretAccessKey": "x", "SessionToken": "y"});
    let wanted = ["profile 'signin'", "run aws-runas --login signin"];
    let missing = login_home(e, None);
    assert_one_line_error(&missing.run(["signin"]), &wanted);
    // Expired: the refresh goes to the emulator (AWS_ENDPOINT_URL), which is no sign-in service;
    // its failure is the one line, with no token in it (the service's own refusals, which ask
    // for a new login: tests/login_refresh.rs).
    let expired = login_home(e, Some(&document(&fake, "2020-01-01T00:00:00Z")));
    let failed = [
        "refreshing the aws login session of profile 'signin' failed",
        "CreateOAuth2Token",
    ];
    for profile in ["signin", "via-login"] {
        assert_one_line_error(&expired.run([profile]), &failed);
        let err = stderr(&expired.run(["-v", profile]));
        assert!(
            !err.contains(REFRESH_TOKEN) && !err.contains("MHcCAQEE"),
            "{err}"
        );
    }
    // A file that is no session (no refresh token): said, then the same line.
    let mut doc = document(&fake, &in_minutes(60));
    doc.as_object_mut().unwrap().remove("refreshToken");
    let o = login_home(e, Some(&doc)).run(["signin"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("it has no refreshToken"), "{err}");
    assert!(err.ends_with("run aws-runas --login signin\n"), "{err}");
}

#[test]
fn diagnose_shows_the_session_its_file_and_expiry_and_no_secret() {
    let e = emulator();
    let creds = mint(e);
    let home = login_home(e, Some(&document(&creds, "2099-01-01T00:00:00Z")));
    let o = home.run(["-D", "via-login"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let file = cache_path(&home, &session_arn("admin"));
    let line = format!(
        "OK aws login session {} of profile 'signin' ({}): credentials valid until 2099-01-01T00:00:00Z",
        session_arn("admin"),
        file.display()
    );
    assert!(out.contains(&line), "{out}");
    // The resolved profile names the session, and no session token of an IAM user's.
    let row = format!(
        "LOGIN SESSION: {} (from profile 'signin')",
        session_arn("admin")
    );
    assert!(out.contains(&row), "{out}");
    assert!(!out.contains("SESSION TOKEN DURATION"), "{out}");
    for secret in [
        creds["SecretAccessKey"].as_str().unwrap(),
        creds["SessionToken"].as_str().unwrap(),
        REFRESH_TOKEN,
        "MHcCAQEE",
    ] {
        assert!(!out.contains(secret), "a secret in -D: {out}");
    }
    // Missing: a warning that says what to run.
    let o = login_home(e, None).run(["-D", "signin"]);
    let out = stdout(&o);
    assert!(
        out.contains("no cache file; run aws-runas --login signin"),
        "{out}"
    );
}
