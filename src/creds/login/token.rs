//! The `aws login` cache the AWS CLI v2 and the SDKs share (LOGIN-PROTOCOL.md §2):
//! `<cache dir>/<sha256 hex of the login_session ARN>.json`, camelCase JSON with `accessToken`
//! (`accessKeyId`, `secretAccessKey`, `sessionToken`, `accountId`, `expiresAt`), `tokenType`,
//! `clientId`, `refreshToken`, `idToken` and `dpopKey`. A file lacking what a refresh needs
//! (`refreshToken`, `clientId`, `dpopKey`) is no session, as for botocore and the SDKs. Fields we do
//! not know are kept in the document, for when we rewrite it. Read through `store.rs` like
//! every file of ours: no link followed, owner and mode checked.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::document::Document;
use crate::aws::dpop::DpopKey;
use crate::aws::signin::{LoggedIn, Refreshed};
use crate::config::login::LoginSession;
use crate::credentials::{Credentials, Secret};
use crate::creds::error::CredsError;
use crate::creds::store;
use crate::log;
use crate::random;
use crate::time;

/// Credentials expiring within this many seconds are refreshed (the CLI's and SDKs' window).
pub const REFRESH_WINDOW: i64 = 5 * 60;
/// Credentials expiring within this many seconds are not handed on any more.
pub const USABLE_MARGIN: i64 = 60;

/// A login session's cached credentials, read from its file. No `Debug`: it holds secrets.
#[derive(Clone)]
pub struct Token {
    /// The file's document: what a refresh needs, and whatever else it held, kept for when we
    /// rewrite it.
    doc: Document,
    /// When the credentials expire, unix seconds.
    pub expires: i64,
}

/// Where a session's credentials stand at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Used as they are.
    Valid,
    /// Usable, but within [`REFRESH_WINDOW`] of expiry: to be refreshed.
    Due,
    /// Too close to expiry to hand on, or past it.
    Expired,
}

impl Standing {
    /// Where credentials expiring at `expires` stand at `now`.
    pub fn of(expires: i64, now: i64) -> Standing {
        match expires - now {
            left if left <= USABLE_MARGIN => Standing::Expired,
            left if left <= REFRESH_WINDOW => Standing::Due,
            _ => Standing::Valid,
        }
    }
}

/// Why a file is no login session: the member it lacks, or what is wrong with it.
pub type NotASession = String;

/// SHA-256 hex of the session ARN (surrounding whitespace trimmed, as the SDKs do): the file's name.
pub fn sha256_hex(arn: &str) -> String {
    random::hex(&Sha256::digest(arn.trim().as_bytes()))
}

/// Where `session`'s credentials live.
pub fn path(session: &LoginSession) -> PathBuf {
    session.cache_dir.join(file_name(session))
}

impl Token {
    /// Parses a cache file; the error says what makes it no session.
    pub fn parse(data: &[u8]) -> Result<Token, NotASession> {
        let doc = Document::parse(data)?;
        let expires = time::rfc3339::parse(doc.key("expiresAt").unwrap_or_default())
            .ok_or_else(|| "its accessToken.expiresAt is not a time".to_string())?;
        Ok(Token { doc, expires })
    }

    /// A member of the file that [`Document::parse`] made sure of: a string.
    fn member(&self, name: &str) -> &str {
        self.doc.member(name).unwrap_or_default()
    }

    /// Where the credentials stand at `now`.
    pub fn standing(&self, now: i64) -> Standing {
        Standing::of(self.expires, now)
    }

    /// The session's credentials, with their expiry.
    pub fn credentials(&self) -> Credentials {
        let key = |name| self.doc.key(name).unwrap_or_default().to_string();
        Credentials {
            access_key_id: key("accessKeyId"),
            secret_access_key: Secret::new(key("secretAccessKey")),
            session_token: Some(Secret::new(key("sessionToken"))),
            expiration: Some(self.expires),
        }
    }

    /// The account the file says the session is in, if it says.
    pub fn account_id(&self) -> Option<&str> {
        self.doc.key("accountId")
    }

    /// What a refresh sends: the client id and the refresh token.
    pub fn client(&self) -> (&str, Secret) {
        let refresh = self.member("refreshToken").to_string();
        (self.member("clientId"), Secret::new(refresh))
    }

    /// The session's DPoP key, as the file holds it (PEM).
    pub fn dpop_key(&self) -> &str {
        self.member("dpopKey")
    }

