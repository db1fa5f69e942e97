//! The Identity Center token cache the AWS CLI v2 and the SDKs share: `~/.aws/sso/cache/<sha1 hex
//! of the session name (or a legacy profile's start URL)>.json`, camelCase JSON with `startUrl`,
//! `region`, `accessToken`, `expiresAt`, and for a refreshable login `refreshToken`, `clientId`,
//! `clientSecret`, `registrationExpiresAt`. Fields we do not know are kept when we rewrite a
//! file. Read and written through `store.rs` like our credential cache: no link followed, owner
//! and mode checked, atomic 0600 writes, locks in `.aws-runas/` beside the files.

use std::path::{Path, PathBuf};

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::Serialize;
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use crate::config::sso::Login;
use crate::credentials::Secret;
use crate::creds::store;
use crate::log;
use crate::random;
use crate::time;

/// A token expiring within this many seconds is refreshed (botocore's window).
pub const REFRESH_WINDOW: i64 = 15 * 60;
/// A token expiring within this many seconds is not sent any more.
pub const USABLE_MARGIN: i64 = 60;
/// The longest a token or a client registration is kept: a service may say more (2^63-1
/// seconds), but `expiresAt` must stay a year of four digits, which botocore and we read back.
pub const LONGEST: i64 = 90 * 86_400;

/// A lifetime in seconds that a service gave, bounded: none when it is not positive (nothing
/// usable was granted), else at most [`LONGEST`].
pub fn lifetime(seconds: i64) -> Option<i64> {
    (seconds > 0).then_some(seconds.min(LONGEST))
}

/// One token file, as the CLI and botocore write it. No `Debug`: it holds secrets. Read by
/// [`Stored::read`], not serde's derive: with `flatten` it cost the static binary 7 KB.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Stored {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    start_url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    region: String,
    access_token: String,
    expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    registration_expires_at: Option<String>,
    /// Whatever else the writer put there.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl Stored {
    /// The token file in `data`, if it is one as serde's derive read it: an object whose
    /// `accessToken` and `expiresAt` are strings, `startUrl` and `region` strings if there,
    /// the four others strings or null if there, none of them twice.
    fn read(data: &[u8]) -> Option<Stored> {
        let Members(mut known, rest) = serde_json::from_slice(data).ok()?;
        let mut take = |i: usize| std::mem::take(&mut known[i]);
        let text = |v: Option<Value>| match v {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let optional = |v: Option<Value>| match v {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(s)) => Some(Some(s)),
            Some(_) => None,
        };
        let or_empty = |v: Option<Value>| match v {
            None => Some(String::new()),
            v => text(v),
        };
        Some(Stored {
            start_url: or_empty(take(0))?,
            region: or_empty(take(1))?,
            access_token: text(take(2))?,
            expires_at: text(take(3))?,
            refresh_token: optional(take(4))?,
            client_id: optional(take(5))?,
            client_secret: optional(take(6))?,
            registration_expires_at: optional(take(7))?,
            rest,
        })
    }
}

/// The members [`Stored`] names, in its order.
const KNOWN: [&str; 8] = [
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "refreshToken",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
];

/// A token file's members: those of [`KNOWN`] by place, and the rest. One of [`KNOWN`] given
/// twice is an error, as serde's derive made it; another given twice is the last one.
struct Members([Option<Value>; 8], Map<String, Value>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Members, D::Error> {
        deserializer.deserialize_map(Members([const { None }; 8], Map::new()))
    }
}

impl<'de> Visitor<'de> for Members {
    type Value = Members;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a token file")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Members, A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let value: Value = map.next_value()?;
            match KNOWN.iter().position(|k| *k == key) {
                Some(i) if self.0[i].is_some() => return Err(de::Error::custom("twice")),
                Some(i) => self.0[i] = Some(value),
                None => drop(self.1.insert(key, value)),
            }
        }
        Ok(self)
    }
}

/// A login's token, read from its file or just made.
#[derive(Clone)]
pub struct Token {
    stored: Stored,
    /// Unix seconds.
    pub expires: i64,
    registration_expires: Option<i64>,
}

/// The token a run sent, and the file it came from. What the run writes on its strength (a
/// refreshed token, a role's cached credentials) is written only while the file still holds
/// it: a login ended meanwhile (`--sso-logout`, `aws sso logout`) or replaced stays so.
#[derive(Debug, Clone)]
pub struct UsedToken {
    path: PathBuf,
    access_token: Secret,
}

impl UsedToken {
    /// Whether the token file still holds this token (read again, quietly: a file that is
    /// gone, replaced, or no longer one we may trust does not).
    pub fn still_in_file(&self) -> bool {
        read_at(&self.path, true)
            .is_some_and(|t| t.stored.access_token == self.access_token.expose())
    }
}

