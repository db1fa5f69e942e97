//! IAM Identity Center as a source of credentials: the login's token (`token.rs`, the cache the
//! CLI and the SDKs share), refreshed within 15 minutes of expiry under the token file's lock so
//! that N parallel runs refresh once, a new login when it is needed and a terminal is there
//! (`login.rs`, `callback.rs`, `pages.rs`), and the portal's role credentials ([`SsoProvider`],
//! cached by `plan.rs` in a `Cached` as `.aws_sso_<profile>`, written only while the token they
//! were fetched with is still the login's). `--sso-logout` ends the token under the token file's
//! lock, so that no refresh made meanwhile brings it back; `--sso-logout --all` ends each token
//! file of the cache the same way ([`end`]).

pub mod login;
pub mod pages;
pub mod registration;
pub mod token;

use std::path::Path;
use std::time::Duration;

use self::token::{Granted, Token};
use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use super::store::Private;
use super::terminal::Person;
use crate::aws::http::Agent;
use crate::aws::oidc::{self, Client, Grant};
use crate::aws::sso;
use crate::config::sso::{Assignment, Login};
use crate::log::{self, debug};
use crate::time;

/// Our private directory beside the token files, for the lock and atomic writes.
fn private(login: &Login) -> Result<Private, CredsError> {
    private_in(&login.cache_dir, &login.label())
}

/// [`private`], in the token cache `dir`, for the login `label` names.
fn private_in(dir: &Path, label: &str) -> Result<Private, CredsError> {
    Private::open(dir).map_err(|reason| CredsError::SsoLogin {
        label: label.to_string(),
        reason: format!("cannot use the token cache: {reason}"),
    })
}

/// Holds the token file's lock (see `Private::hold`); `None` when no lock can be had here.
fn lock(
    login: &Login,
    private: &Private,
    timeout: Duration,
) -> Result<Option<std::fs::File>, CredsError> {
    lock_file(&token::path(login), &login.label(), private, timeout)
}

/// [`lock`], of the token file at `path`, for the login `label` names.
fn lock_file(
    path: &Path,
    label: &str,
    private: &Private,
    timeout: Duration,
) -> Result<Option<std::fs::File>, CredsError> {
    let doing = format!("refreshing the IAM Identity Center login of {label}");
    private.hold(&token::file_name(path), timeout, label, &doing)
}

/// The login's token, valid for a while: the cached one, else refreshed (once for N parallel
/// runs), else, with the person at the terminal, a new login. Without one a needed login is an
/// error that says how to log in.
pub fn current(
    login: &Login,
    agent: &Agent,
    person: &Person,
    lock_timeout: Duration,
) -> Result<Token, CredsError> {
    let first = token::read(login, false);
    if let Some(t) = first.as_ref().filter(|t| !t.due(time::unix_now())) {
        debug!("sso token of {}: valid until {}", login.label(), t.expires);
        return Ok(t.clone());
    }
    let private = match private(login) {
        Ok(p) => p,
        // A token cache we cannot write to (mounted read-only): its token while it lasts.
        Err(e) => return first.filter(|t| t.usable(time::unix_now())).ok_or(e),
    };
    let _lock = lock(login, &private, lock_timeout)?;
    let previous = token::read(login, true);
    if let Some(t) = &previous {
        if let Some(fresh) = refreshed(login, agent, &private, t) {
            return Ok(fresh);
        }
    }
    if !person.present() {
        return Err(CredsError::SsoLoginNeeded {
            label: login.label(),
            profile: login.profile.clone(),
        });
    }
    logged_in(login, agent, &private, person, previous.as_ref())
}

/// A new login (with the token file's lock held), kept; `previous` is the token it replaces.
fn logged_in(
    login: &Login,
    agent: &Agent,
    private: &Private,
    person: &Person,
    previous: Option<&Token>,
) -> Result<Token, CredsError> {
    let flow = login::Flow {
        login,
        agent,
        private,
        person,
    };
    let token = login::run(flow, previous)?;
    save(login, private, &token);
    Ok(token)
}

