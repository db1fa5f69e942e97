//! Percent-decoding (RFC 3986), the one decoder: a login redirect's query values, the request
//! targets the endpoints check for their secret path, IAM's policy documents. Encoding is the
//! Query API's (`aws/query.rs`).

/// What a `+` stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plus {
    /// A space, as in a query string (`application/x-www-form-urlencoded`).
    Space,
    /// Itself, as in a path or an RFC 3986 component.
    Plus,
}

/// The value of the hex digit `b`.
fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The byte `%XX` at the start of `bytes` stands for, if it is an escape.
fn escaped(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [b'%', high, low, ..] => Some(hex(*high)? * 16 + hex(*low)?),
        _ => None,
    }
}

/// `bytes` with each `%XX` decoded (and `+` as `plus` says); a `%` not followed by two hex
/// digits is kept as it is.
pub fn decode(bytes: &[u8], plus: Plus) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(byte) = escaped(&bytes[i..]) {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(match (bytes[i], plus) {
            (b'+', Plus::Space) => b' ',
            (b, _) => b,
        });
        i += 1;
    }
    out
}

/// The offset of the first `%` that is not followed by two hex digits, if there is one.
pub fn bad_escape(bytes: &[u8]) -> Option<usize> {
    (0..bytes.len()).find(|&i| bytes[i] == b'%' && escaped(&bytes[i..]).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_decoded_and_a_broken_one_kept() {
        assert_eq!(decode(b"a%20b%2Fc+d", Plus::Space), b"a b/c d");
        assert_eq!(decode(b"a+b", Plus::Plus), b"a+b");
        assert_eq!(decode(b"100%", Plus::Plus), b"100%");
        assert_eq!(decode(b"%zz%4", Plus::Plus), b"%zz%4");
        // Not a sign: `%+1` is no escape.
        assert_eq!(decode(b"%+1", Plus::Plus), b"%+1");
        assert_eq!(decode(b"%e2%82%ac", Plus::Plus), "€".as_bytes());
    }

    #[test]
    fn the_first_broken_escape_is_found() {
        assert_eq!(bad_escape(b"a%20b"), None);
        assert_eq!(bad_escape(b"a%2"), Some(1));
        assert_eq!(bad_escape(b"%41%g1"), Some(3));
    }
}
