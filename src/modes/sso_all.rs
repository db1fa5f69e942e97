//! `--sso-login --all` and `--sso-logout --all`: every IAM Identity Center login at once. A login
//! to each sso-session of the config, one after the other, each its own browser step (one that
//! fails is said, and the others still go on); or the end of every login in the token cache,
//! whichever tool made it: each token file ended as `--sso-logout` ends one (the portal's Logout
//! when its portal is known, from the config or the region the file names; the file removed
//! under its lock), then the cached credentials of the profiles that use it, each under its own
//! lock, one lock at a time. Exit 1 when any of them failed. One login's flow is `sso.rs`'s and
//! `creds::sso`'s; which logins the config declares, `config::logins`.

use std::path::Path;

use super::sso::{forget_cached, say_ended};
use crate::aws::endpoint::valid_region;
use crate::aws::http::Agent;
use crate::cli::args::Args;
use crate::config::endpoint;
use crate::config::error::ProfileError;
use crate::config::files::Files;
use crate::config::logins::{self, Declared};
use crate::config::profile::Profile;
use crate::config::sso::{self, Endpoints, SsoError};
use crate::config::timeouts::Timeouts;
use crate::creds;
use crate::creds::cache::CacheDir;
use crate::creds::sso::token::{self, Found};
use crate::creds::sso::Ending;
use crate::creds::terminal::Person;
use crate::env::Env;
use crate::error::Error;
use crate::log::{self, debug};
use crate::session;

/// The HTTP agent for a login: trusting what its profile trusts (its CA bundle), else what the
/// environment says (`AWS_CA_BUNDLE`). Logins seldom share a portal: one agent each loses no
/// kept-alive connection.
fn agent_for(env: &Env, profile: Option<&Profile>) -> Agent {
    match (profile, env.non_empty("AWS_CA_BUNDLE")) {
        (Some(profile), _) => session::agent(profile),
        (None, Some(bundle)) => {
            Agent::with_ca_bundle(bundle.into(), "environment AWS_CA_BUNDLE".to_string())
        }
        (None, None) => Agent::new(),
    }
}

/// The exit code of a run that tried `tried` logins, of which `failed` failed (each said
/// already).
fn outcome(doing: &str, tried: usize, failed: usize) -> i32 {
    if failed == 0 {
        return 0;
    }
    log::note(format_args!(
        "{failed} of {tried} IAM Identity Center {doing} failed (said above)"
    ));
    1
}

/// `--sso-login --all`: a login to each sso-session, one after the other.
pub fn login(args: &Args, env: &Env) -> Result<i32, Error> {
    let files = Files::load(env)?;
    let lock_timeout = Timeouts::from_env(env)?.lock;
    // A legacy profile's start URL is no sso-session: it is logged in to by its profile.
    let sessions: Vec<Result<Declared, ProfileError>> = logins::all(&files, env)
        .into_iter()
        .filter(|r| r.as_ref().map_or(true, |d| d.login.session.is_some()))
        .collect();
    if sessions.is_empty() {
        let config = files.config.path.clone();
        return Err(ProfileError::from(SsoError::NoSessions { config }).into());
    }
    let tried = sessions.len();
    let mut failed = 0;
    for declared in sessions {
        // Each login names its session as it asks and when it is done, and looks for the person
        // at the terminal again.
        let done = declared.map_err(Error::from).and_then(|d| {
            let person = Person::at_terminal(args.use_device_code, session::browser(args, env));
            let agent = agent_for(env, d.profile.as_ref());
            creds::sso::log_in(&d.login, &agent, &person, lock_timeout)?;
            Ok(())
        });
        if let Err(e) = done {
            log::note(format_args!("{e}"));
            failed += 1;
        }
    }
    Ok(outcome("logins", tried, failed))
}

/// `--sso-logout --all`: every login of the token cache ended, and the cached credentials of
/// the profiles of every login the config declares removed.
pub fn logout(_args: &Args, env: &Env) -> Result<i32, Error> {
    let files = Files::load(env)?;
    let timeouts = Timeouts::from_env(env)?;
    let cache = CacheDir::beside(&files.config.path, timeouts.lock);
    let dir = sso::cache_dir(env).map_err(ProfileError::from)?;
    let mut declared: Vec<Declared> = logins::all(&files, env).into_iter().flatten().collect();
    let found = token::in_cache(&dir);
    let (tried, mut failed) = (found.len(), 0);
    for file in &found {
        // The config's login of this file, if it declares it: its portal, and its profiles.
        let mine = declared
            .iter()
            .position(|d| token::path(&d.login) == file.path)
            .map(|i| declared.remove(i));
        if let Err(e) = end_one(file, mine.as_ref(), &files, env, &cache) {
            log::note(format_args!("{e}"));
            failed += 1;
        }
    }
    // The config's logins without a token: their profiles' credentials go too.
    let mut removed = 0;
    for d in &declared {
        match forget_cached(&files, env, &cache, &d.login) {
            Ok(n) => removed += n,
            Err(e) => {
                log::note(format_args!("{e}"));
                failed += 1;
            }
        }
    }
    if removed > 0 || found.is_empty() {
        say_rest(&dir, found.is_empty(), removed);
    }
    Ok(outcome("logouts", tried + declared.len(), failed))
}

