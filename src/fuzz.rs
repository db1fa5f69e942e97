//! Entry points for the fuzz targets in tests/fuzz (built only with `cfg(fuzzing)`, which
//! cargo-fuzz sets; `make fuzz` runs them). Each takes arbitrary bytes and must neither panic
//! nor hang nor grow without bound; where a property holds for every input (a duration that
//! parses formats and parses back to itself), it is asserted.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use crate::arn::{self, RoleArn};
use crate::aws::http::Response;
use crate::aws::{policy, query, sts, xml};
use crate::cli::args;
use crate::config::files::Files;
use crate::config::ini;
use crate::config::profile::{Overrides, Target};
use crate::config::resolve;
use crate::config::timeouts;
use crate::creds::cache::{CacheDir, CacheFile, Cached, Expect, Kind};
use crate::creds::error::CredsError;
use crate::creds::provider::{Ctx, Fetched, Provider};
use crate::duration;
use crate::env::Env;
use crate::server::token::Tokens;
use crate::shell;
use crate::time::{self, local, rfc3339};

/// The config file, then (after the first 0xFF byte, if any) the credentials file; every
/// profile they define is resolved, as a name and as a role ARN would be.
pub fn ini_and_profiles(data: &[u8]) {
    let split = data.iter().position(|b| *b == 0xff).unwrap_or(data.len());
    let (config, credentials) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    let parse = |bytes: &[u8], path: &str| {
        ini::parse(&String::from_utf8_lossy(bytes), Path::new(path)).unwrap_or_default()
    };
    let files = Files {
        config: parse(config, "/h/.aws/config"),
        credentials: parse(credentials, "/h/.aws/credentials"),
    };
    let env = Env::default();
    for name in files.profiles().into_iter().take(16) {
        if let Ok(target) = Target::parse(&name) {
            let _ = resolve::resolve(target, &Overrides::default(), &env, &files);
        }
    }
    let _ = resolve::select(
        &[OsString::from("default")],
        &env,
        resolve::Positionals::ProfileAndCommand,
    );
}

/// A Go duration: whatever parses formats to a duration that parses back to the same value
/// (whole seconds, as durations are used here).
pub fn duration(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = duration::parse(text) {
        let whole = Duration::from_secs(d.as_secs());
        let again = duration::parse(&duration::format(whole)).expect("a formatted duration parses");
        assert_eq!(again, whole);
        let _ = duration::clamp(d, Duration::from_secs(900), Duration::from_secs(3600));
    }
}

/// A role ARN, and a caller ARN's name.
pub fn arn(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(role) = RoleArn::parse(&text) {
        assert!(role.name.len() <= 64 && !role.name.is_empty());
        assert!(!role.raw.chars().any(char::is_control));
    }
    let _ = arn::caller_name(&text);
}

/// An STS or IAM answer: the document, the credentials in it, and the error it would be.
pub fn xml_answer(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let doc = xml::parse(&text);
    if let Ok(doc) = &doc {
        let _ = sts::credentials("AssumeRole", doc);
        let _ = doc.first("GetCallerIdentityResult/Arn");
    }
    let response = Response {
        status: 403,
        body: text.into_owned(),
        date: None,
        location: None,
        elapsed: Duration::ZERO,
    };
    let _ = query::service_error("AssumeRole", &response, doc.ok()).to_string();
}

/// A provider that is never asked: the cache reader is what is fuzzed.
struct Never;

impl Provider for Never {
    fn retrieve(&self, _ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        unreachable!("the cache reader does not fetch")
    }
    fn describe(&self) -> String {
        "Never".into()
    }
}

/// A cache file's contents, read by each kind of cache entry; the first 8 bytes pick "now".
pub fn cache_entry(data: &[u8]) {
    let (now, file) = match data.split_first_chunk::<8>() {
        Some((now, rest)) => (i64::from_le_bytes(*now), rest),
        None => (0, data),
    };
    let dir = CacheDir::beside(Path::new("/nonexistent/config"), timeouts::LOCK);
    let made_for = |role_arn: Option<&str>, key: Option<&str>| Expect {
        role_arn: role_arn.map(String::from),
        mfa_serial: Some("arn:aws:iam::123456789012:mfa/alice".into()),
        source_key_id: Some("AKIAEXAMPLE".into()),
        key: key.map(String::from),
        ..Expect::default()
    };
    let role = Some("arn:aws:iam::123456789012:role/admin");
    let sso = Some("123456789012/Admin@https://corp.awsapps.com/start");
    for (kind, expect) in [
        (Kind::AssumeRole, made_for(role, None)),
        (Kind::SessionToken, made_for(None, None)),
        (Kind::Sso, made_for(None, sso)),
    ] {
        let file_of = CacheFile {
            path: dir.dir().join("fuzz"),
            kind,
            label: "profile 'fuzz'".into(),
        };
        let lifetime = Duration::from_secs(3600);
        let cached = Cached::new(Box::new(Never), &dir, file_of, expect, lifetime);
        if let Some(fetched) = cached.usable(file, now) {
            assert!(fetched.credentials.expiration.is_some_and(|e| e > now));
        }
    }
}

