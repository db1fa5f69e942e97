//! Time: the program's one clock ([`now`], [`unix_now`]), UTC timestamps as STS writes them
//! ([`rfc3339`]) and local time for messages ([`local`]). A leaf: it imports nothing of the crate.

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
