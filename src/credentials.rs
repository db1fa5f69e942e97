//! The vocabulary every layer shares: [`Credentials`], the [`Secret`] strings inside them and
//! the [`MfaCode`] that unlocks them. A leaf: it imports nothing of the crate.
//!
//! Secrets are masked by construction: their `Debug` and `Display` print `****`, so a careless
//! `{:?}` in a log line or an error cannot leak one. Only the request signer, the export renderer,
//! the child environment and the cache file ask for the raw value, with `expose()`.

use std::fmt;

/// A secret string (secret access key, session token).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The raw value, for the few places that must hand it on.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// A set of AWS credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    /// Unix seconds; `None` for long-term keys.
    pub expiration: Option<i64>,
}

impl Credentials {
    /// Whether these are temporary credentials (a session token, or an `ASIA` key id).
    pub fn is_temporary(&self) -> bool {
        self.session_token.is_some() || self.access_key_id.starts_with("ASIA")
    }
}

/// An MFA code: six digits, the one rule for `-o` and for the prompt. Masked like a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaCode(String);

impl MfaCode {
    /// The code, if `text` is six ASCII digits.
    pub fn parse(text: &str) -> Option<MfaCode> {
        let ok = text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| MfaCode(text.to_string()))
    }

    /// The digits, for the STS call.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MfaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("******")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_debug_and_display() {
        let c = Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Secret::new("topsecret"),
            session_token: Some(Secret::new("tokentoken")),
            expiration: None,
        };
        let shown = format!("{c:?} {}", c.secret_access_key);
        assert!(
            !shown.contains("topsecret") && !shown.contains("tokentoken"),
            "{shown}"
        );
        assert!(shown.contains("AKIAEXAMPLE"));
    }

    #[test]
    fn codes_are_six_digits_and_masked() {
        let code = MfaCode::parse("012345").unwrap();
        assert_eq!(code.expose(), "012345");
        assert_eq!(format!("{code:?}"), "******");
        for bad in ["12345", "1234567", "12a456", "", " 12345", "１２３４５６"] {
            assert!(MfaCode::parse(bad).is_none(), "{bad:?}");
        }
    }
}