    /// The region the file says the login was made in (`signInRegion`, written by the JS SDK).
    pub fn sign_in_region(&self) -> Option<&str> {
        self.doc.member("signInRegion")
    }

    /// The token after a refresh at `now`: the new credentials and refresh token, `expiresAt` as
    /// the CLI writes it (`%Y-%m-%dT%H:%M:%SZ`); everything else kept (`accountId`, `clientId`,
    /// `dpopKey`, `idToken`, `tokenType`, fields we do not know).
    pub fn refreshed(&self, fresh: Refreshed, now: i64) -> Token {
        let expires = now.saturating_add(fresh.lifetime);
        let mut doc = self.doc.clone();
        let keys = fresh.credentials;
        doc.set_key("accessKeyId", keys.access_key_id);
        doc.set_key("secretAccessKey", keys.secret_access_key.expose().into());
        if let Some(session) = keys.session_token {
            doc.set_key("sessionToken", session.expose().into());
        }
        doc.set_key("expiresAt", time::rfc3339::format(expires));
        doc.set_member("refreshToken", fresh.refresh_token.expose().into());
        Token { doc, expires }
    }

    /// A new session from a login at `now`, as the CLI writes it (LOGIN-PROTOCOL.md §2): the
    /// credentials with `accountId` from the ID token's subject, `tokenType`, `clientId`, the
    /// refresh and ID tokens, the new DPoP key (`dpop_pem`); and `signInRegion` when the login
    /// went to a region's endpoint, so that every refresh goes there (the JS SDK reads it too).
    pub fn from_login(
        logged: LoggedIn,
        client_id: &str,
        dpop_pem: String,
        region: Option<&str>,
        now: i64,
    ) -> Token {
        let expires = now.saturating_add(logged.session.lifetime);
        let keys = logged.session.credentials;
        let session = keys.session_token.map(|t| t.expose().to_string());
        let mut doc = Document::new();
        doc.set_key("accessKeyId", keys.access_key_id);
        doc.set_key("secretAccessKey", keys.secret_access_key.expose().into());
        doc.set_key("sessionToken", session.unwrap_or_default());
        doc.set_key("accountId", logged.account_id);
        doc.set_key("expiresAt", time::rfc3339::format(expires));
        doc.set_member("tokenType", "aws_sigv4".into());
        doc.set_member("clientId", client_id.into());
        doc.set_member("refreshToken", logged.session.refresh_token.expose().into());
        doc.set_member("idToken", logged.id_token.expose().into());
        doc.set_member("dpopKey", dpop_pem);
        if let Some(region) = region {
            doc.set_member("signInRegion", region.into());
        }
        Token { doc, expires }
    }

    /// The file's document: compact JSON, as the CLI writes it (its members, and those of
    /// `accessToken`, first and in its order, then the rest).
    pub fn to_json(&self) -> std::io::Result<Vec<u8>> {
        self.doc.to_json()
    }

    /// Why a refresh of this session cannot be made (an empty refresh token or client id, a
    /// DPoP key that is no P-256 key), in one line naming the field, never its value.
    pub fn unrefreshable(&self) -> Option<String> {
        if self.member("refreshToken").trim().is_empty() {
            return Some("its refreshToken is empty".into());
        }
        if self.member("clientId").trim().is_empty() {
            return Some("its clientId is empty".into());
        }
        DpopKey::from_pem(self.dpop_key()).err().map(str::to_string)
    }

    /// Whether `other` holds the same refresh token (the file was not refreshed meanwhile).
    pub fn same_refresh(&self, other: &Token) -> bool {
        self.member("refreshToken") == other.member("refreshToken")
    }
}

/// Writes `token` as `session`'s cache file: compact JSON, as the CLI writes it, atomically
/// (temp file in our private directory, fsync, rename), 0600.
pub fn write(
    private: &store::Private,
    session: &LoginSession,
    token: &Token,
) -> std::io::Result<()> {
    let path = path(session);
    private.write(&path, &file_name(session), &token.to_json()?)
}

/// The cache file's name, for its lock and temp files.
pub fn file_name(session: &LoginSession) -> String {
    format!("{}.json", sha256_hex(&session.arn))
}

/// A login cache file, in messages.
const FILE: store::FileKind = store::FileKind {
    tag: "login cache",
    noun: "aws login cache file",
    instead: "",
};

/// Reads `session`'s cache file; `None` when there is no usable one (missing, unsafe, no
/// session: the warning, if one is due, is said). `quiet`: a problem was named already.
pub fn read(session: &LoginSession, quiet: bool) -> Option<Token> {
    read_at(&path(session), quiet)
}