/// What a refresh needs: the refresh token, and the client it was issued to.
pub struct Refresher {
    pub refresh_token: Secret,
    pub client_id: String,
    pub client_secret: Secret,
}

/// What a login gave: the tokens and the client that got them.
pub struct Granted {
    pub access_token: Secret,
    pub expires_in: i64,
    pub refresh_token: Option<Secret>,
    pub client_id: String,
    pub client_secret: Secret,
    pub registration_expires: i64,
}

/// `expiresAt` as botocore and the CLI write it: RFC 3339, or with a `UTC` suffix for `Z`.
pub fn parse_time(text: &str) -> Option<i64> {
    match text.strip_suffix("UTC") {
        Some(head) => time::rfc3339::parse(&format!("{head}Z")),
        None => time::rfc3339::parse(text),
    }
}

/// SHA-1 hex of `text`: the CLI's name for a cache file.
pub fn sha1_hex(text: &str) -> String {
    random::hex(&Sha1::digest(text.as_bytes()))
}

/// Where `login`'s token lives.
pub fn path(login: &Login) -> PathBuf {
    login
        .cache_dir
        .join(format!("{}.json", sha1_hex(login.cache_key())))
}

impl Token {
    /// Parses a token file; `None` when it is not one (no token or no readable expiry).
    pub fn parse(data: &[u8]) -> Option<Token> {
        let stored = Stored::read(data)?;
        let expires = parse_time(&stored.expires_at)?;
        let registration_expires = stored
            .registration_expires_at
            .as_deref()
            .and_then(parse_time);
        (!stored.access_token.is_empty()).then_some(Token {
            stored,
            expires,
            registration_expires,
        })
    }

    /// A new token for `login` from what a login or refresh gave, keeping a previous token's
    /// other fields and its refresh token when no new one came. Its lifetime is bounded
    /// ([`lifetime`]); one that is not positive is refused, with the reason.
    pub fn from_grant(
        login: &Login,
        granted: Granted,
        previous: Option<&Token>,
    ) -> Result<Token, String> {
        let seconds = granted.expires_in;
        let lifetime = lifetime(seconds).ok_or_else(|| {
            format!("the service gave the token a lifetime of {seconds} s: it has expired already")
        })?;
        let expires = time::unix_now() + lifetime;
        let mut rest = previous.map(|p| p.stored.rest.clone()).unwrap_or_default();
        rest.remove("refreshToken");
        let refresh = granted
            .refresh_token
            .map(|t| t.expose().to_string())
            .or_else(|| previous.and_then(|p| p.stored.refresh_token.clone()));
        Ok(Token {
            stored: Stored {
                start_url: login.start_url.clone(),
                region: login.region.clone(),
                access_token: granted.access_token.expose().to_string(),
                expires_at: time::rfc3339::format(expires),
                refresh_token: refresh,
                client_id: Some(granted.client_id),
                client_secret: Some(granted.client_secret.expose().to_string()),
                registration_expires_at: Some(time::rfc3339::format(granted.registration_expires)),
                rest,
            },
            expires,
            registration_expires: Some(granted.registration_expires),
        })
    }

    /// The start URL the file says the login is for, if it says.
    pub fn start_url(&self) -> Option<&str> {
        Some(self.stored.start_url.as_str()).filter(|u| !u.is_empty())
    }

    /// The Identity Center region the file says, if it says (unchecked: it is the file's).
    pub fn region(&self) -> Option<&str> {
        Some(self.stored.region.as_str()).filter(|r| !r.is_empty())
    }

    /// The bearer token for the portal.
    pub fn access_token(&self) -> Secret {
        Secret::new(self.stored.access_token.clone())
    }

    /// This token as `login`'s file holds it: what a write made with it checks first.
    pub fn used(&self, login: &Login) -> UsedToken {
        UsedToken {
            path: path(login),
            access_token: self.access_token(),
        }
    }

    /// Whether it may still be sent at `now`.
    pub fn usable(&self, now: i64) -> bool {
        self.expires - now > USABLE_MARGIN
    }

    /// Whether it is inside the refresh window at `now`.
    pub fn due(&self, now: i64) -> bool {
        self.expires - now < REFRESH_WINDOW
    }

    /// The refresh token and the client to use it with, while the registration is valid.
    pub fn refresher(&self, now: i64) -> Option<Refresher> {
        if self.registration_expires.is_none_or(|t| t <= now) {
            return None;
        }
        let s = &self.stored;
        Some(Refresher {
            refresh_token: Secret::new(s.refresh_token.clone()?),
            client_id: s.client_id.clone()?,
            client_secret: Secret::new(s.client_secret.clone()?),
        })
    }

