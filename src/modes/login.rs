//! `--login` and `--logout` (SPEC §13): an `aws login` session made now for a profile, shared
//! with the AWS CLI and SDKs through their cache, the profile given `login_session` (and
//! `region`, with `--region`) in the config file with every other byte kept; or ended: its
//! cache file removed (no service call exists for it), and the cached role credentials of
//! every profile built on it. The login's flow is `creds::login::flow`'s.

use std::path::Path;

use crate::aws::endpoint::{default_signin, valid_region};
use crate::aws::http::Agent;
use crate::cli::args::Args;
use crate::config::edit;
use crate::config::endpoint;
use crate::config::error::ProfileError;
use crate::config::files::Files;
use crate::config::login::{self, LoginSession};
use crate::config::profile::{Overrides, Profile, SourceKind, Target};
use crate::config::resolve;
use crate::config::timeouts::Timeouts;
use crate::creds;
use crate::creds::cache::CacheDir;
use crate::creds::error::CredsError;
use crate::creds::login::flow::{self, Made};
use crate::creds::login::token;
use crate::creds::terminal::{Person, Prompt};
use crate::env::Env;
use crate::error::Error;
use crate::log;
use crate::session;
use crate::time::rfc3339;

/// The profile a login is for: the one named, or the source its role is assumed with.
struct For {
    /// The profile that declares (or will declare) `login_session`.
    name: String,
    /// It resolved, with its session, when it declares one already.
    resolved: Option<(Profile, LoginSession)>,
    /// The `region` its own section sets.
    own_region: Option<String>,
}

/// The profile named on the command line (or by `AWS_PROFILE`, else `default`).
fn named(args: &Args, env: &Env) -> Result<String, Error> {
    let selected = resolve::select(&args.positionals, env, args.positionals_kind())?;
    Ok(Target::parse(&selected.name)?.name().to_string())
}

/// Which profile `name`'s login is: itself when it declares a session or nothing yet, the
/// source of its role when that declares one; a profile with another kind of credentials is
/// refused.
fn profile_for(files: &Files, env: &Env, name: &str) -> Result<For, Error> {
    let section = files.profile(name);
    let own_region = |n: &str| {
        let region = files.profile(n)?.get("region")?.trim().to_string();
        (!region.is_empty()).then_some(region)
    };
    let declares = |key: &str| section.as_ref().is_some_and(|s| s.get(key).is_some());
    if declares(login::KEY) || declares("role_arn") {
        let resolved = resolve::resolve(Target::parse(name)?, &Overrides::default(), env, files);
        let profile = match resolved {
            Ok(profile) => profile,
            // A role whose source has nothing yet: the source is what signs in.
            Err(e) => match unset_root(files, name) {
                Some(root) => {
                    return Ok(For {
                        own_region: own_region(&root),
                        name: root,
                        resolved: None,
                    })
                }
                None => return Err(e.into()),
            },
        };
        let SourceKind::Login(session) = &profile.source.kind else {
            let has = format!(
                "its credentials from profile '{}', which is no aws login",
                profile.source.profile
            );
            return Err(not_for_login(name, has));
        };
        let session = session.clone();
        let source = profile.source.profile.clone();
        return Ok(For {
            own_region: own_region(&source),
            name: source,
            resolved: Some((profile, session)),
        });
    }
    if let Some(key) = section.as_ref().and_then(login::other_style) {
        return Err(not_for_login(name, key.to_string()));
    }
    Ok(For {
        name: name.to_string(),
        resolved: None,
        own_region: own_region(name),
    })
}

/// The end of `name`'s `source_profile` chain when it is another profile that declares no
/// credentials at all (none: there is no such profile yet, or it sets only `region`...), which
/// `--login` may make a login profile. A cycle, or a chain over 16 steps, is none (resolution
/// says what is wrong).
fn unset_root(files: &Files, name: &str) -> Option<String> {
    let mut at = name.to_string();
    for _ in 0..16 {
        let next = files
            .profile(&at)
            .and_then(|s| s.get("source_profile").map(|v| v.trim().to_string()));
        match next {
            Some(next) if next.is_empty() || next == at => return None,
            Some(next) => at = next,
            None => break,
        }
    }
    let unset = files
        .profile(&at)
        .is_none_or(|s| s.get(login::KEY).is_none() && login::other_style(&s).is_none());
    (at != name && unset).then_some(at)
}

fn not_for_login(name: &str, has: String) -> Error {
    ProfileError::NotForLogin {
        name: name.to_string(),
        has,
    }
    .into()
}