/// [`read`], of the cache file at `path`.
pub fn read_at(path: &Path, quiet: bool) -> Option<Token> {
    let data = store::read_trusted(path, &FILE, quiet)?;
    match Token::parse(&data) {
        Ok(token) => Some(token),
        Err(why) if !quiet => {
            log::warn(format_args!(
                "ignoring the aws login cache file {}: {why}",
                path.display()
            ));
            None
        }
        Err(_) => None,
    }
}

/// Removes the cache file at `path` (named `name`) under its lock; whether there was one. A
/// cache directory that is not there holds nothing and is not made.
pub fn remove(path: &Path, lock_timeout: std::time::Duration) -> Result<bool, CredsError> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Ok(false);
    };
    if !dir.is_dir() {
        return Ok(false);
    }
    let label = format!("the aws login cache file {}", path.display());
    let _lock = match store::Private::open(dir) {
        Ok(private) => private.hold(name, lock_timeout, &label, "refreshing it")?,
        Err(reason) => {
            log::debug!("login cache: {reason}; removing without the lock");
            None
        }
    };
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => {
            log::warn(format_args!("cannot remove {} ({e})", path.display()));
            Ok(false)
        }
    }
}

/// The sessions in the cache directory `dir`, as `aws logout --all` picks them: the files named
/// as [`path`] names them whose `accessToken` is an object with an `accessKeyId` (a file we may
/// not trust is left alone, and said once).
pub fn in_cache(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| named_as_session(path))
        .filter(|path| {
            store::read_trusted(path, &FILE, false)
                .and_then(|data| serde_json::from_slice::<Value>(&data).ok())
                .is_some_and(|v| v["accessToken"].get("accessKeyId").is_some())
        })
        .collect();
    // Unstable: a directory's paths are distinct, so the order is the same, in less code.
    found.sort_unstable();
    found
}

