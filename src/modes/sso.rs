//! `--sso-login` and `--sso-logout`: an IAM Identity Center login made now for the profile's
//! sso-session (shared with the AWS CLI and SDKs through their token cache), or ended: the
//! portal's Logout, the token file removed, and the cached role credentials of every profile
//! that uses the session removed with it. And what `-D` says of a login. `-l`/`-c` for an
//! Identity Center profile are `sso_roles.rs`'s; every login at once (`--all`), `sso_all.rs`'s.

use crate::cli::args::Args;
use crate::config::error::ProfileError;
use crate::config::files::Files;
use crate::config::logins;
use crate::config::profile::{SourceKind, Target};
use crate::config::resolve;
use crate::config::sso::{Login, SsoError, SsoRole};
use crate::creds;
use crate::creds::cache::CacheDir;
use crate::env::Env;
use crate::error::Error;
use crate::log;
use crate::session::Session;

/// The session of the profile the arguments name, and its login when its chain uses Identity
/// Center; otherwise the error says it does not, and names the profiles that do. A profile that
/// cannot be resolved is that error, unless it does not use Identity Center at all: then what it
/// lacks (`[default]` without keys) is not the point.
fn open(args: &Args, env: &Env) -> Result<(Session, Login), Error> {
    let session = match Session::open(args, env) {
        Ok(session) => session,
        Err(e) => return Err(not_sso_instead(args, env).unwrap_or(e)),
    };
    match &session.profile.source.kind {
        SourceKind::Sso(role) => {
            let login = role.login.clone();
            Ok((session, login))
        }
        _ => Err(not_sso(&session.files, session.profile.name())),
    }
}

/// That `profile` does not use Identity Center, and who in `files` does.
fn not_sso(files: &Files, profile: &str) -> Error {
    ProfileError::Sso(SsoError::NotSso {
        profile: profile.to_string(),
        users: logins::users(files, profile),
    })
    .into()
}

/// [`not_sso`] for the profile the arguments name, when it exists and does not use Identity
/// Center; none when it cannot be told (the files, or the arguments, are the error then).
fn not_sso_instead(args: &Args, env: &Env) -> Option<Error> {
    let files = Files::load(env).ok()?;
    let selected = resolve::select(&args.positionals, env, args.positionals_kind()).ok()?;
    let target = Target::parse(&selected.name).ok()?;
    let start = target.start();
    (files.exists(start) && !logins::uses(&files, start)).then(|| not_sso(&files, target.name()))
}

/// `--sso-login [profile]`.
pub fn login(args: &Args, env: &Env) -> Result<i32, Error> {
    let (session, login) = open(args, env)?;
    let lock_timeout = session.cache.lock_timeout();
    creds::sso::log_in(&login, &session.agent, &session.person(), lock_timeout)?;
    Ok(0)
}

/// `--sso-logout [profile]`.
pub fn logout(args: &Args, env: &Env) -> Result<i32, Error> {
    let (session, login) = open(args, env)?;
    // The token first, then each cache file, each under its own lock and never two at once
    // (the lock order of ARCHITECTURE.md).
    let lock_timeout = session.cache.lock_timeout();
    let had_token = creds::sso::log_out(&login, &session.agent, lock_timeout)?;
    let removed = forget_cached(&session.files, env, &session.cache, &login)?;
    say_ended(&login.label(), had_token, removed);
    Ok(0)
}

/// Removes the cached credentials of every profile that uses `login`, each file under its own
/// lock, one at a time (after the token's lock was let go); how many there were.
pub(super) fn forget_cached(
    files: &Files,
    env: &Env,
    cache: &CacheDir,
    login: &Login,
) -> Result<usize, Error> {
    let mut removed = 0;
    for profile in resolve::profiles_with_login(files, env, login) {
        for file in cache.files_of(&profile) {
            removed += usize::from(creds::cache::remove(cache, &file)?);
        }
    }
    Ok(removed)
}

/// The line a logout ends with: the login `label` names, whether it had a token, and how many
/// cached credential files went with it.
pub(super) fn say_ended(label: &str, had_token: bool, removed: usize) {
    let what = if had_token {
        "logged out of"
    } else {
        "no login to end for"
    };
    log::note(format_args!(
        "{what} IAM Identity Center ({label}); {removed} cached credential file(s) removed"
    ));
}

/// What `-D` says of an Identity Center source.
pub fn describe(profile: &str, role: &SsoRole) -> String {
    match &role.assignment {
        Some(a) => format!(
            "IAM Identity Center role {} in account {} (profile '{profile}', {})",
            a.role_name,
            a.account_id,
            role.login.label()
        ),
        None => format!(
            "IAM Identity Center {} (profile '{profile}' has no sso_account_id and sso_role_name)",
            role.login.label()
        ),
    }
}

/// What `-D` says of a login's token.
pub struct TokenState {
    /// Whether it can be used, now or once refreshed; false: a login is needed.
    pub usable: bool,
    /// Where it is, when it expires, whether it can be refreshed; never the token.
    pub line: String,
}

/// `-D`'s line on the login's token.
pub fn token_state(login: &Login) -> TokenState {
    use creds::sso::token;
    let path = token::path(login);
    let Some(t) = token::read(login, false) else {
        return TokenState {
            usable: false,
            line: format!(
                "no IAM Identity Center login of {} ({}): run aws-runas --sso-login {}",
                login.label(),
                path.display(),
                login.profile
            ),
        };
    };
    let now = crate::time::unix_now();
    let refreshable = t.has_refresh_token() && t.registration_expires().is_some_and(|at| at > now);
    let refresh = match (t.has_refresh_token(), t.registration_expires()) {
        (true, Some(at)) if at > now => format!(
            "can be refreshed until {}",
            crate::time::rfc3339::format(at)
        ),
        (true, _) => "cannot be refreshed: its client registration has expired".to_string(),
        (false, _) => "cannot be refreshed (no refresh token)".to_string(),
    };
    let when = crate::time::rfc3339::format(t.expires);
    let state = if t.usable(now) { "expires" } else { "expired" };
    TokenState {
        usable: t.usable(now) || refreshable,
        line: format!(
            "IAM Identity Center token of {} ({}): {state} {when}, {refresh}",
            login.label(),
            path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A login whose token file holds `json`.
    fn login_with(tag: &str, json: &str) -> (Login, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("aws-runas-state-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let login = Login {
            cache_dir: dir.clone(),
            ..Login::sample()
        };
        let path = creds::sso::token::path(&login);
        std::fs::write(&path, json).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        (login, dir)
    }

    #[test]
    fn an_expired_token_that_cannot_be_refreshed_needs_a_login() {
        let expired = r#"{"accessToken":"a","expiresAt":"2020-01-01T00:00:00Z"}"#;
        let (login, dir) = login_with("expired", expired);
        let state = token_state(&login);
        assert!(!state.usable, "{}", state.line);
        assert!(state
            .line
            .contains("cannot be refreshed (no refresh token)"));
        let refreshable = r#"{"accessToken":"a","expiresAt":"2020-01-01T00:00:00Z","refreshToken":"r","clientId":"c","clientSecret":"s","registrationExpiresAt":"2999-01-01T00:00:00Z"}"#;
        let (login, dir2) = login_with("refreshable", refreshable);
        assert!(token_state(&login).usable);
        std::fs::remove_dir_all(dir).unwrap();
        std::fs::remove_dir_all(dir2).unwrap();
    }
}