    /// Whether it has what a refresh needs (`-D`), whatever the time.
    pub fn has_refresh_token(&self) -> bool {
        self.stored.refresh_token.is_some() && self.stored.client_id.is_some()
    }

    /// When the client registration expires, if known.
    pub fn registration_expires(&self) -> Option<i64> {
        self.registration_expires
    }

    pub fn to_json(&self) -> std::io::Result<Vec<u8>> {
        serde_json::to_vec(&self.stored).map_err(std::io::Error::other)
    }
}

/// A token file, in messages.
const FILE: store::FileKind = store::FileKind {
    tag: "sso token",
    noun: "IAM Identity Center token file",
    instead: "",
};

/// Reads `login`'s token file; `None` when there is no usable one (missing, unsafe, corrupt:
/// the warning, if one is due, is said). `quiet`: an unsafe file was named already.
pub fn read(login: &Login, quiet: bool) -> Option<Token> {
    read_at(&path(login), quiet)
}

/// [`read`], of the token file at `path`.
pub fn read_at(path: &Path, quiet: bool) -> Option<Token> {
    let data = store::read_trusted(path, &FILE, quiet)?;
    let token = Token::parse(&data);
    if token.is_none() && !quiet {
        log::warn(format_args!(
            "ignoring the IAM Identity Center token file {}: it is not a token",
            path.display()
        ));
    }
    token
}

/// A token file found in the token cache: a login, whichever tool made it.
pub struct Found {
    pub path: PathBuf,
    pub token: Token,
}

/// The logins in the token cache `dir`, by file name: each file named as the CLI names a token
/// (`<sha1 hex>.json`) that holds an access token. The client registrations beside them hold
/// none (ours and the CLI v2's are named by a SHA-1 too; `botocore-client-*`, `aws-toolkit-*`
/// and the like are not), and are left alone; so is a file we may not trust (said once).
pub fn in_cache(dir: &Path) -> Vec<Found> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<Found> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| named_as_token(path))
        .filter_map(|path| {
            let token = Token::parse(&store::read_trusted(&path, &FILE, false)?)?;
            Some(Found { path, token })
        })
        .collect();
    // Unstable: a directory's paths are distinct, so the order is the same, in less code.
    found.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    found
}