/// Whether `path`'s name is one [`path`] gives: 64 lower-case hex digits, `.json`.
fn named_as_session(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.strip_suffix(".json").is_some_and(|stem| {
        stem.len() == 64 && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// What `-D` finds in a session's cache file, read without lock or warning.
pub enum State {
    None,
    /// A file we may not trust; what it is.
    Unusable(String),
    /// A file that is no session; why.
    NotASession(NotASession),
    /// A session's credentials, expiring then, and what a refresh of them would need.
    Session {
        expires: i64,
        refresh: Refresh,
    },
}

/// What `-D` may say of a session's refresh: never a token or the key, only whether the file
/// has what a refresh needs and the region it names.
pub struct Refresh {
    /// Why the file cannot be refreshed, in one line; `None`: it has what a refresh needs.
    pub missing: Option<String>,
    /// The file's `signInRegion`, where the refresh would go unless an endpoint is configured.
    pub file_region: Option<String>,
}

/// The state of `session`'s cache file, for `-D`: only its expiry is kept.
pub fn state(session: &LoginSession) -> State {
    match store::read(&path(session)) {
        store::Found::Missing => State::None,
        store::Found::Unsafe(what) => State::Unusable(format!("it is {what}")),
        store::Found::Failed(e) => State::Unusable(format!("it cannot be read ({e})")),
        store::Found::Data(data) => match Token::parse(&data) {
            Ok(token) => State::Session {
                expires: token.expires,
                refresh: Refresh {
                    missing: token.unrefreshable(),
                    file_region: token.sign_in_region().map(str::to_string),
                },
            },
            Err(why) => State::NotASession(why),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{"accessToken":{"accessKeyId":"ASIAX","secretAccessKey":"sk","sessionToken":"st","accountId":"123456789012","expiresAt":"2025-11-19T00:15:00Z","extraInner":1},"tokenType":"aws_sigv4","clientId":"arn:aws:signin:::devtools/same-device","refreshToken":"rt","idToken":"a.b.c","dpopKey":"-----BEGIN EC PRIVATE KEY-----\nk\n-----END EC PRIVATE KEY-----\n","signInRegion":"eu-west-1"}"#;

    #[test]
    fn the_file_name_is_the_sha256_of_the_session_arn() {
        let arn = "arn:aws:sts::012345678910:assumed-role/Admin/admin";
        let hex = "4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255";
        assert_eq!(sha256_hex(arn), hex);
        assert_eq!(sha256_hex(&format!(" {arn}\t")), hex);
        let session = LoginSession {
            arn: "arn:aws:iam::0123456789012:user/Admin".into(),
            cache_dir: PathBuf::from("/c"),
            region: None,
            endpoint: None,
        };
        assert_eq!(
            path(&session),
            Path::new("/c/36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726.json")
        );
    }

    #[test]
    fn the_credentials_and_their_expiry_with_or_without_fractions() {
        let token = Token::parse(FILE.as_bytes()).unwrap();
        let c = token.credentials();
        assert_eq!(c.access_key_id, "ASIAX");
        assert_eq!(c.secret_access_key.expose(), "sk");
        assert_eq!(c.session_token.as_ref().map(Secret::expose), Some("st"));
        assert_eq!(token.expires, 1_763_511_300);
        assert_eq!(token.account_id(), Some("123456789012"));
        let js = FILE.replace("00:15:00Z", "00:15:00.000Z");
        assert_eq!(Token::parse(js.as_bytes()).unwrap().expires, 1_763_511_300);
        let bad = FILE.replace("2025-11-19T00:15:00Z", "soon");
        assert!(Token::parse(bad.as_bytes()).is_err());
    }

    #[test]
    fn where_the_credentials_stand() {
        let token = Token::parse(FILE.as_bytes()).unwrap();
        let at = |left: i64| token.standing(token.expires - left);
        assert_eq!(at(REFRESH_WINDOW + 1), Standing::Valid);
        assert_eq!(at(REFRESH_WINDOW), Standing::Due);
        assert_eq!(at(USABLE_MARGIN + 1), Standing::Due);
        assert_eq!(at(USABLE_MARGIN), Standing::Expired);
        assert_eq!(at(-1), Standing::Expired);
    }

    #[test]
    fn a_file_without_what_a_refresh_needs_is_no_session_and_no_secret_is_said() {
        let full: Value = serde_json::from_str(FILE).unwrap();
        for key in ["accessToken", "clientId", "refreshToken", "dpopKey"] {
            let mut v = full.clone();
            v.as_object_mut().unwrap().remove(key);
            let why = Token::parse(&serde_json::to_vec(&v).unwrap())
                .err()
                .unwrap();
            assert_eq!(why, format!("it has no {key}"));
        }
        let mut v = full.clone();
        v["accessToken"] = Value::String("a-secret-value".into());
        let why = Token::parse(&serde_json::to_vec(&v).unwrap())
            .err()
            .unwrap();
        assert!(!why.contains("a-secret-value"), "{why}");
        let mut v = full;
        v["accessToken"]
            .as_object_mut()
            .unwrap()
            .remove("sessionToken");
        assert!(Token::parse(&serde_json::to_vec(&v).unwrap()).is_err());
    }

    #[test]
    fn what_a_refresh_needs_is_checked_and_no_secret_is_said() {
        // A P-256 key (aws/dpop.rs's test key), then the file's own unreadable one.
        const KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPt/u8InPLpQeQLJTvVX+sNDzni8vMDMt3Liu+nMBigfoAoGCCqGSM49\nAwEHoUQDQgAEILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4bvTAiUCQ/I\nffut2379uP+OBCm2ovGpBOJRgrl1RspUOQ==\n-----END EC PRIVATE KEY-----\n";
        let full: Value = serde_json::from_str(FILE).unwrap();
        let with = |key: &str, value: &str| {
            let mut v = full.clone();
            v["dpopKey"] = Value::String(KEY.into());
            v[key] = Value::String(value.into());
            Token::parse(&serde_json::to_vec(&v).unwrap())
                .ok()
                .unwrap()
                .unrefreshable()
        };
        assert_eq!(with("tokenType", "aws_sigv4"), None);
        assert_eq!(
            with("refreshToken", " ").unwrap(),
            "its refreshToken is empty"
        );
        assert_eq!(with("clientId", "").unwrap(), "its clientId is empty");
        let why = Token::parse(FILE.as_bytes()).ok().unwrap().unrefreshable();
        let why = why.unwrap();
        assert!(
            why.starts_with("dpopKey") && !why.contains("\nk\n"),
            "{why}"
        );
    }

    #[test]
    fn unknown_fields_are_kept_in_the_document() {
        let token = Token::parse(FILE.as_bytes()).unwrap();
        let again: Value = serde_json::from_slice(&token.to_json().unwrap()).unwrap();
        let original: Value = serde_json::from_str(FILE).unwrap();
        assert_eq!(again, original);
    }
}
