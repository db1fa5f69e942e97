//! Time: the program's one clock ([`now`], [`unix_now`]), UTC timestamps as STS writes them
//! ([`rfc3339`]), HTTP `Date` headers ([`http_date`]) and local time for messages ([`local`]). A leaf: it imports nothing of the crate.

pub mod local;
pub mod rfc3339;

use std::time::{SystemTime, UNIX_EPOCH};

/// The clock. Everything that asks "what time is it" asks here, so there is one notion of now
/// (request signing, cache validity, session names, the `-e` line).
pub fn now() -> SystemTime {
    SystemTime::now()
}

/// Now, in unix seconds (0 if the clock is before 1970).
pub fn unix_now() -> i64 {
    now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Now, in unix milliseconds (0 if the clock is before 1970): for lifetimes shorter than a few
/// seconds, which whole seconds would cut short by up to one.
pub fn unix_now_ms() -> i64 {
    now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// An HTTP `Date` header (RFC 9110's IMF-fixdate, and the obsolete forms), in unix seconds.
pub fn http_date(value: &str) -> Option<i64> {
    let at = httpdate::parse_http_date(value.trim()).ok()?;
    let secs = at.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// `at` as an HTTP `Date` header (IMF-fixdate): for tests that play AWS's clock.
#[cfg(test)]
pub fn format_http_date(at: SystemTime) -> String {
    httpdate::fmt_http_date(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(
            http_date("Thu, 26 Nov 2026 00:09:01 GMT"),
            Some(1_795_651_741)
        );
        assert_eq!(
            http_date("Thursday, 26-Nov-26 00:09:01 GMT"),
            Some(1_795_651_741)
        );
        assert_eq!(http_date("yesterday"), None);
    }
}
