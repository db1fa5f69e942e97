//! The DPoP proof an `aws login` refresh carries (RFC 9449 as AWS Sign-In uses it): the cache's
//! `dpopKey` read (a SEC1 `EC PRIVATE KEY` of P-256, with its public point), and per request a
//! compact JWS signed ES256 over `{htm, htu, iat, jti}` with the public key as a JWK in the
//! header. ring's one owner here. Knows no file and no HTTP: the caller gives the URL.

use std::fmt;

use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

use crate::base64;
use crate::random;
use crate::time;

const BEGIN: &str = "-----BEGIN EC PRIVATE KEY-----";
const END: &str = "-----END EC PRIVATE KEY-----";
/// `ECPrivateKey` (RFC 5915) of P-256 as every writer we know lays it out: version 1, the
/// 32-byte scalar, `[0]` the curve's OID 1.2.840.10045.3.1.7, `[1]` the uncompressed point.
/// Anything else (another curve, no parameters, no public key) is refused, not guessed at.
const HEAD: [u8; 7] = [0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20];
const CURVE: [u8; 17] = [
    0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42,
    0x00,
];
const SCALAR: usize = 32;
const POINT: usize = 65;
const DER_LEN: usize = HEAD.len() + SCALAR + CURVE.len() + POINT;

/// A session's DPoP key, ready to sign; its `Debug` shows the public half only.
pub struct DpopKey {
    pair: EcdsaKeyPair,
    /// The JWK's `x` and `y`: the point's coordinates, base64url.
    x: String,
    y: String,
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DpopKey {{ x: {}, y: {} }}", self.x, self.y)
    }
}

impl DpopKey {
    /// Reads the cache's `dpopKey`; the error is one line naming the field, never its value.
    pub fn from_pem(pem: &str) -> Result<DpopKey, &'static str> {
        let body = pem
            .trim()
            .strip_prefix(BEGIN)
            .and_then(|rest| rest.strip_suffix(END))
            .ok_or("dpopKey is not a PEM `EC PRIVATE KEY`")?;
        let der = base64::decode(body).ok_or("dpopKey's PEM body is not base64")?;
        let (scalar, point) =
            split_der(&der).ok_or("dpopKey is not a P-256 key with its public key")?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            scalar,
            point,
            &SystemRandom::new(),
        )
        .map_err(|_| "dpopKey's private and public keys do not match")?;
        let public = pair.public_key().as_ref();
        let (x, y) = (base64::url(&public[1..33]), base64::url(&public[33..65]));
        Ok(DpopKey { pair, x, y })
    }

    /// A new key, for a login (LOGIN-PROTOCOL.md §5), and its `dpopKey` PEM for the cache file:
    /// SEC1 DER as the CLI writes it, base64 in lines of 64, `EC PRIVATE KEY` armour, a newline
    /// at the end. Read back through [`DpopKey::from_pem`], so what is cached is what signs.
    pub fn generate() -> Result<(DpopKey, String), &'static str> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| "no new P-256 key could be made for the DPoP proof")?;
        let der = sec1_of(pkcs8.as_ref()).ok_or("the new P-256 key has an unexpected form")?;
        let body = base64::standard(&der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|l| std::str::from_utf8(l).unwrap_or_default())
            .collect();
        let pem = format!("{BEGIN}\n{}\n{END}\n", lines.join("\n"));
        Ok((DpopKey::from_pem(&pem)?, pem))
    }

    /// The proof for a POST to `htu` (the full URL, no query), now, with a fresh `jti`.
    pub fn proof(&self, htu: &str) -> Result<String, String> {
        let jti =
            random::uuid_v4().map_err(|e| format!("no random bytes for the DPoP proof: {e}"))?;
        self.proof_at(htu, time::unix_now(), &jti)
    }

    fn proof_at(&self, htu: &str, iat: i64, jti: &str) -> Result<String, String> {
        let input = self.signing_input(htu, iat, jti);
        let signature = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .map_err(|_| "the DPoP proof could not be signed".to_string())?;
        Ok(format!("{input}.{}", base64::url(signature.as_ref())))
    }

    /// `base64url(header) "." base64url(payload)`, compact JSON in botocore's key order.
    fn signing_input(&self, htu: &str, iat: i64, jti: &str) -> String {
        let header = format!(
            r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{{"kty":"EC","x":"{}","y":"{}","crv":"P-256"}}}}"#,
            self.x, self.y
        );
        // The URL and jti as JSON strings: whatever the settings put in a URL stays one string.
        let text = |s: &str| serde_json::Value::from(s).to_string();
        let payload = format!(
            r#"{{"htm":"POST","htu":{},"iat":{iat},"jti":{}}}"#,
            text(htu),
            text(jti)
        );
        format!(
            "{}.{}",
            base64::url(header.as_bytes()),
            base64::url(payload.as_bytes())
        )
    }
}