/// Where the login goes: the configured Sign-In endpoint, else AWS's for the region (then also
/// returned, for the cache file's `signInRegion`): `--region`, the login profile's own, the
/// environment's.
fn endpoint_for(
    env: &Env,
    target: &For,
    region: Option<&str>,
) -> Result<(String, Option<String>), Error> {
    let configured = match &target.resolved {
        Some((_, session)) => session.endpoint.clone(),
        None => endpoint::signin(env, None).map_err(ProfileError::Endpoint)?,
    };
    if let Some(url) = configured {
        return Ok((url, None));
    }
    match region {
        Some(region) => Ok((default_signin(region), Some(region.to_string()))),
        None => Err(CredsError::Login {
            profile: target.name.clone(),
            reason: format!(
                "no region to sign in to: run aws-runas --region REGION --login {} (the region is written to the profile)",
                target.name
            ),
        }
        .into()),
    }
}

/// The region to sign in to: `--region`, the login profile's own, `AWS_REGION`,
/// `AWS_DEFAULT_REGION`; one that is no region name is an error naming where it was set (it
/// would choose the host the sign-in goes to).
fn region_for(args: &Args, env: &Env, target: &For) -> Result<Option<String>, Error> {
    let own = format!("region of profile '{}'", target.name);
    let found = [
        (args.region(), "--region"),
        (target.own_region.as_deref(), own.as_str()),
        (env.non_empty("AWS_REGION"), "environment AWS_REGION"),
        (
            env.non_empty("AWS_DEFAULT_REGION"),
            "environment AWS_DEFAULT_REGION",
        ),
    ]
    .into_iter()
    .find_map(|(region, origin)| region.map(|r| (r, origin)));
    match found {
        Some((region, _)) if valid_region(region) => Ok(Some(region.to_string())),
        Some((region, origin)) => Err(ProfileError::BadRegion {
            region: log::escape(region).into_owned(),
            origin: origin.to_string(),
        }
        .into()),
        None => Ok(None),
    }
}

/// `--login [profile]`.
pub fn login(args: &Args, env: &Env) -> Result<i32, Error> {
    let files = Files::load(env)?;
    let target = profile_for(&files, env, &named(args, env)?)?;
    let timeouts = Timeouts::from_env(env)?;
    // A name the config file cannot take is said before anyone signs in.
    let placeholder = "arn:aws:iam::123456789012:user/x";
    edit::check(&target.name, &[(login::KEY, placeholder)]).map_err(|e| CredsError::Login {
        profile: log::escape(&target.name).into_owned(),
        reason: e.to_string(),
    })?;
    let region = region_for(args, env, &target)?;
    let (base, aws_region) = endpoint_for(env, &target, region.as_deref())?;
    let agent = match &target.resolved {
        Some((profile, _)) => session::agent(profile),
        None => match env.non_empty("AWS_CA_BUNDLE") {
            Some(bundle) => {
                Agent::with_ca_bundle(bundle.into(), "environment AWS_CA_BUNDLE".into())
            }
            None => Agent::new(),
        },
    };
    let person = Person::at_terminal(false, session::browser(args, env));
    let cache_dir = login::cache_dir(env)?;
    let login = flow::Login {
        profile: &target.name,
        base: &base,
        region: aws_region.as_deref(),
        cache_dir: &cache_dir,
        remote: args.remote,
        expect: None,
        agent: &agent,
        person: &person,
        lock_timeout: timeouts.lock,
    };
    let made = login.run()?;
    configure(&files, env, &target, &login, &made, args.region())
}

/// Keeps the session `made` and gives it to the profile (and `region`, when given and not its
/// own), asking first at the terminal when the profile names another session (no: nothing is
/// written); role credentials assumed with the other session are forgotten then.
fn configure(
    files: &Files,
    env: &Env,
    target: &For,
    login: &flow::Login<'_>,
    made: &Made,
    region: Option<&str>,
) -> Result<i32, Error> {
    let arn = made.session.arn.as_str();
    let name = target.name.as_str();
    let previous = target.resolved.as_ref().map(|(_, s)| s.arn.trim());
    let switching = previous.is_some_and(|p| p != arn);
    if switching && !switch_confirmed(name, previous.unwrap_or_default(), arn) {
        log::note(format_args!(
            "signed in to AWS as {arn}, but profile '{name}' keeps its session {}: the new session is not kept, and its login_session is unchanged",
            previous.unwrap_or_default()
        ));
        return Ok(1);
    }
    login.keep(made)?;
    let mut keys = vec![];
    if previous != Some(arn) {
        keys.push((login::KEY, arn));
    }
    // As aws login: the region only into a profile that has none (its own stays its own).
    if let Some(r) = region.filter(|_| target.own_region.is_none()) {
        keys.push(("region", r));
    }
    let path = &files.config.path;
    if let Err(e) = edit::write_keys(path, name, &keys) {
        // A session the profile did not take is not left behind.
        if previous != Some(arn) {
            token::remove(&token::path(&made.session), login.lock_timeout)?;
        }
        return Err(CredsError::Login {
            profile: name.to_string(),
            reason: e.to_string(),
        }
        .into());
    }
    let removed = if switching {
        forget_roles(files, env, previous)?
    } else {
        0
    };
    say_signed_in(made, name, &keys, path, removed);
    Ok(0)
}

