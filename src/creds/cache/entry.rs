//! One cache file's contents: the Go 1.x tool's JSON object (`AccessKeyID`, `SecretAccessKey`,
//! `SessionToken`, `ProviderName`, `Expiration` in unix seconds) plus our own fields, which the
//! 1.x tool ignores, and the rules that say whether an entry may be used now: made for this role,
//! external id, MFA device and source keys, and outside its window (10% of the credentials' own
//! lifetime, at least 90 s, before expiry). Pure: no file is read here.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::credentials::{Credentials, Secret};
use crate::creds::provider::Fetched;
use crate::log::debug;
use crate::time;

/// What an entry was made by, in the 1.x tool's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SessionToken,
    AssumeRole,
    /// An Identity Center role's credentials (GetRoleCredentials).
    Sso,
}

impl Kind {
    fn provider_name(self) -> &'static str {
        match self {
            Kind::SessionToken => "SessionTokenProvider",
            Kind::AssumeRole => "AssumeRoleProvider",
            Kind::Sso => "SSOProvider",
        }
    }
}

/// One cache file's contents.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Entry {
    // The Go tool's spelling.
    #[serde(rename = "AccessKeyID")]
    access_key_id: String,
    secret_access_key: String,
    #[serde(default)]
    session_token: String,
    #[serde(default)]
    provider_name: String,
    expiration: i64,
    // Ours. Absent in a 1.x file (then not checked); always written by us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issued: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mfa_serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caller_arn: Option<String>,
    /// What credentials that come from no role ARN were made for (an Identity Center role's:
    /// `<account>/<role name>@<start URL>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<String>,
}

/// What a usable entry must have been made for. `None` fields are written as empty strings, so
/// an entry made without (say) MFA does not pass for one made with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    pub mfa_serial: Option<String>,
    /// The access key id of the long-term keys at the chain's root: an entry made with another
    /// user's keys (another profile mapped to the same file) is not ours.
    pub source_key_id: Option<String>,
    /// What credentials that come from no role ARN are for (see [`Entry`]); written only when
    /// set, and then it must be the same.
    pub key: Option<String>,
}

/// Where an entry stands at a given time (`-D`): made for something else, or its credentials
/// used, due for renewal (inside their window), or expired. Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Made for another role, external id, MFA device, login or keys, or holding no keys: a run
    /// fetches new credentials and replaces it.
    Other,
    /// Used until `renew_at`; valid until `expires`.
    Valid { expires: i64, renew_at: i64 },
    /// Still valid until `expires`, but inside the window: a run renews them.
    Due { expires: i64 },
    /// Expired at `expires`.
    Expired { expires: i64 },
}

/// The seconds before expiry at which an entry stops being used: 10% of `lifetime`, at least
/// 90 s.
pub fn window(lifetime: Duration) -> i64 {
    i64::try_from(lifetime.as_secs() / 10)
        .unwrap_or(i64::MAX)
        .max(90)
}

fn field_matches(stored: &Option<String>, expected: &Option<String>) -> bool {
    match stored {
        None => true, // a 1.x file: nothing to compare
        Some(s) => s.as_str() == expected.as_deref().unwrap_or(""),
    }
}

impl Entry {
    /// The entry for `fetched`, made now by `kind` for `expect`.
    pub fn new(fetched: &Fetched, kind: Kind, expect: &Expect) -> Entry {
        let creds = &fetched.credentials;
        let text = |v: &Option<String>| Some(v.clone().unwrap_or_default());
        Entry {
            access_key_id: creds.access_key_id.clone(),
            secret_access_key: creds.secret_access_key.expose().to_string(),
            session_token: creds
                .session_token
                .as_ref()
                .map(|t| t.expose().to_string())
                .unwrap_or_default(),
            provider_name: kind.provider_name().to_string(),
            expiration: creds.expiration.unwrap_or_default(),
            issued: Some(time::unix_now()),
            role_arn: text(&expect.role_arn),
            external_id: text(&expect.external_id),
            mfa_serial: text(&expect.mfa_serial),
            source_key_id: text(&expect.source_key_id),
            session_name: fetched.session_name.clone(),
            caller_arn: fetched.caller_arn.clone(),
            key: expect.key.clone(),
        }
    }

    /// The entry in a file's bytes.
    pub fn parse(data: &[u8]) -> serde_json::Result<Entry> {
        serde_json::from_slice(data)
    }