/// Whether `path`'s name is one [`path`] gives: 40 lower-case hex digits, `.json`.
fn named_as_token(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.strip_suffix(".json").is_some_and(|stem| {
        stem.len() == 40 && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Writes `token` as `login`'s token file, atomically, 0600.
pub fn write(private: &store::Private, login: &Login, token: &Token) -> std::io::Result<()> {
    let path = path(login);
    let name = file_name(&path);
    private.write(&path, &name, &token.to_json()?)
}

/// The file name of `path`, for locks and temp files.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_is_the_sha1_of_the_session_name_as_the_cli_names_it() {
        assert_eq!(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn expiry_is_read_in_both_spellings_botocore_writes() {
        assert_eq!(parse_time("2026-01-02T03:04:05Z"), Some(1_767_323_045));
        assert_eq!(parse_time("2026-01-02T03:04:05UTC"), Some(1_767_323_045));
        assert_eq!(parse_time("2026-01-02T03:04:05+00:00"), Some(1_767_323_045));
        assert_eq!(parse_time("soon"), None);
    }

    #[test]
    fn unknown_fields_survive_a_rewrite_and_a_missing_refresh_token_keeps_the_old_one() {
        let data = br#"{"startUrl":"u","region":"r","accessToken":"a","expiresAt":"2026-01-02T03:04:05Z","refreshToken":"old","clientId":"c","clientSecret":"s","registrationExpiresAt":"2099-01-01T00:00:00Z","extra":{"k":1}}"#;
        let token = Token::parse(data).unwrap();
        assert!(token.has_refresh_token());
        let login = Login::sample();
        let granted = Granted {
            access_token: Secret::new("new"),
            expires_in: 3600,
            refresh_token: None,
            client_id: "c".into(),
            client_secret: Secret::new("s"),
            registration_expires: 4_070_908_800,
        };
        let new = Token::from_grant(&login, granted, Some(&token)).unwrap();
        let json: Value = serde_json::from_slice(&new.to_json().unwrap()).unwrap();
        assert_eq!(json["extra"]["k"], 1);
        assert_eq!(json["refreshToken"], "old");
        assert_eq!(json["accessToken"], "new");
        assert_eq!(json["registrationExpiresAt"], "2099-01-01T00:00:00Z");
    }

    #[test]
    fn a_used_token_is_still_in_the_file_only_while_the_file_holds_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("aws-runas-used-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let login = Login {
            cache_dir: dir.clone(),
            ..Login::sample()
        };
        let put = |access: &str| {
            let json =
                format!(r#"{{"accessToken":"{access}","expiresAt":"2099-01-01T00:00:00Z"}}"#);
            std::fs::write(path(&login), json).unwrap();
            std::fs::set_permissions(path(&login), std::fs::Permissions::from_mode(0o600)).unwrap();
        };
        put("first");
        let used = read(&login, false).unwrap().used(&login);
        assert!(used.still_in_file());
        // Replaced by another login, then ended.
        put("second");
        assert!(!used.still_in_file());
        std::fs::remove_file(path(&login)).unwrap();
        assert!(!used.still_in_file());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_file_without_a_token_or_an_expiry_is_no_token() {
        assert!(Token::parse(br#"{"accessToken":"a"}"#).is_none());
        assert!(
            Token::parse(br#"{"accessToken":"","expiresAt":"2026-01-02T03:04:05Z"}"#).is_none()
        );
        assert!(Token::parse(b"not json").is_none());
    }

    fn granted(expires_in: i64) -> Granted {
        Granted {
            access_token: Secret::new("a"),
            expires_in,
            refresh_token: None,
            client_id: "c".into(),
            client_secret: Secret::new("s"),
            registration_expires: 4_070_908_800,
        }
    }

    #[test]
    fn a_lifetime_is_bounded_to_90_days_and_one_not_positive_is_refused() {
        assert_eq!(lifetime(3600), Some(3600));
        assert_eq!(lifetime(LONGEST + 1), Some(LONGEST));
        assert_eq!(lifetime(i64::MAX), Some(LONGEST));
        assert_eq!(lifetime(0), None);
        assert_eq!(lifetime(i64::MIN), None);
        let login = Login::sample();
        for huge in [i64::MAX, LONGEST + 1] {
            let token = Token::from_grant(&login, granted(huge), None).unwrap();
            // Written with a year of four digits, and read back the same.
            let again = Token::parse(&token.to_json().unwrap()).unwrap();
            assert_eq!(again.expires, token.expires);
            assert!(token.expires - time::unix_now() <= LONGEST);
        }
        for refused in [0, -5, i64::MIN] {
            let reason = Token::from_grant(&login, granted(refused), None).err();
            assert_eq!(
                reason,
                Some(format!(
                    "the service gave the token a lifetime of {refused} s: it has expired already"
                ))
            );
        }
    }

    #[test]
    fn the_logins_of_the_cache_are_its_token_files_not_its_client_registrations() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("aws-runas-found-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".aws-runas")).unwrap();
        let token = r#"{"startUrl":"https://a.awsapps.com/start","region":"eu-west-1","accessToken":"a","expiresAt":"2099-01-01T00:00:00Z"}"#;
        let registration = r#"{"clientId":"c","clientSecret":"s","expiresAt":"2099-01-01T00:00:00Z","scopes":["sso:account:access"]}"#;
        let put = |name: &str, json: &str| {
            std::fs::write(dir.join(name), json).unwrap();
            let mode = std::fs::Permissions::from_mode(0o600);
            std::fs::set_permissions(dir.join(name), mode).unwrap();
        };
        put(&format!("{}.json", sha1_hex("corp")), token);
        put(
            &format!("{}.json", sha1_hex("https://b.awsapps.com/start")),
            r#"{"accessToken":"b","expiresAt":"2020-01-01T00:00:00Z"}"#,
        );
        // A registration named as ours, and as botocore's and the toolkit's; a token under
        // another name; something that is no token at all.
        put(&format!("{}.json", sha1_hex("registration")), registration);
        put("botocore-client-id-eu-west-1.json", registration);
        put("aws-toolkit-vscode-client.json", token);
        put(&format!("{}.json", sha1_hex("x").to_uppercase()), token);
        put(&format!("{}.json", sha1_hex("junk")), "not json");
        let found = in_cache(&dir);
        let mut names: Vec<String> = found.iter().map(|f| file_name(&f.path)).collect();
        names.sort();
        let mut wanted = vec![
            format!("{}.json", sha1_hex("corp")),
            format!("{}.json", sha1_hex("https://b.awsapps.com/start")),
        ];
        wanted.sort();
        assert_eq!(names, wanted);
        let corp = found
            .iter()
            .find(|f| f.token.start_url().is_some())
            .unwrap();
        assert_eq!(corp.token.region(), Some("eu-west-1"));
        assert!(found.iter().any(|f| f.token.region().is_none()));
        assert!(in_cache(&dir.join("missing")).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
