//! (tests) The SDK for Rust's 8 cross-SDK cases for the `login_session` provider
//! (`fixtures/login/`, copied from smithy-rs), run against our code: the profile resolved from the
//! case's config, its cache files written to a directory of their own, then the provider.
//!
//! Fully checked now: "Success - Valid credentials are returned immediately", "Failure - No cache
//! file", and the four "Failure - Missing ..." cases (the file is refused for the member it
//! lacks, not for its expiry). Waiting for the refresh step: "Success - Expired token triggers
//! successful refresh" and "Failure - Expired token triggers failed refresh" are checked only up
//! to the need for a refresh (the credentials have expired at the cases' clock, and the file holds
//! the client id and refresh token the case's request sends); the refresh call, its answer and
//! the rewritten cache file are not checked yet.

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;

use super::token::{self, Standing};
use super::LoginProvider;
use crate::aws::http::Agent;
use crate::config::files::Files;
use crate::config::profile::{Overrides, SourceKind, Target};
use crate::config::resolve::resolve;
use crate::creds::error::CredsError;
use crate::creds::mfa::Mfa;
use crate::creds::provider::{Ctx, Fetched, Provider};
use crate::creds::terminal::Person;
use crate::env::Env;
use crate::time;

const CASES: &str = include_str!("../../../fixtures/login/login-provider-test-cases.json");

/// The clock of the SDK's tests: 2025-11-19T00:00:00Z.
const CLOCK: i64 = 1_763_510_400;

/// How far a case is checked.
#[derive(Debug, PartialEq)]
enum Checked {
    Fully,
    /// Only until a refresh is needed: the refresh step is not here yet.
    UntilRefresh,
}

/// A case's profile and its cache directory with the case's files in it.
fn set_up(case: &Value, n: usize) -> (LoginProvider, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("aws-runas-sdk-case-{n}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, contents) in case["cacheContents"].as_object().unwrap() {
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_vec(contents).unwrap()).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let files = Files::from_texts(case["configContents"].as_str().unwrap(), "");
    let dir_text = dir.to_str().unwrap();
    let env = Env::from_pairs(&[("HOME", "/h"), ("AWS_LOGIN_CACHE_DIRECTORY", dir_text)]);
    let target = Target::parse("signin").unwrap();
    let profile = resolve(target, &Overrides::default(), &env, &files).unwrap();
    let SourceKind::Login(session) = profile.source.kind else {
        panic!("not a login source: {:?}", profile.source.kind);
    };
    let provider = LoginProvider {
        profile: "signin".into(),
        session,
    };
    (provider, dir)
}

fn retrieve(provider: &LoginProvider) -> Result<Fetched, CredsError> {
    let agent = Agent::new();
    let mut mfa = Mfa::new(None);
    let mut ctx = Ctx {
        agent: &agent,
        mfa: &mut mfa,
        person: &Person::nobody(),
        refresh: false,
        newer_than: None,
    };
    provider.retrieve(&mut ctx)
}

/// The credentials of the case's first outcome are what the provider hands on.
fn credentials_as_expected(case: &Value, provider: &LoginProvider) {
    let want = &case["outcomes"][0];
    assert_eq!(want["result"], "credentials");
    let got = retrieve(provider).unwrap().credentials;
    assert_eq!(got.access_key_id, want["accessKeyId"].as_str().unwrap());
    assert_eq!(got.secret_access_key.expose(), want["secretAccessKey"]);
    assert_eq!(got.session_token.unwrap().expose(), want["sessionToken"]);
    let expires = time::rfc3339::parse(want["expiresAt"].as_str().unwrap());
    assert_eq!(got.expiration, expires);
    let account = token::read(&provider.session, false).unwrap();
    assert_eq!(account.account_id(), want["accountId"].as_str());
}

/// The case ends in an error, and ours is the one line asking for a new login.
fn login_needed(case: &Value, provider: &LoginProvider) {
    assert_eq!(case["outcomes"][0]["result"], "error");
    let e = retrieve(provider).err().unwrap();
    assert!(matches!(e, CredsError::LoginNeeded { .. }), "{e}");
}

/// The case's file is refused for the `member` it lacks.
fn refused_for(provider: &LoginProvider, member: &str) {
    let data = std::fs::read(token::path(&provider.session)).unwrap();
    let why = token::Token::parse(&data).err().unwrap();
    assert_eq!(why, format!("it has no {member}"));
}

/// The case needs a refresh: its credentials have expired at the cases' clock, and the file
/// holds what the case's refresh request sends.
fn needs_refresh(case: &Value, provider: &LoginProvider) {
    let t = token::read(&provider.session, false).unwrap();
    assert_eq!(t.standing(CLOCK), Standing::Expired);
    let sent = &case["mockApiCalls"][0]["request"]["tokenInput"];
    assert_eq!(sent["grantType"], "refresh_token");
    let data = std::fs::read(token::path(&provider.session)).unwrap();
    let file: Value = serde_json::from_slice(&data).unwrap();
    assert_eq!(sent["clientId"], file["clientId"]);
    assert_eq!(sent["refreshToken"], file["refreshToken"]);
}

/// Runs one case; says how far it was checked.
fn run(case: &Value, n: usize) -> Checked {
    let (provider, dir) = set_up(case, n);
    let doc = case["documentation"].as_str().unwrap();
    let checked = match doc {
        "Success - Valid credentials are returned immediately" => {
            credentials_as_expected(case, &provider);
            Checked::Fully
        }
        "Failure - No cache file" => {
            login_needed(case, &provider);
            Checked::Fully
        }
        "Failure - Missing accessToken"
        | "Failure - Missing refreshToken"
        | "Failure - Missing clientId in cache"
        | "Failure - Missing dpopKey" => {
            let member = doc.split(' ').nth(3).unwrap();
            refused_for(&provider, member);
            login_needed(case, &provider);
            Checked::Fully
        }
        "Success - Expired token triggers successful refresh"
        | "Failure - Expired token triggers failed refresh" => {
            needs_refresh(case, &provider);
            Checked::UntilRefresh
        }
        other => panic!("a case this test does not know: {other}"),
    };
    std::fs::remove_dir_all(dir).unwrap();
    checked
}

#[test]
fn the_sdk_cases_as_far_as_the_code_goes() {
    let cases: Vec<Value> = serde_json::from_str(CASES).unwrap();
    assert_eq!(cases.len(), 8);
    let checked: Vec<Checked> = cases.iter().enumerate().map(|(n, c)| run(c, n)).collect();
    let fully = checked.iter().filter(|c| **c == Checked::Fully).count();
    // 6 fully; the 2 refresh cases wait for the refresh step.
    assert_eq!((fully, checked.len() - fully), (6, 2));
}