/// The line a `--login` ends with: whose session, until when, what the config file gained, and
/// how many role credential files of a previous session went.
fn say_signed_in(made: &Made, name: &str, keys: &[(&str, &str)], path: &Path, removed: usize) {
    let written = match keys.is_empty() {
        true => String::new(),
        false => format!(
            "; {} of profile '{name}' written to {}",
            names(keys),
            path.display()
        ),
    };
    let forgot = match removed {
        0 => String::new(),
        n => format!("; {n} cached role credential file(s) of the previous session removed"),
    };
    log::note(format_args!(
        "signed in to AWS as {} for profile '{name}' until {} (refreshed by each run for up to 12 hours){written}{forgot}",
        made.session.arn,
        rfc3339::format(made.expires())
    ));
}

fn names(keys: &[(&str, &str)]) -> String {
    keys.iter()
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Whether the person at the terminal says the profile may switch from session `previous` to
/// `arn`; no terminal, no switch.
fn switch_confirmed(name: &str, previous: &str, arn: &str) -> bool {
    let Ok(prompt) = Prompt::open() else {
        return false;
    };
    let question =
        format!("profile '{name}' uses the session of {previous}; switch it to {arn}? (y/n) ");
    prompt
        .line(&question)
        .is_ok_and(|answer| matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// Removes the cached role credentials of every profile built on session `arn` (any session:
/// `None`), each file under its own lock; how many there were.
fn forget_roles(files: &Files, env: &Env, arn: Option<&str>) -> Result<usize, Error> {
    let timeouts = Timeouts::from_env(env)?;
    let cache = CacheDir::beside(&files.config.path, timeouts.lock);
    let mut removed = 0;
    for profile in resolve::profiles_on_login_session(files, env, arn) {
        for file in cache.files_of(&profile) {
            removed += usize::from(creds::cache::remove(&cache, &file)?);
        }
    }
    Ok(removed)
}

/// `--logout [profile]`: the profile's session file, then the role credentials built on it.
pub fn logout(args: &Args, env: &Env) -> Result<i32, Error> {
    let files = Files::load(env)?;
    let name = named(args, env)?;
    let profile = resolve::resolve(Target::parse(&name)?, &Overrides::default(), env, &files)?;
    let SourceKind::Login(session) = &profile.source.kind else {
        return Err(ProfileError::NoLoginSession { name }.into());
    };
    let lock = Timeouts::from_env(env)?.lock;
    let had = token::remove(&token::path(session), lock)?;
    let removed = forget_roles(&files, env, Some(&session.arn))?;
    let what = match had {
        true => "signed out of",
        false => "no cached session to end for",
    };
    log::note(format_args!(
        "{what} the aws login session {} (profile '{}'); {removed} cached role credential file(s) removed",
        session.arn, profile.source.profile
    ));
    Ok(0)
}

/// `--logout --all`: every session file of the login cache, then the role credentials built on
/// any session.
pub fn logout_all(env: &Env) -> Result<i32, Error> {
    let dir = login::cache_dir(env)?;
    let lock = Timeouts::from_env(env)?.lock;
    let mut ended = 0;
    for path in token::in_cache(&dir) {
        ended += usize::from(token::remove(&path, lock)?);
    }
    // The role caches live beside the config file: without one, there are none.
    let removed = match Files::load(env) {
        Ok(files) => forget_roles(&files, env, None)?,
        Err(_) => 0,
    };
    log::note(format_args!(
        "signed out of {ended} aws login session(s) in {}; {removed} cached role credential file(s) removed",
        shown(&dir)
    ));
    Ok(0)
}

fn shown(dir: &Path) -> String {
    log::escape(&dir.to_string_lossy()).into_owned()
}
