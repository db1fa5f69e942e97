//! What `--ec2` and `--ecs` share: the profile's credentials fetched before serving (MFA asked on
//! the terminal), whom they are for, and the renewal that keeps them fresh afterwards.

use crate::cli::args::Args;
use crate::env::Env;
use crate::error::Error;
use crate::server::holder::{Fetch, Holder, Identity};
use crate::session::Session;
use std::sync::Arc;

/// The held credentials, and the fetch that renews them (through the run's chain and cache).
pub struct Started {
    pub holder: Arc<Holder>,
    pub renew: Fetch,
    pub session_command: Vec<std::ffi::OsString>,
    /// The profile's exports (region, profile name) for a command the endpoint runs.
    pub region: Option<String>,
    pub profile_name: Option<String>,
}

/// Opens the session and fetches the credentials to serve first.
pub fn start(args: &Args, env: &Env) -> Result<Started, Error> {
    let session = Session::open(args, env)?;
    let mut mfa = Session::terminal_mfa(args);
    let fetched = session.fetch(args.refresh, &mut mfa)?;
    let profile = &session.profile;
    let role = profile.roles.last();
    let account = role.map(|r| r.role_arn.account.clone()).or_else(|| {
        let arn = fetched.caller_arn.as_deref()?;
        arn.split(':').nth(4).map(str::to_string)
    });
    let identity = Identity {
        profile: profile.name().to_string(),
        role_name: role.map_or_else(|| path_safe(profile.name()), |r| r.role_arn.name.clone()),
        account,
        region: profile.region.clone(),
    };
    let holder = Holder::new(fetched.credentials, identity);
    let started = Started {
        holder,
        session_command: session.command.clone(),
        region: profile.region.clone(),
        profile_name: profile.profile_name().map(str::to_string),
        renew: Box::new(move |expiring| session.renew(expiring, &mut mfa).map(|f| f.credentials)),
    };
    Ok(started)
}

/// A name usable as the last segment of the instance-metadata credentials path.
fn path_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_safe_names() {
        assert_eq!(super::path_safe("my profile/x"), "my-profile-x");
        assert_eq!(super::path_safe("a.b@c_d-e"), "a.b@c_d-e");
    }
}
