//! `--logout [PROFILE]` and `--logout --all` (SPEC §13, LOGIN-PROTOCOL.md §5): no service call,
//! only files removed, exactly the right ones. Set up by hand: two logins' cache files, files in
//! the same directory that are no login's (an IAM Identity Center token, unrelated JSON, a JSON
//! whose `accessToken` has no `accessKeyId`, a text file), role caches on each login and on a
//! profile with keys, and that profile's session token.

use serde_json::json;

use super::*;

const FIRST: &str = "arn:aws:sts::123456789012:assumed-role/admin/first";
const SECOND: &str = "arn:aws:iam::123456789012:user/second";

/// `login` and `other` each on a session, `dev` and `ops` roles on them, `team` a role on keys.
const CONFIG: &str = "[profile login]\nlogin_session = arn:aws:sts::123456789012:assumed-role/admin/first\nregion = us-east-1\n\n\
[profile other]\nlogin_session = arn:aws:iam::123456789012:user/second\nregion = us-east-1\n\n\
[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = login\n\n\
[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = other\n\n\
[profile team]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = keys\n";

/// A login cache document for `arn` (made-up values, as the CLI writes them).
fn login_document(arn: &str) -> Value {
    json!({
        "accessToken": {"accessKeyId": "ASIAEXAMPLEEXAMPLE00", "secretAccessKey": "secret",
                        "sessionToken": "token", "accountId": ACCOUNT, "expiresAt": "2099-01-01T00:00:00Z"},
        "tokenType": "aws_sigv4", "clientId": SAME_DEVICE, "refreshToken": "refresh",
        "idToken": "a.b.c", "dpopKey": "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
        "session": arn,
    })
}

/// The files in the login cache directory that are no login's: each must survive any logout.
fn not_logins() -> Vec<(&'static str, String)> {
    let sso = json!({"startUrl": "https://example.awsapps.com/start", "region": "us-east-1",
                     "accessToken": "sso-access-token", "expiresAt": "2099-01-01T00:00:00Z"});
    vec![
        (
            "0123456789abcdef0123456789abcdef01234567.json",
            sso.to_string(),
        ),
        ("unrelated.json", json!({"hello": "world"}).to_string()),
        // Named as a session is, but no session: no accessKeyId, or no accessToken object.
        (
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json",
            json!({"accessToken": {"expiresAt": "x"}}).to_string(),
        ),
        (
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.json",
            json!({"accessToken": "a string", "refreshToken": "r"}).to_string(),
        ),
        ("notes.txt", "not JSON at all".to_string()),
    ]
}

/// A role's cached credentials, as the cache writes them (made-up values).
fn role_cache() -> String {
    json!({"AccessKeyId": "ASIAROLEROLEROLE0000", "SecretAccessKey": "s", "SessionToken": "t",
           "Expiration": "2099-01-01T00:00:00Z"})
    .to_string()
}

/// The role caches and session token beside the config.
const BESIDE: [&str; 4] = [
    ".aws_assume_role_dev",
    ".aws_assume_role_ops",
    ".aws_assume_role_team",
    ".aws_session_token_keys",
];

/// A HOME with [`CONFIG`], keys for `keys`, and every file above.
fn logout_home() -> Home {
    let home = Home::new(
        CONFIG,
        "[keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n",
    );
    let dir = cache_dir(&home);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let mut files: Vec<(PathBuf, String)> = [FIRST, SECOND]
        .iter()
        .map(|arn| (dir.join(cache_name(arn)), login_document(arn).to_string()))
        .collect();
    files.extend(not_logins().into_iter().map(|(n, t)| (dir.join(n), t)));
    files.extend(BESIDE.iter().map(|n| (home.cache_file(n), role_cache())));
    for (path, text) in files {
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    home
}

/// What is left: the login cache directory's files and the cache files beside the config.
fn left(home: &Home) -> (Vec<String>, Vec<String>) {
    let beside = files_in(&home.path().join(".aws"))
        .into_iter()
        .filter(|n| n.starts_with(".aws_"))
        .collect();
    (files_in(&cache_dir(home)), beside)
}

fn sorted(names: &[String]) -> Vec<String> {
    let mut names = names.to_vec();
    names.sort();
    names
}

#[test]
fn logout_removes_the_profiles_login_and_the_role_caches_on_it_only() {
    let home = logout_home();
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    let out = home.run(["--logout", "login"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let mut cache: Vec<String> = not_logins().iter().map(|(n, _)| n.to_string()).collect();
    cache.push(cache_name(SECOND));
    let beside: Vec<String> = BESIDE[1..].iter().map(|n| n.to_string()).collect();
    assert_eq!(left(&home), (sorted(&cache), beside));
    let after = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    assert_eq!(after, config, "a logout changed the config");
    // Again: nothing left to remove, nothing else removed.
    let out = home.run(["--logout", "login"]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).lines().count() <= 1, "{}", stderr(&out));
    assert_eq!(left(&home).0, sorted(&cache));
}

#[test]
fn logout_all_removes_every_login_cache_file_and_no_other_file() {
    let home = logout_home();
    let out = home.run(["--logout", "--all"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let cache: Vec<String> = not_logins().iter().map(|(n, _)| n.to_string()).collect();
    let (cache_left, beside_left) = left(&home);
    assert_eq!(cache_left, sorted(&cache));
    // The role on keys and its session token are no login's.
    for kept in [".aws_assume_role_team", ".aws_session_token_keys"] {
        assert!(beside_left.contains(&kept.to_string()), "{beside_left:?}");
    }
    // The roles on the logins: their credentials go with them, as with one logout.
    for gone in [".aws_assume_role_dev", ".aws_assume_role_ops"] {
        assert!(!beside_left.contains(&gone.to_string()), "{beside_left:?}");
    }
}

#[test]
fn logout_of_a_profile_without_a_login_session_removes_nothing() {
    let home = logout_home();
    let before = left(&home);
    let out = home.run(["--logout", "team"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("aws-runas: "), "{}", stderr(&out));
    assert_eq!(left(&home), before);
}
