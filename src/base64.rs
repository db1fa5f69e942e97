//! Base64 (RFC 4648), the one codec: base64url without padding (PKCE verifiers and challenges,
//! DPoP proofs out; a JWT's claims in) and standard base64 with padding (PEM bodies, both ways;
//! the code an `aws login --remote` page shows, in). A leaf.

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
pub fn url(data: &[u8]) -> String {
    encode(data, URL)
}

/// Standard base64 (RFC 4648 §4) with its padding.
pub fn standard(data: &[u8]) -> String {
    let mut out = encode(data, STANDARD);
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

fn encode(data: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Standard base64 (RFC 4648 §4) with its padding, ASCII whitespace skipped (PEM's line breaks);
/// `None` for any other character, a misplaced `=` or a length no encoder writes.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    decode_with(text, STANDARD)
}

/// Base64url (RFC 4648 §5), its padding optional (a JWT has none); as [`decode`] otherwise.
pub fn decode_url(text: &str) -> Option<Vec<u8>> {
    let mut padded = text.trim_end_matches('=').to_string();
    if padded.len() % 4 > 1 {
        padded.push_str(&"=="[..4 - padded.len() % 4]);
    }
    decode_with(&padded, URL)
}

fn decode_with(text: &str, alphabet: &[u8; 64]) -> Option<Vec<u8>> {
    let mut sextets = Vec::with_capacity(text.len());
    let mut padding = 0;
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        if b == b'=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return None;
        }
        sextets.push(alphabet.iter().position(|c| *c == b)? as u32);
    }
    if (sextets.len() + padding) % 4 != 0 || padding > 2 || sextets.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, s)| n | (s << (18 - 6 * i)));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_matches_rfc_4648_without_padding() {
        assert_eq!(url(b""), "");
        assert_eq!(url(b"f"), "Zg");
        assert_eq!(url(b"fo"), "Zm8");
        assert_eq!(url(b"foo"), "Zm9v");
        assert_eq!(url(b"foob"), "Zm9vYg");
        assert_eq!(url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn decode_matches_rfc_4648_and_refuses_the_rest() {
        for (text, data) in [
            ("", &b""[..]),
            ("Zg==", b"f"),
            ("Zm8=", b"fo"),
            ("Zm9v", b"foo"),
            ("Zm9v\nYmFy", b"foobar"),
            ("+/8=", &[0xfb, 0xff]),
        ] {
            assert_eq!(decode(text).as_deref(), Some(data), "{text}");
        }
        for bad in ["Z", "Zg=", "Zg===", "Z=g=", "-_8=", "Zm9v!", "Zg==Zg=="] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn standard_and_url_round_trip_every_length() {
        let data: Vec<u8> = (0..=255u8).rev().collect();
        for n in 0..40 {
            let d = &data[..n];
            assert_eq!(decode(&standard(d)).as_deref(), Some(d), "{n}");
            assert_eq!(decode_url(&url(d)).as_deref(), Some(d), "{n}");
            assert_eq!(standard(d).len() % 4, 0);
        }
        assert_eq!(standard(b"fo"), "Zm8=");
        assert_eq!(decode_url("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(decode_url("-_8=").as_deref(), Some(&[0xfb, 0xff][..]));
        for bad in ["Z", "+/8", "Zm9v.", "Zg=g"] {
            assert_eq!(decode_url(bad), None, "{bad}");
        }
    }
}
