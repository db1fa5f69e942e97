//! `-D` for a profile whose credentials come from IAM Identity Center (itself, or the source of
//! its role): the login's token and the caches a run reads, as checks; the login's settings and
//! the account and role, each with where it was read, as rows of the resolved profile (in place
//! of an IAM user's session token lines). Never a token, a refresh token or a secret: of the
//! token file and the cache files, only their expiries are read here.

use super::report::{Level, Report};
use crate::config::files::Files;
use crate::config::profile::{Profile, Target};
use crate::config::sso::{self, SetIn, SsoRole};
use crate::creds::cache::{CacheDir, Kind, Slot, Standing, State};
use crate::creds::plan;
use crate::time::{self, rfc3339};

/// The login's token: when it expires, whether it can be refreshed; then each cache file a run
/// reads, root first: whether it holds credentials a run uses, until when. As found: before
/// `-D` fetches anything itself.
pub fn check(profile: &Profile, role: &SsoRole, cache: &CacheDir, r: &mut Report) {
    let token = crate::modes::sso::token_state(&role.login);
    let level = if token.usable { Level::Ok } else { Level::Warn };
    r.line(level, format_args!("{}", token.line));
    let now = time::unix_now();
    for slot in plan::sso_slots(profile, cache) {
        let (level, line) = cache_line(&slot, &slot.state(now));
        r.line(level, format_args!("{line}"));
    }
}

/// The line on a cache file in `state`.
fn cache_line(slot: &Slot, state: &State) -> (Level, String) {
    let (what, other) = match slot.file.kind {
        Kind::Sso => (
            "IAM Identity Center role credentials",
            "another account, role or start URL",
        ),
        Kind::AssumeRole => ("role credentials", "another role or external id"),
        Kind::SessionToken => ("session token", "other keys or MFA device"),
    };
    let whose = format!("{what} of {}", slot.file.label);
    let path = slot.file.path.display();
    let cached = format!("cached {whose} ({path})");
    let at = rfc3339::format;
    match state {
        State::None => (
            Level::Ok,
            format!("no cached {whose} ({path}): the next run fetches them"),
        ),
        State::Unusable(why) => (Level::Warn, format!("{cached}: {why}")),
        State::Corrupt => (
            Level::Warn,
            format!("{cached}: not a cache entry; the next run replaces it"),
        ),
        State::Entry(Standing::Other) => (
            Level::Ok,
            format!("{cached}: made for {other}; the next run replaces them"),
        ),
        State::Entry(Standing::Valid { expires, renew_at }) => (
            Level::Ok,
            format!(
                "{cached}: valid until {}, used until {}",
                at(*expires),
                at(*renew_at)
            ),
        ),
        State::Entry(Standing::Due { expires }) => (
            Level::Ok,
            format!(
                "{cached}: valid until {}; the next run renews them",
                at(*expires)
            ),
        ),
        State::Entry(Standing::Expired { expires }) => (
            Level::Ok,
            format!(
                "{cached}: expired {}; the next run fetches new ones",
                at(*expires)
            ),
        ),
    }
}

/// The rows of the login and the role: `SSO SESSION` (or, for a legacy profile, a note that its
/// start URL names the login), `SSO START URL`, `SSO REGION`, `SSO ACCOUNT ID`, `SSO ROLE NAME`.
pub fn rows(profile: &Profile, role: &SsoRole, files: &Files) -> Vec<(&'static str, String)> {
    let login = &role.login;
    // The profile that declared the login, as the other rows name a profile: the user's own, or
    // a source profile.
    let declared_by = match &profile.target {
        Target::Profile(name) if *name == login.profile => format!("profile '{name}'"),
        _ => format!("source profile '{}'", login.profile),
    };
    let with_origin = |value: &str, key: &str| match sso::set_in(files, login, key) {
        Some(SetIn::Profile) => format!("{value} (from {declared_by})"),
        Some(SetIn::Session) => format!(
            "{value} (from [sso-session {}])",
            login.session.as_deref().unwrap_or_default()
        ),
        None => value.to_string(),
    };
    let session = match &login.session {
        Some(name) => with_origin(name, "sso_session"),
        None => "(not set: a legacy profile; its start URL names the login)".to_string(),
    };
    let unset = || "(not set)".to_string();
    let assignment = role.assignment.as_ref();
    vec![
        ("SSO SESSION", session),
        (
            "SSO START URL",
            with_origin(&login.start_url, "sso_start_url"),
        ),
        ("SSO REGION", with_origin(&login.region, "sso_region")),
        (
            "SSO ACCOUNT ID",
            assignment.map_or_else(unset, |a| with_origin(&a.account_id, "sso_account_id")),
        ),
        (
            "SSO ROLE NAME",
            assignment.map_or_else(unset, |a| with_origin(&a.role_name, "sso_role_name")),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::cache::{CacheFile, Expect};
    use std::path::PathBuf;
    use std::time::Duration;

    fn slot(kind: Kind) -> Slot {
        Slot {
            file: CacheFile {
                path: PathBuf::from("/h/.aws/.aws_sso_a"),
                kind,
                label: "profile 'a'".into(),
            },
            expect: Expect::default(),
            lifetime: Duration::from_secs(3600),
        }
    }

    #[test]
    fn each_state_of_a_cache_file_is_one_line_saying_what_the_next_run_does() {
        let sso = slot(Kind::Sso);
        let line = |state: State| cache_line(&sso, &state);
        let cached =
            "cached IAM Identity Center role credentials of profile 'a' (/h/.aws/.aws_sso_a): ";
        assert_eq!(
            line(State::None),
            (Level::Ok, "no cached IAM Identity Center role credentials of profile 'a' (/h/.aws/.aws_sso_a): the next run fetches them".into())
        );
        assert_eq!(
            line(State::Entry(Standing::Valid {
                expires: 3600,
                renew_at: 3240
            })),
            (
                Level::Ok,
                format!(
                    "{cached}valid until 1970-01-01T01:00:00Z, used until 1970-01-01T00:54:00Z"
                )
            )
        );
        assert_eq!(
            line(State::Entry(Standing::Due { expires: 3600 })),
            (
                Level::Ok,
                format!("{cached}valid until 1970-01-01T01:00:00Z; the next run renews them")
            )
        );
        assert_eq!(
            line(State::Entry(Standing::Expired { expires: 3600 })),
            (
                Level::Ok,
                format!("{cached}expired 1970-01-01T01:00:00Z; the next run fetches new ones")
            )
        );
        assert_eq!(
            line(State::Entry(Standing::Other)),
            (Level::Ok, format!("{cached}made for another account, role or start URL; the next run replaces them"))
        );
        assert_eq!(line(State::Corrupt).0, Level::Warn);
        let unusable = line(State::Unusable("not used: it is a symbolic link".into()));
        assert_eq!(
            unusable,
            (
                Level::Warn,
                format!("{cached}not used: it is a symbolic link")
            )
        );
        let role = cache_line(&slot(Kind::AssumeRole), &State::Entry(Standing::Other));
        assert!(
            role.1.starts_with("cached role credentials of profile 'a'")
                && role
                    .1
                    .ends_with("made for another role or external id; the next run replaces them"),
            "{}",
            role.1
        );
    }
}