/// The SEC1 `ECPrivateKey` of ring's PKCS#8 v1 document of a P-256 key: the scalar follows
/// `ECPrivateKey`'s version and the octet string's header, the point ends the document.
fn sec1_of(pkcs8: &[u8]) -> Option<Vec<u8>> {
    let version_and_scalar = [0x02, 0x01, 0x01, 0x04, 0x20];
    let at = pkcs8
        .windows(version_and_scalar.len())
        .position(|w| w == version_and_scalar)?
        + version_and_scalar.len();
    let scalar = pkcs8.get(at..at + SCALAR)?;
    let point = pkcs8.get(pkcs8.len().checked_sub(POINT)?..)?;
    let der = [&HEAD[..], scalar, &CURVE[..], point].concat();
    split_der(&der).is_some().then_some(der)
}

/// The scalar and the point of a P-256 `ECPrivateKey` laid out as `HEAD`/`CURVE` say, with
/// every length checked; `None` for any other DER.
fn split_der(der: &[u8]) -> Option<(&[u8], &[u8])> {
    if der.len() != DER_LEN {
        return None;
    }
    let rest = der.strip_prefix(&HEAD[..])?;
    let (scalar, rest) = rest.split_at_checked(SCALAR)?;
    let point = rest.strip_prefix(&CURVE[..])?;
    (point.len() == POINT && point[0] == 0x04).then_some((scalar, point))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    /// The `dpopKey` of the SDKs' shared test data (fixtures/login).
    const KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIPt/u8InPLpQeQLJTvVX+sNDzni8vMDMt3Liu+nMBigfoAoGCCqGSM49\nAwEHoUQDQgAEILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4bvTAiUCQ/I\nffut2379uP+OBCm2ovGpBOJRgrl1RspUOQ==\n-----END EC PRIVATE KEY-----\n";
    const HTU: &str = "https://us-east-2.signin.aws.amazon.com/v1/token";
    const JTI: &str = "00000000-0000-4000-8000-000000000000";
    /// LOGIN-PROTOCOL.md §4's worked example, verified with `cryptography`.
    const INPUT: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6IklMa0dHN3JOT254aUlKbE1naW1ZMVVQUDhlRE1GUDBEQVk2V0dqbmdQNFkiLCJ5IjoiNzB3SWxBa1B5SDM3cmR0LV9ial9qZ1FwdHFMeHFRVGlVWUs1ZFViS1ZEayIsImNydiI6IlAtMjU2In19.eyJodG0iOiJQT1NUIiwiaHR1IjoiaHR0cHM6Ly91cy1lYXN0LTIuc2lnbmluLmF3cy5hbWF6b24uY29tL3YxL3Rva2VuIiwiaWF0IjoxNzYzNTM5MjAwLCJqdGkiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAifQ";
    const SIGNATURE: &str =
        "GPXWwbenmMeHMkwjaD7Vz5aufJPhtYDUjqzpfyjhbHgRl1euED9sAYkVa0Nt7fMx7fKZTaY2rJbbg-yxQ1mPxA";

    #[test]
    fn a_new_key_is_cached_as_the_cli_writes_one_and_signs_what_it_reads_back() {
        let (key, pem) = DpopKey::generate().unwrap();
        assert!(
            pem.starts_with("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE"),
            "{pem}"
        );
        assert!(pem.ends_with("\n-----END EC PRIVATE KEY-----\n"));
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines.len(), 5, "121 bytes: two lines of 64 and one of 36");
        assert!(lines[1..4].iter().take(2).all(|l| l.len() == 64));
        let again = DpopKey::from_pem(&pem).unwrap();
        assert_eq!((&key.x, &key.y), (&again.x, &again.y));
        let proof = again.proof(HTU).unwrap();
        let (input, signature) = proof.rsplit_once('.').unwrap();
        assert!(verifies(&key, input, signature));
        let (_, other) = DpopKey::generate().unwrap();
        assert_ne!(pem, other, "each login its own key");
    }

    fn verifies(key: &DpopKey, input: &str, signature: &str) -> bool {
        let public =
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.pair.public_key().as_ref());
        let raw = decode_url(signature);
        raw.len() == 64 && public.verify(input.as_bytes(), &raw).is_ok()
    }

    /// Base64url back to bytes, for the tests only (through the standard alphabet).
    fn decode_url(text: &str) -> Vec<u8> {
        let mut s: String = text
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        while !s.len().is_multiple_of(4) {
            s.push('=');
        }
        base64::decode(&s).unwrap()
    }

    #[test]
    fn the_worked_example_signing_input_and_jwk() {
        let key = DpopKey::from_pem(KEY).unwrap();
        assert_eq!(key.x, "ILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4Y");
        assert_eq!(key.y, "70wIlAkPyH37rdt-_bj_jgQptqLxqQTiUYK5dUbKVDk");
        assert_eq!(key.signing_input(HTU, 1763539200, JTI), INPUT);
        // The documented signature is one the public key accepts; a changed byte is not.
        assert!(verifies(&key, INPUT, SIGNATURE));
        assert!(!verifies(
            &key,
            &INPUT.replace("eyJodG0", "eyJodG1"),
            SIGNATURE
        ));
    }

    #[test]
    fn the_jwk_thumbprint_is_the_one_a_refresh_token_is_bound_to() {
        use sha2::{Digest, Sha256};
        let key = DpopKey::from_pem(KEY).unwrap();
        // RFC 7638: the required members in lexicographic order, no whitespace.
        let jwk = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            key.x, key.y
        );
        let thumbprint = base64::url(&Sha256::digest(jwk.as_bytes()));
        assert_eq!(thumbprint, "e7xr4u9dipJUd_xCzo_05SEmb1V9HrRwKQ5PZIy3FDI");
    }

    #[test]
    fn a_proof_is_the_input_and_a_raw_r_s_signature_of_it() {
        let key = DpopKey::from_pem(KEY).unwrap();
        let proof = key.proof_at(HTU, 1763539200, JTI).unwrap();
        let (input, signature) = proof.rsplit_once('.').unwrap();
        assert_eq!(input, INPUT);
        assert_eq!(signature.len(), 86);
        assert!(verifies(&key, input, signature));
        // Each proof has its own jti.
        let (a, b) = (key.proof(HTU).unwrap(), key.proof(HTU).unwrap());
        assert_ne!(a.split('.').nth(1), b.split('.').nth(1));
        let payload = String::from_utf8(decode_url(a.split('.').nth(1).unwrap())).unwrap();
        assert!(
            payload.starts_with(&format!(r#"{{"htm":"POST","htu":"{HTU}","iat":"#)),
            "{payload}"
        );
    }

    #[test]
    fn a_url_stays_one_json_string() {
        let key = DpopKey::from_pem(KEY).unwrap();
        let input = key.signing_input("http://h/\"x\\", 1, JTI);
        let payload = String::from_utf8(decode_url(input.split('.').nth(1).unwrap())).unwrap();
        assert!(payload.contains(r#""htu":"http://h/\"x\\","#), "{payload}");
    }

    #[test]
    fn anything_but_a_p256_sec1_key_with_its_point_is_refused_naming_the_field() {
        let der = base64::decode(
            KEY.trim()
                .strip_prefix(BEGIN)
                .unwrap()
                .strip_suffix(END)
                .unwrap(),
        )
        .unwrap();
        let pem = |der: &[u8]| {
            let b = crate::base64::url(der).replace('-', "+").replace('_', "/");
            let pad = "=".repeat((4 - b.len() % 4) % 4);
            format!("{BEGIN}\n{b}{pad}\n{END}\n")
        };
        let mut other_curve = der.clone();
        other_curve[50] ^= 1;
        let mut wrong_point = der.clone();
        wrong_point[120] ^= 1;
        let mut compressed = der.clone();
        compressed[56] = 0x02;
        let cases = [
            "".to_string(),
            KEY.replace("EC PRIVATE KEY", "PRIVATE KEY"),
            KEY.replace("MHcC", "MHc!"),
            pem(&der[..der.len() - 1]),
            pem(&[&der[..], &[0][..]].concat()),
            pem(&der[..51]),
            pem(&other_curve),
            pem(&compressed),
            pem(&wrong_point),
        ];
        for case in &cases {
            let why = DpopKey::from_pem(case).unwrap_err();
            assert!(why.starts_with("dpopKey"), "{why}");
            assert!(!why.contains("MHcC") && !why.contains('\n'), "{why}");
        }
        assert!(DpopKey::from_pem(&pem(&der)).is_ok());
    }

    #[test]
    fn debug_shows_the_public_half_only() {
        let shown = format!("{:?}", DpopKey::from_pem(KEY).unwrap());
        assert!(
            shown.contains("ILkGG7rNOnxiIJlMgimY1UPP8eDMFP0DAY6WGjngP4Y"),
            "{shown}"
        );
        assert!(!shown.contains("pair"), "{shown}");
    }
}