/// `t` itself when another run refreshed it meanwhile, else a refreshed token, else `t` while it
/// may still be sent (a failed refresh of a valid token goes on with it).
fn refreshed(login: &Login, agent: &Agent, private: &Private, t: &Token) -> Option<Token> {
    let now = time::unix_now();
    if !t.due(now) {
        return Some(t.clone());
    }
    if let Some(r) = t.refresher(now) {
        let grant = Grant::RefreshToken(&r.refresh_token);
        let endpoint = &login.endpoints.oidc;
        let client = Client {
            id: &r.client_id,
            secret: &r.client_secret,
        };
        let fresh = oidc::create_token(agent, endpoint, client, grant)
            .map_err(|e| e.to_string())
            .and_then(|tokens| {
                let granted = Granted {
                    access_token: tokens.access_token,
                    expires_in: tokens.expires_in,
                    refresh_token: tokens.refresh_token,
                    client_id: r.client_id,
                    client_secret: r.client_secret,
                    registration_expires: t.registration_expires().unwrap_or(now),
                };
                Token::from_grant(login, granted, Some(t))
            });
        match fresh {
            Ok(fresh) => {
                debug!("sso token of {}: refreshed", login.label());
                replace(login, private, t, &fresh);
                return Some(fresh);
            }
            Err(e) => debug!("sso token of {}: refresh failed ({e})", login.label()),
        }
    } else {
        debug!(
            "sso token of {}: cannot be refreshed (no refresh token, or the registration expired)",
            login.label()
        );
    }
    t.usable(now).then(|| t.clone())
}

/// Writes `fresh` in place of `previous` (with the token file's lock held) only if the file still
/// holds `previous`: a logout or login that takes no lock of ours (`aws sso logout`, `aws sso
/// login`) may have ended or replaced it meanwhile, and then it stays so.
fn replace(login: &Login, private: &Private, previous: &Token, fresh: &Token) {
    if previous.used(login).still_in_file() {
        save(login, private, fresh);
    } else {
        debug!(
            "sso token of {}: not kept, the login was ended or replaced meanwhile",
            login.label()
        );
    }
}

/// Writes the token; a failure is a warning (the next run will log in again).
fn save(login: &Login, private: &Private, t: &Token) {
    if let Err(e) = token::write(private, login, t) {
        log::warn(format_args!(
            "cannot write the IAM Identity Center token {} ({e}); the next run will need a login again",
            token::path(login).display()
        ));
    }
}

/// `--sso-login`: logs in now, whatever the cached token, and keeps the new token.
pub fn log_in(
    login: &Login,
    agent: &Agent,
    person: &Person,
    lock_timeout: Duration,
) -> Result<Token, CredsError> {
    let private = private(login)?;
    let _lock = lock(login, &private, lock_timeout)?;
    let previous = token::read(login, false);
    logged_in(login, agent, &private, person, previous.as_ref())
}

/// `--sso-logout`: the portal's Logout with the token (a failure is a warning: the token is
/// forgotten anyway), then the token file removed, all with the token file's lock held: a run
/// refreshing or logging in now finishes first, and its token is the one logged out. Returns
/// whether there was a token.
pub fn log_out(login: &Login, agent: &Agent, lock_timeout: Duration) -> Result<bool, CredsError> {
    let ending = Ending {
        path: &token::path(login),
        label: login.label(),
        portal: Some(&login.endpoints.portal),
    };
    end(&ending, agent, lock_timeout)
}

/// A login to end: its token file, how messages name it, and the portal its Logout goes to.
pub struct Ending<'a> {
    pub path: &'a Path,
    pub label: String,
    /// None when it is not known (a token file of a login the config does not declare, which
    /// names no region): the token is only forgotten.
    pub portal: Option<&'a str>,
}

/// [`log_out`] of the login `ending` says (`--sso-logout --all`: each of the token cache's).
pub fn end(ending: &Ending, agent: &Agent, lock_timeout: Duration) -> Result<bool, CredsError> {
    // No token: nothing to end, and nothing made in the token cache to say so.
    if token::read_at(ending.path, false).is_none() {
        return Ok(false);
    }
    let (path, label) = (ending.path, &ending.label);
    let private = private_in(path.parent().unwrap_or(Path::new(".")), label)?;
    let _lock = lock_file(path, label, &private, lock_timeout)?;
    let Some(t) = token::read_at(path, true) else {
        return Ok(false);
    };
    if t.usable(time::unix_now()) {
        let said = match ending.portal {
            Some(portal) => {
                sso::logout(agent, portal, &t.access_token()).map_err(|e| e.to_string())
            }
            None => Err(format!(
                "the portal of {label} is not known (its token file names no region)"
            )),
        };
        if let Err(e) = said {
            log::warn(format_args!("{e}; forgetting the login anyway"));
        }
    }
    if let Err(e) = std::fs::remove_file(path) {
        log::warn(format_args!("cannot remove {} ({e})", path.display()));
    }
    Ok(true)
}

/// The portal's role credentials of an Identity Center profile.
pub struct SsoProvider {
    pub login: Login,
    /// None: the profile only names a session (it can log in, but gives no credentials).
    pub assignment: Option<Assignment>,
    pub lock_timeout: Duration,
}

