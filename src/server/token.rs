//! IMDSv2 session tokens as keyed digests: `<expiry>.<HMAC-SHA256(key, expiry)>`, the expiry in
//! unix milliseconds (so a token lives its whole TTL, not up to a second less), with a key made
//! at start and never shown. A token proves we issued it and says until when it is good,
//! so none are kept (no state grows with requests, nothing to expire).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::random;

/// Issues and checks tokens.
pub struct Tokens {
    key: [u8; 32],
}

impl Tokens {
    pub fn new() -> std::io::Result<Tokens> {
        Ok(Tokens {
            key: random::bytes::<32>()?,
        })
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes any key length")
    }

    /// A token good until `expires` (unix milliseconds).
    pub fn issue(&self, expires: i64) -> String {
        let mut mac = self.mac();
        mac.update(expires.to_string().as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("{expires}.{}", random::hex(&digest))
    }

    /// Whether `token` is one of ours and still good at `now` (unix milliseconds).
    pub fn valid(&self, token: &str, now: i64) -> bool {
        let Some((expires, digest)) = token.split_once('.') else {
            return false;
        };
        let Ok(at) = expires.parse::<i64>() else {
            return false;
        };
        let Some(digest) = unhex(digest) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(expires.as_bytes());
        // Compared in constant time.
        mac.verify_slice(&digest).is_ok() && now < at
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let tokens = Tokens::new().unwrap();
        let t = tokens.issue(1000);
        assert!(tokens.valid(&t, 999));
        assert!(!tokens.valid(&t, 1000), "expired");
        // Another process's key, a changed expiry, junk.
        assert!(!Tokens::new().unwrap().valid(&t, 999));
        let (_, digest) = t.split_once('.').unwrap();
        assert!(!tokens.valid(&format!("2000.{digest}"), 999));
        for junk in ["", ".", "1000", "1000.zz", "x.00", "1000.0"] {
            assert!(!tokens.valid(junk, 0), "{junk}");
        }
    }

    #[test]
    fn a_token_lives_its_whole_ttl_to_the_millisecond() {
        let tokens = Tokens::new().unwrap();
        // Issued 0.999 s into a second with a TTL of 1 s: good until 1 s later, not until the
        // end of the next whole second.
        let issued_ms = 41_999;
        let t = tokens.issue(issued_ms + 1000);
        assert!(tokens.valid(&t, issued_ms + 999));
        assert!(!tokens.valid(&t, issued_ms + 1000));
    }
}