    /// The file's bytes.
    pub fn to_json(&self) -> std::io::Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(std::io::Error::other)
    }

    /// Whether the entry was made for `expect` (by `kind`); `name` is the file, for the `-v`
    /// line that says why not.
    fn fits(&self, name: &str, kind: Kind, expect: &Expect) -> bool {
        if !field_matches(&self.role_arn, &expect.role_arn)
            || !field_matches(&self.external_id, &expect.external_id)
            || !field_matches(&self.mfa_serial, &expect.mfa_serial)
            || self.key != expect.key
        {
            debug!("cache {name}: made for another role, external id or MFA device");
            return false;
        }
        if kind == Kind::SessionToken && expect.mfa_serial.is_some() && self.mfa_serial.is_none() {
            // A 1.x file does not say whether MFA made it; a role that demands MFA would refuse
            // it, so ask again rather than fail.
            debug!("cache {name}: no record of MFA, and the profile has an MFA serial");
            return false;
        }
        if !field_matches(&self.source_key_id, &expect.source_key_id) {
            debug!("cache {name}: made with other source keys");
            return false;
        }
        if self.access_key_id.is_empty() || self.secret_access_key.is_empty() {
            debug!("cache {name}: no keys");
            return false;
        }
        true
    }

    /// The credentials, if the entry fits `expect` (by `kind`) and is outside its window at
    /// `now`; `lifetime` is the configured one, for a file that does not say when its
    /// credentials were issued.
    pub fn usable(
        self,
        name: &str,
        kind: Kind,
        expect: &Expect,
        lifetime: Duration,
        now: i64,
    ) -> Option<Fetched> {
        if !self.fits(name, kind, expect) {
            return None;
        }
        let left = self.expiration.saturating_sub(now);
        let window = self.window(lifetime);
        if left <= window {
            debug!("cache {name}: expires in {left}s (refreshing {window}s before expiry)");
            return None;
        }
        debug!(
            "cache {name}: valid for {left}s, key {}",
            self.access_key_id
        );
        Some(Fetched {
            credentials: Credentials {
                access_key_id: self.access_key_id,
                secret_access_key: Secret::new(self.secret_access_key),
                session_token: Some(self.session_token)
                    .filter(|t| !t.is_empty())
                    .map(Secret::new),
                expiration: Some(self.expiration),
            },
            caller_arn: self.caller_arn.filter(|a| !a.is_empty()),
            session_name: self.session_name,
            sso_token: None,
        })
    }

    /// Where the entry stands at `now` for `expect` (by `kind`), as [`Entry::usable`] decides;
    /// `name` is the file, for `-v`.
    pub fn standing(
        &self,
        name: &str,
        kind: Kind,
        expect: &Expect,
        lifetime: Duration,
        now: i64,
    ) -> Standing {
        if !self.fits(name, kind, expect) {
            return Standing::Other;
        }
        let expires = self.expiration;
        let renew_at = expires.saturating_sub(self.window(lifetime));
        if expires <= now {
            Standing::Expired { expires }
        } else if renew_at <= now {
            Standing::Due { expires }
        } else {
            Standing::Valid { expires, renew_at }
        }
    }

    /// The seconds before expiry at which the entry stops being used: [`window`] of the
    /// credentials' own lifetime, else of the configured `lifetime`.
    fn window(&self, lifetime: Duration) -> i64 {
        window(self.lifetime().unwrap_or(lifetime))
    }

    /// The credentials' own lifetime, when the file says when they were issued.
    fn lifetime(&self) -> Option<Duration> {
        self.issued
            .and_then(|issued| self.expiration.checked_sub(issued))
            .and_then(|secs| u64::try_from(secs).ok())
            .filter(|secs| *secs > 0)
            .map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(expiration: i64, issued: i64, role: &str) -> Entry {
        let json = format!(
            r#"{{"AccessKeyID":"ASIA","SecretAccessKey":"s","SessionToken":"t","Expiration":{expiration},"Issued":{issued},"RoleArn":"{role}"}}"#
        );
        Entry::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn an_entry_stands_as_usable_decides() {
        let expect = Expect {
            role_arn: Some("arn:aws:iam::123456789012:role/admin".into()),
            ..Expect::default()
        };
        let hour = Duration::from_secs(3600);
        let standing = |e: &Entry, now| e.standing("f", Kind::AssumeRole, &expect, hour, now);
        let usable = |e: Entry, now| e.usable("f", Kind::AssumeRole, &expect, hour, now);
        // Issued at 0 for an hour: used until 3240 (a tenth of the hour before expiry).
        let e = || entry(3600, 0, "arn:aws:iam::123456789012:role/admin");
        for (now, wanted) in [
            (
                100,
                Standing::Valid {
                    expires: 3600,
                    renew_at: 3240,
                },
            ),
            (3240, Standing::Due { expires: 3600 }),
            (3600, Standing::Expired { expires: 3600 }),
            (9999, Standing::Expired { expires: 3600 }),
        ] {
            assert_eq!(standing(&e(), now), wanted, "at {now}");
            assert_eq!(
                usable(e(), now).is_some(),
                matches!(wanted, Standing::Valid { .. }),
                "at {now}"
            );
        }
        let other = entry(3600, 0, "arn:aws:iam::123456789012:role/other");
        assert_eq!(standing(&other, 100), Standing::Other);
    }

    #[test]
    fn window_arithmetic() {
        assert_eq!(window(Duration::from_secs(3600)), 360);
        assert_eq!(window(Duration::from_secs(43_200)), 4320);
        assert_eq!(window(Duration::from_secs(600)), 90);
        assert_eq!(window(Duration::from_secs(900)), 90);
        assert_eq!(
            window(Duration::from_secs(u64::MAX)),
            i64::try_from(u64::MAX / 10).unwrap()
        );
    }
}