/// Ends the login of the token file `file`, declared by the config as `declared` (else the file
/// alone says what it is for), then removes its profiles' cached credentials.
fn end_one(
    file: &Found,
    declared: Option<&Declared>,
    files: &Files,
    env: &Env,
    cache: &CacheDir,
) -> Result<(), Error> {
    let (label, portal) = match declared {
        Some(d) => (d.login.label(), Some(d.login.endpoints.portal.clone())),
        None => (label_of(file), portal_of(env, file)?),
    };
    let ending = Ending {
        path: &file.path,
        label,
        portal: portal.as_deref(),
    };
    let agent = agent_for(env, declared.and_then(|d| d.profile.as_ref()));
    // The token first, then each cache file, each under its own lock and never two at once.
    let had_token = creds::sso::end(&ending, &agent, cache.lock_timeout())?;
    let removed = match declared {
        Some(d) => forget_cached(files, env, cache, &d.login)?,
        None => 0,
    };
    say_ended(&ending.label, had_token, removed);
    Ok(())
}

/// How a token file the config does not declare is named: by the start URL it says, else by
/// its file name.
fn label_of(file: &Found) -> String {
    match file.token.start_url() {
        Some(url) => format!("start URL {url}"),
        None => format!("token file {}", file.path.display()),
    }
}

/// The portal a token file the config does not declare is logged out at: the one the
/// environment configures, else AWS's for the region the file names; none when neither says
/// (or the region is no region name: a file's region never chooses a host).
fn portal_of(env: &Env, file: &Found) -> Result<Option<String>, Error> {
    let region = file.token.region().filter(|r| valid_region(r));
    let defaults = Endpoints::default_for(region.unwrap_or("us-east-1"));
    let endpoints =
        endpoint::sso_endpoints(env, None, &defaults).map_err(ProfileError::Endpoint)?;
    if region.is_none() && endpoints.portal == defaults.portal {
        debug!("{}: no region, and no portal configured", label_of(file));
        return Ok(None);
    }
    Ok(Some(endpoints.portal))
}

/// The closing line when no token was found, or the config's logins without one had cached
/// credentials.
fn say_rest(dir: &Path, no_token: bool, removed: usize) {
    let dir = dir.display();
    if no_token {
        log::note(format_args!(
            "no IAM Identity Center login to end in {dir}; {removed} cached credential file(s) removed"
        ));
    } else {
        log::note(format_args!(
            "{removed} cached credential file(s) of logins not in {dir} removed"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::sso::token::Token;

    fn found(json: &str) -> Found {
        Found {
            path: "/c/0000000000000000000000000000000000000000.json".into(),
            token: Token::parse(json.as_bytes()).unwrap(),
        }
    }

    #[test]
    fn a_token_file_the_config_does_not_declare_is_logged_out_where_it_or_the_environment_says() {
        let none = Env::from_pairs(&[]);
        let standin = Env::from_pairs(&[("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")]);
        let with_region = found(
            r#"{"startUrl":"https://x.awsapps.com/start","region":"eu-west-1","accessToken":"a","expiresAt":"2099-01-01T00:00:00Z"}"#,
        );
        assert_eq!(
            portal_of(&none, &with_region).unwrap().as_deref(),
            Some("https://portal.sso.eu-west-1.amazonaws.com/")
        );
        assert_eq!(
            label_of(&with_region),
            "start URL https://x.awsapps.com/start"
        );
        // No region (or none that is a region name): only a configured portal is known.
        for json in [
            r#"{"accessToken":"a","expiresAt":"2099-01-01T00:00:00Z"}"#,
            r#"{"region":"evil.example.com/x","accessToken":"a","expiresAt":"2099-01-01T00:00:00Z"}"#,
        ] {
            let file = found(json);
            assert_eq!(portal_of(&none, &file).unwrap(), None, "{json}");
            assert_eq!(
                portal_of(&standin, &file).unwrap().as_deref(),
                Some("http://127.0.0.1:9/")
            );
            assert!(label_of(&file).starts_with("token file /c/"));
        }
        // A configured portal a token may not be sent to is an error, not a Logout.
        let cleartext = Env::from_pairs(&[("AWS_ENDPOINT_URL_SSO", "http://portal.example.com")]);
        assert!(portal_of(&cleartext, &with_region).is_err());
    }
}