impl Provider for SsoProvider {
    fn retrieve(&self, ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        let Some(a) = &self.assignment else {
            return Err(CredsError::SsoNoRole {
                profile: self.login.profile.clone(),
            });
        };
        let t = current(&self.login, ctx.agent, ctx.person, self.lock_timeout)?;
        let portal = &self.login.endpoints.portal;
        let (account, role) = (&a.account_id, &a.role_name);
        let bearer = t.access_token();
        let mut credentials = sso::role_credentials(ctx.agent, portal, &bearer, account, role)?;
        // However far off the portal says they expire, they are kept no longer than a token
        // (botocore cannot read an expiration past the year 9999).
        let longest = time::unix_now() + token::LONGEST;
        credentials.expiration = credentials.expiration.map(|e| e.min(longest));
        debug!(
            "GetRoleCredentials: role {} in account {}, key {}",
            a.role_name, a.account_id, credentials.access_key_id
        );
        Ok(Fetched {
            sso_token: Some(t.used(&self.login)),
            ..Fetched::bare(credentials)
        })
    }

    fn describe(&self) -> String {
        match &self.assignment {
            Some(a) => format!(
                "Sso({}, {}/{})",
                self.login.profile, a.account_id, a.role_name
            ),
            None => format!("Sso({}, no role)", self.login.profile),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A login whose token cache is a new directory, holding a token `access` when given.
    fn login_in(tag: &str, access: Option<&str>) -> Login {
        let dir = std::env::temp_dir().join(format!("aws-runas-sso-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let login = Login {
            cache_dir: dir,
            ..Login::sample()
        };
        if let Some(access) = access {
            put(&login, access);
        }
        login
    }

    fn put(login: &Login, access: &str) {
        let path = token::path(login);
        let json = format!(r#"{{"accessToken":"{access}","expiresAt":"2099-01-01T00:00:00Z"}}"#);
        std::fs::write(&path, json).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    fn access_in_file(login: &Login) -> Option<String> {
        token::read(login, true).map(|t| t.access_token().expose().to_string())
    }

    #[test]
    fn a_refreshed_token_replaces_only_the_token_it_was_refreshed_from() {
        let login = login_in("replace", Some("old"));
        let private = private(&login).unwrap();
        let old = token::read(&login, false).unwrap();
        let fresh = |access: &str| {
            let json =
                format!(r#"{{"accessToken":"{access}","expiresAt":"2099-01-01T00:00:00Z"}}"#);
            Token::parse(json.as_bytes()).unwrap()
        };
        replace(&login, &private, &old, &fresh("new"));
        assert_eq!(access_in_file(&login).as_deref(), Some("new"));
        // Logged out meanwhile (by a tool that takes no lock of ours): it stays logged out.
        std::fs::remove_file(token::path(&login)).unwrap();
        replace(&login, &private, &old, &fresh("newer"));
        assert_eq!(access_in_file(&login), None);
        // Logged in again meanwhile: that login stays.
        put(&login, "other");
        replace(&login, &private, &old, &fresh("newer"));
        assert_eq!(access_in_file(&login).as_deref(), Some("other"));
        std::fs::remove_dir_all(&login.cache_dir).unwrap();
    }

    #[test]
    fn a_logout_waits_for_the_run_that_holds_the_token_lock() {
        let login = login_in("logout", Some("a"));
        let agent = Agent::new();
        let private = private(&login).unwrap();
        let name = token::file_name(&token::path(&login));
        let held = private.lock(&name, Duration::ZERO, || {});
        assert!(matches!(held, super::super::store::Locked::Held(_)));
        let waited = log_out(&login, &agent, Duration::from_millis(200));
        assert!(
            matches!(waited, Err(CredsError::LockTimeout { .. })),
            "{waited:?}"
        );
        assert!(token::path(&login).exists());
        std::fs::remove_dir_all(&login.cache_dir).unwrap();
        // No token: nothing to end, and nothing made.
        let login = login_in("logout-none", None);
        assert!(!log_out(&login, &agent, Duration::from_millis(200)).unwrap());
        assert_eq!(std::fs::read_dir(&login.cache_dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&login.cache_dir).unwrap();
    }

    #[test]
    fn a_login_whose_portal_is_not_known_is_only_forgotten() {
        let login = login_in("forget", Some("a"));
        let path = token::path(&login);
        let ending = Ending {
            path: &path,
            label: "start URL https://elsewhere.example/start".into(),
            portal: None,
        };
        // No portal: no call (the agent would fail to reach one), and the file is gone.
        let agent = Agent::new();
        assert!(end(&ending, &agent, Duration::from_millis(200)).unwrap());
        assert!(!path.exists());
        assert!(!end(&ending, &agent, Duration::from_millis(200)).unwrap());
        std::fs::remove_dir_all(&login.cache_dir).unwrap();
    }
}
