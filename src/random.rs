//! Random bytes from the kernel (the getrandom crate, its one owner here: getrandom(2), else
//! /dev/urandom, and each other system's own): the secrets the endpoints hand out (tokens,
//! keys, paths) and unique temporary names. A leaf.

use std::fmt::Write as _;

/// `N` random bytes; an error only when the system gives none.
pub fn bytes<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    fill(&mut buf)?;
    Ok(buf)
}

/// Fills `buf` with random bytes (the TLS provider's randomness); an error only when the system
/// gives none.
pub fn fill(buf: &mut [u8]) -> std::io::Result<()> {
    getrandom::getrandom(buf).map_err(|e| match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code),
        None => std::io::Error::other("the system gave no random bytes"),
    })
}

/// Lower-case hex of `data`.
pub fn hex(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 2);
    for b in data {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `N` random bytes as hex.
pub fn hex_token<const N: usize>() -> std::io::Result<String> {
    Ok(hex(&bytes::<N>()?))
}

/// A random UUID, version 4 (RFC 9562 §5.4), in its hyphenated lower-case form.
pub fn uuid_v4() -> std::io::Result<String> {
    let mut b = bytes::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_and_distinct() {
        let a = hex_token::<16>().unwrap();
        let b = hex_token::<16>().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
    }

    #[test]
    fn uuid_v4_has_its_version_and_variant() {
        let u = uuid_v4().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(
            u.split('-').map(str::len).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert_eq!(&u[14..15], "4");
        assert!("89ab".contains(&u[19..20]), "{u}");
        assert_ne!(u, uuid_v4().unwrap());
    }
}