/// The command line: NUL-separated arguments, parsed, then the mode decided.
pub fn arguments(data: &[u8]) {
    use std::os::unix::ffi::OsStringExt;
    let argv: Vec<OsString> = data
        .split(|b| *b == 0)
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect();
    match args::parse(argv) {
        Ok(parsed) => {
            let _ = parsed.positionals_kind();
        }
        // The error line, refused flags named, as main prints it.
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// A TZif file, and the same bytes as a POSIX TZ rule, at a few instants; local time formats.
pub fn time_zone(data: &[u8]) {
    let rule = String::from_utf8_lossy(data);
    for t in [0, 1_764_079_387, 4_102_444_800, i64::MIN, i64::MAX] {
        let _ = local::tzif_offset(data, t);
        if let Some(offset) = local::posix_offset(&rule, t) {
            assert!(offset.abs() <= 26 * 3600);
        }
        let _ = local::format(Some(&rule), t);
    }
    let _ = rfc3339::parse(&rule).map(rfc3339::format);
}

/// An IAM policy document as IAM's answers carry it (percent-encoded or plain JSON), read for
/// the roles it allows; the same text as a command line to split, and as an IMDSv2 token.
/// Whatever `read` finds, every role it lists is one a Deny of it removes.
pub fn policy_document(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut found = policy::Assumable::default();
    let mut denied = Vec::new();
    if let Ok(json) = policy::decode_document(&text) {
        let _ = policy::read(&json, &mut found, &mut denied);
    }
    let _ = policy::read(&text, &mut found, &mut denied);
    let roles: Vec<String> = found.roles.iter().cloned().collect();
    let without = found.without(&roles);
    assert!(without.roles.is_empty(), "a role survived its own Deny");
    let _ = shell::split(&text);
    if let Ok(tokens) = Tokens::new() {
        assert!(
            !tokens.valid(&text, i64::MIN),
            "a forged IMDSv2 token was valid"
        );
    }
}

/// IAM Identity Center's inputs from elsewhere: a token file (another tool's, or planted), an
/// OIDC or portal error answer, a query value of the loopback redirect; and every answer of the
/// services (`sso_answers`). A token that parses writes out and parses back with the same
/// expiry; nothing panics.
pub fn sso(data: &[u8]) {
    use crate::creds::callback;
    use crate::creds::sso::token::Token;
    if let Some(token) = Token::parse(data) {
        let again =
            Token::parse(&token.to_json().expect("a parsed token writes")).expect("and reads back");
        assert_eq!(again.expires, token.expires);
        let _ = token.refresher(time::unix_now());
    }
    let text = String::from_utf8_lossy(data);
    let _ = callback::decode(&text);
    sso_answers(&text);
    let response = Response {
        status: 400,
        body: text.into_owned(),
        date: None,
        location: None,
        elapsed: Duration::ZERO,
    };
    let _ = crate::aws::sso::failure("CreateToken", &response).to_string();
}

/// The same text as each answer of the OIDC service and the portal, and as a verification page,
/// each held to its bounds whatever its numbers: the device code polled every 1 to 60 s, until
/// at most 10 minutes from now; a token or registration kept at most 90 days, its token file
/// read back the same; a page opened only on https or the endpoint's own origin.
fn sso_answers(text: &str) {
    use crate::aws::{oidc, sso};
    use crate::config::sso::{Endpoints, Login};
    use crate::creds::sso::{login, pages, registration, token};
    let now = std::time::Instant::now();
    if let Ok(auth) = oidc::device_answer(text) {
        let polling = login::Polling::of(&auth, now, now + login::TIMEOUT);
        assert!((1..=60).contains(&polling.interval.as_secs()));
        assert!(polling.deadline <= now + login::TIMEOUT);
    }
    let login = Login {
        profile: "fuzz".into(),
        session: Some("fuzz".into()),
        start_url: "https://fuzz.awsapps.com/start".into(),
        region: "us-east-1".into(),
        scopes: Vec::new(),
        cache_dir: "/nonexistent".into(),
        endpoints: Endpoints::default_for("us-east-1"),
    };
    let unix_now = time::unix_now();
    if let Ok(tokens) = oidc::tokens_answer(text) {
        let granted = token::Granted {
            access_token: tokens.access_token,
            expires_in: tokens.expires_in,
            refresh_token: tokens.refresh_token,
            client_id: "c".into(),
            client_secret: crate::credentials::Secret::new("s"),
            registration_expires: unix_now,
        };
        if let Ok(t) = token::Token::from_grant(&login, granted, None) {
            assert!(t.expires > unix_now && t.expires - unix_now <= token::LONGEST + 1);
            let again = token::Token::parse(&t.to_json().expect("a token writes"));
            assert_eq!(
                again.map(|a| a.expires),
                Some(t.expires),
                "a token reads back"
            );
        }
    }
    if let Ok(client) = oidc::registration_answer(text) {
        if let Ok(client) = registration::bounded(&login, client, unix_now) {
            assert!((1..=token::LONGEST).contains(&(client.expires_at - unix_now)));
        }
    }
    let _ = sso::role_answer(text);
    sso_pages(text);
    for oidc in [login.endpoints.oidc.as_str(), "http://127.0.0.1:8080/"] {
        if pages::is_login_page(text, oidc) {
            let lower = text.to_ascii_lowercase();
            assert!(lower.starts_with("https://") || lower.starts_with(oidc.trim_end_matches('/')));
            assert!(text.bytes().all(|b| b.is_ascii_graphic()));
        }
    }
}

/// Each line of the text as a page of a list, in turn: however the pages go, they end, within
/// the most pages a list is read to.
fn sso_pages(text: &str) {
    use crate::aws::query::AwsError;
    use crate::aws::sso;
    let mut lines = text.lines();
    let mut asked = 0;
    let _ = sso::every_page("ListAccounts", "accountList", |_| {
        asked += 1;
        lines
            .next()
            .map(str::to_string)
            .ok_or(AwsError::BadResponse {
                operation: "ListAccounts",
                detail: "no more pages in the input".into(),
            })
    });
    assert!(asked <= sso::MAX_PAGES);
}

/// An `aws login` cache file, a Sign-In token answer and a DPoP key, from the same bytes: a file
/// that parses survives a refresh and reads back the same, with its rotated token and expiry; an
/// answer is refused or bounded to 1-900 s; a key is refused or signs a proof.
pub fn login(data: &[u8]) {
    use crate::aws::{dpop::DpopKey, signin};
    use crate::creds::login::token::Token;
    let text = String::from_utf8_lossy(data);
    let answer = signin::read(&text);
    if let Ok(fresh) = &answer {
        assert!((1..=signin::MAX_LIFETIME).contains(&fresh.lifetime));
    }
    if let (Ok(token), Ok(fresh)) = (Token::parse(data), answer) {
        let now = time::unix_now();
        let refreshed = token.refreshed(fresh, now);
        let again = Token::parse(&refreshed.to_json().expect("a parsed token writes"))
            .expect("and reads back");
        assert_eq!(again.expires, refreshed.expires);
        assert!(again.same_refresh(&refreshed));
    }
    if let Ok(key) = DpopKey::from_pem(&text) {
        let _ = key.proof("https://us-east-1.signin.aws.amazon.com/v1/token");
    }
    let _ = crate::base64::decode(&text);
    let _ = crate::base64::decode_url(&text);
    // A login's answer: its subject, when read, names a file and goes into the config file.
    if let Ok(logged) = signin::read_login(&text) {
        assert!(logged.arn.starts_with("arn:") && logged.arn.chars().all(|c| c.is_ascii_graphic()));
        assert_eq!(logged.account_id.len(), 12);
    }
    // What a person pastes after --login --remote.
    if let Ok(code) = crate::creds::login::flow::verification_code(&text, "state") {
        assert!(!code.expose().is_empty() && code.expose().len() <= 512);
    }
}
