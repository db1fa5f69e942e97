//! Random bytes from the kernel (getrandom(2), else /dev/urandom): the secrets the endpoints
//! hand out (tokens, keys, paths) and unique temporary names. A leaf.

use std::fmt::Write as _;
use std::io::Read;

/// `N` random bytes; an error only when the kernel gives none (no getrandom, no /dev/urandom).
pub fn bytes<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    let mut filled = 0;
    while filled < N {
        // SAFETY: the pointer and length describe the unfilled rest of `buf`.
        let n = unsafe { libc::getrandom(buf[filled..].as_mut_ptr().cast(), N - filled, 0) };
        if n < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            // An old kernel: the device.
            std::fs::File::open("/dev/urandom")?.read_exact(&mut buf[filled..])?;
            return Ok(buf);
        }
        filled += n as usize;
    }
    Ok(buf)
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
}
