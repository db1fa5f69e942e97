//! `-D` for a profile whose credentials come from an `aws login` session (itself, or the source
//! of its role): the session, its cache file, when its credentials expire and whether they can
//! be refreshed (the file has a refresh token, a client id and a P-256 DPoP key; a region or
//! endpoint to send the refresh to, as the provider chooses it), as found. Never a key, token or
//! the DPoP key: of the cache file only the expiry, the refresh's readiness and its region are
//! kept. Whether the session itself is still alive only the service can tell.

use super::report::{Level, Report};
use crate::aws::signin;
use crate::config::login::LoginSession;
use crate::creds::login::token::{self, Refresh, Standing, State};
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
        State::Session { expires, refresh } => {
            let target = refresh_target(profile, session, &refresh);
            standing_line(&head, &again, expires, time::unix_now(), target)
        }
    };
    r.line(level, format_args!("{line}"));
}

/// Where a refresh of the session would be sent (`LoginSession::refresh_endpoint`, the
/// provider's choice), or why none can be made.
fn refresh_target(
    profile: &str,
    session: &LoginSession,
    refresh: &Refresh,
) -> Result<String, String> {
    if let Some(why) = &refresh.missing {
        return Err(why.clone());
    }
    let base = session.refresh_endpoint(refresh.file_region.as_deref(), profile)?;
    Ok(escape(&signin::token_url(&base)).into_owned())
}

/// The line on a session's credentials that expire at `expires`, at `now`, refreshed at
/// `target` (or not, and why).
fn standing_line(
    head: &str,
    again: &str,
    expires: i64,
    now: i64,
    target: Result<String, String>,
) -> (Level, String) {
    let at = rfc3339::format(expires);
    match (Standing::of(expires, now), target) {
        (Standing::Valid, Ok(url)) => (
            Level::Ok,
            format!("{head}: credentials valid until {at}; refreshed within 5 minutes of expiry at {url}"),
        ),
        (Standing::Valid, Err(why)) => (
            Level::Warn,
            format!("{head}: credentials valid until {at}, but they cannot be refreshed ({why}): then {again}"),
        ),
        (Standing::Due, Ok(url)) => (
            Level::Ok,
            format!("{head}: credentials expire at {at}; the next run refreshes them at {url}"),
        ),
        (Standing::Due, Err(why)) => (
            Level::Warn,
            format!("{head}: credentials expire at {at} and cannot be refreshed ({why}): used until then, then {again}"),
        ),
        (Standing::Expired, Ok(url)) => (
            Level::Warn,
            format!("{head}: credentials expired at {at}; the next run refreshes them at {url} (if the service says the session is over: {again})"),
        ),
        (Standing::Expired, Err(why)) => (
            Level::Warn,
            format!("{head}: credentials expired at {at} and cannot be refreshed ({why}); {again}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_standing_says_whether_and_where_it_is_refreshed() {
        let url = || Ok("https://eu-west-1.signin.aws.amazon.com/v1/token".to_string());
        let no = || Err("its refreshToken is empty".to_string());
        let line = |left: i64, target| {
            standing_line("h", "run aws-runas --login p", 1000, 1000 - left, target)
        };
        let cases = [
            (
                line(3600, url()),
                Level::Ok,
                "valid until",
                "refreshed within 5 minutes of expiry at https://eu-west-1.signin",
            ),
            (
                line(3600, no()),
                Level::Warn,
                "valid until",
                "cannot be refreshed (its refreshToken is empty): then run aws-runas --login p",
            ),
            (
                line(200, url()),
                Level::Ok,
                "expire at",
                "the next run refreshes them at https://",
            ),
            (
                line(200, no()),
                Level::Warn,
                "expire at",
                "used until then, then run aws-runas --login p",
            ),
            (
                line(-5, url()),
                Level::Warn,
                "expired at",
                "the next run refreshes them at https://",
            ),
            (
                line(-5, no()),
                Level::Warn,
                "expired at",
                "cannot be refreshed (its refreshToken is empty); run aws-runas --login p",
            ),
        ];
        for ((level, text), want_level, when, how) in cases {
            assert_eq!(level, want_level, "{text}");
            assert!(
                text.starts_with("h: credentials ") && text.contains(when),
                "{text}"
            );
            assert!(text.contains(how), "{text}");
            assert!(!text.contains("cannot refresh them yet"), "{text}");
        }
    }

    #[test]
    fn the_target_is_the_provider_s_endpoint_or_why_there_is_none() {
        let mut session = LoginSession {
            arn: "arn:aws:iam::1:user/A".into(),
            cache_dir: "/c".into(),
            region: Some("us-west-2".into()),
            endpoint: None,
        };
        let ready = |file_region: Option<&str>| Refresh {
            missing: None,
            file_region: file_region.map(str::to_string),
        };
        let target = |s: &LoginSession, r: &Refresh| refresh_target("p", s, r);
        assert_eq!(
            target(&session, &ready(None)).unwrap(),
            "https://us-west-2.signin.aws.amazon.com/v1/token"
        );
        assert_eq!(
            target(&session, &ready(Some("eu-west-1"))).unwrap(),
            "https://eu-west-1.signin.aws.amazon.com/v1/token"
        );
        let missing = Refresh {
            missing: Some("dpopKey is not a PEM `EC PRIVATE KEY`".into()),
            file_region: None,
        };
        assert!(target(&session, &missing)
            .unwrap_err()
            .starts_with("dpopKey"));
        session.region = None;
        assert!(target(&session, &ready(None))
            .unwrap_err()
            .contains("set region in profile 'p'"));
        session.endpoint = Some("http://127.0.0.1:9/".into());
        assert_eq!(
            target(&session, &ready(None)).unwrap(),
            "http://127.0.0.1:9/v1/token"
        );
    }
}
