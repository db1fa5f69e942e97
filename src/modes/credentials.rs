//! The everyday mode: get the profile's credentials (from the cache when it can), then run the
//! command with them or print them as eval-able exports.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::aws::http::Agent;
use crate::cli::args::Args;
use crate::config::endpoint;
use crate::config::profile::{self, Files};
use crate::creds::mfa::Mfa;
use crate::creds::{plan, Context, Credentials};
use crate::debug;
use crate::env::Env;
use crate::error::Error;
use crate::exec;
use crate::export::{self, Shell};
use crate::localtime;

/// Runs the credentials mode; returns the exit code (only when no command replaced us).
pub fn run(args: &Args, env: &Env) -> Result<i32, Error> {
    let files = Files::load(env)?;
    let resolved = profile::resolve(args, env, &files)?;
    let profile = &resolved.profile;
    let endpoint = endpoint::sts(env, profile)?;
    let cache_dir = files
        .config
        .path
        .parent()
        .unwrap_or(std::path::Path::new("."));
    let plan = plan::plan(profile, &endpoint, cache_dir, args.session);
    debug!("plan: {} ({})", plan.provider.describe(), plan.reason);

    if args.refresh {
        for file in plan.provider.cache_files() {
            match std::fs::remove_file(&file) {
                Ok(()) => debug!("refresh: removed {}", file.display()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => debug!("refresh: cannot remove {} ({e})", file.display()),
            }
        }
    }
    let agent = Agent::new();
    let mut ctx = Context::new(&agent, Mfa::new(args.otp.clone()));
    let credentials = plan.provider.retrieve(&mut ctx)?;

    if args.expiration {
        eprintln!("{}", expiration_line(&credentials, env));
    }
    let profile_var = (!profile.is_arn).then_some(profile.name.as_str());
    let vars = export::variables(&credentials, profile.region.as_deref(), profile_var);
    if resolved.command.is_empty() {
        let shell = if cfg!(windows) && !env.is_set("SHELL") {
            Shell::Cmd
        } else {
            Shell::Posix
        };
        let text = export::render(&vars, shell);
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(Error::Output)?;
        return Ok(0);
    }
    debug!("running {:?}", resolved.command[0]);
    let child_env = exec::child_env(env.vars(), &vars);
    Err(exec::exec(&resolved.command, child_env))
}

/// `Credentials will expire on 2026-11-25 15:03:07 (in 53 minutes)`, in local time.
fn expiration_line(credentials: &Credentials, env: &Env) -> String {
    let Some(expiration) = credentials.expiration else {
        return "Credentials do not expire (long-term keys)".to_string();
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let when = localtime::format(env, expiration);
    let left = expiration - now;
    if left >= 0 {
        format!("Credentials will expire on {when} (in {})", human(left))
    } else {
        format!("Credentials expired on {when} ({} ago)", human(-left))
    }
}

/// `53 minutes`, `2 hours`, `1 minute`, `30 seconds`.
fn human(secs: i64) -> String {
    let (n, unit) = if secs >= 2 * 3600 {
        (secs / 3600, "hour")
    } else if secs >= 60 {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations() {
        assert_eq!(human(53 * 60 + 10), "53 minutes");
        assert_eq!(human(60), "1 minute");
        assert_eq!(human(7300), "2 hours");
        assert_eq!(human(30), "30 seconds");
        assert_eq!(human(90 * 60), "90 minutes");
    }
}
