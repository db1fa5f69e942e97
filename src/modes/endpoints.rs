//! What `--ec2` and `--ecs` share: the profile's credentials fetched before serving (MFA asked on
//! the terminal), whom they are for, and the fetch that renews them (or another profile's, for
//! the console).

use std::ffi::OsString;
use std::sync::Arc;

use crate::cli::args::Args;
use crate::creds::terminal::Person;
use crate::env::Env;
use crate::error::Error;
use crate::names;
use crate::server::holder::{Fetch, Holder, Identity, Want};
use crate::session::Session;

/// The held credentials, and what a command the endpoint runs needs.
pub struct Started {
    pub holder: Arc<Holder>,
    pub command: Vec<OsString>,
    /// The profile's region and name, exported to such a command.
    pub region: Option<String>,
    pub profile_name: Option<String>,
    /// The config's role profiles, sorted: what the console offers.
    pub role_profiles: Vec<String>,
}

/// Opens the session and fetches the credentials to serve first.
pub fn start(args: &Args, env: &Env) -> Result<Started, Error> {
    let session = Session::open(args, env)?;
    let mut mfa = session.mfa(args.otp.clone());
    let fetched = session.fetch(args.refresh, &mut mfa, &session.person())?;
    let identity = identity(&session, fetched.caller_arn.as_deref());
    let files = &session.files;
    let role_profiles = files
        .profiles()
        .into_iter()
        .filter(|name| {
            files
                .config_section(name)
                .is_some_and(|s| s.get("role_arn").is_some())
        })
        .collect();
    let started = Started {
        role_profiles,
        command: session.command.clone(),
        region: session.profile.region.clone(),
        profile_name: session.profile.profile_name().map(str::to_string),
        holder: Holder::new(fetched.credentials, identity, fetcher(session)),
    };
    Ok(started)
}

/// Whom a session's credentials are for; `caller` (the IAM caller's ARN) gives the account of a
/// profile without a role.
fn identity(session: &Session, caller: Option<&str>) -> Identity {
    let profile = &session.profile;
    let role = profile.roles.last();
    let account = role
        .map(|r| r.role_arn.account.clone())
        .or_else(|| caller?.split(':').nth(4).map(str::to_string));
    Identity {
        profile: profile.name().to_string(),
        role_name: role.map_or_else(|| path_safe(profile.name()), |r| r.role_arn.name.clone()),
        account,
        region: profile.region.clone(),
    }
}

/// A session's fetch: through its cache, newer credentials when renewing, MFA from the typed
/// code or (for the background renewal) the terminal.
fn fetcher(session: Session) -> Fetch {
    Box::new(move |want: Want| {
        let person = if want.ask_terminal {
            session.person()
        } else {
            Person::nobody()
        };
        let mut mfa = session.mfa(want.code);
        let fetched = match want.newer_than {
            Some(expiring) => session.renew(expiring, &mut mfa, &person),
            None => session.fetch(false, &mut mfa, &person),
        };
        fetched.map(|f| f.credentials)
    })
}

/// Opens another profile for the console: its identity and fetch, nothing fetched yet.
pub fn opener(
    args: &Args,
    env: &Env,
) -> impl Fn(&str) -> Result<(Identity, Fetch), String> + Send + Sync + 'static {
    let (args, env) = (args.clone(), env.clone());
    move |name: &str| {
        let session = Session::for_profile(name, &args, &env).map_err(|e| e.to_string())?;
        Ok((identity(&session, None), fetcher(session)))
    }
}

/// A name usable as the last segment of the instance-metadata credentials path.
fn path_safe(name: &str) -> String {
    names::sanitize(name, names::iam_char, Some('-'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_safe_names() {
        assert_eq!(super::path_safe("my profile/x"), "my-profile-x");
        assert_eq!(super::path_safe("a.b@c_d-e"), "a.b@c_d-e");
    }
}
