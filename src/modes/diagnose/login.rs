//! `-D` for a profile whose credentials come from an `aws login` session (itself, or the source
//! of its role): the session, its cache file and when its credentials expire, as found. Never a
//! key, token or the DPoP key: of the cache file only the expiry is kept.

use super::report::{Level, Report};
use crate::config::login::LoginSession;
use crate::creds::login::token::{self, Standing, State};
use crate::log::escape;
use crate::time::{self, rfc3339};

/// The session's line: its ARN, its cache file, and where its credentials stand.
pub fn check(profile: &str, session: &LoginSession, r: &mut Report) {
    let path = token::path(session);
    let head = format!(
        "aws login session {} of profile '{profile}' ({})",
        escape(&session.arn),
        escape(&path.to_string_lossy())
    );
    let again = format!("run aws-runas --login {profile}");
    let (level, line) = match token::state(session) {
        State::None => (Level::Warn, format!("{head}: no cache file; {again}")),
        State::Unusable(why) => (Level::Warn, format!("{head}: ignored, {why}; {again}")),
        State::NotASession(why) => (
            Level::Warn,
            format!("{head}: not a session, {why}; {again}"),
        ),
        State::Session { expires } => standing_line(&head, &again, expires),
    };
    r.line(level, format_args!("{line}"));
}

/// The line on a session's credentials that expire at `expires`.
fn standing_line(head: &str, again: &str, expires: i64) -> (Level, String) {
    let at = rfc3339::format(expires);
    let now = time::unix_now();
    match Standing::of(expires, now) {
        Standing::Valid => (Level::Ok, format!("{head}: credentials valid until {at}")),
        Standing::Due => (
            Level::Warn,
            format!("{head}: credentials expire at {at}, and aws-runas cannot refresh them yet: used until then, then {again}"),
        ),
        Standing::Expired => (Level::Warn, format!("{head}: credentials expired at {at}; {again}")),
    }
}
