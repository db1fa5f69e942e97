//! The everyday mode: print the session's credentials as eval-able exports, or run the command
//! with them. Getting them is the session's job (`session.rs`); this module only hands them on.

use std::io::Write;

use crate::cli::args::Args;
use crate::config::resolve;
use crate::credentials::Credentials;
use crate::env::Env;
use crate::error::Error;
use crate::exec;
use crate::export::{self, Shell};
use crate::log::debug;
use crate::session::Session;
use crate::time;

/// Runs the credentials mode; returns the exit code (only when no command replaced us).
pub fn run(args: &Args, env: &Env) -> Result<i32, Error> {
    let session = Session::open(args, env)?;
    let mut mfa = session.mfa(args.otp.clone());
    let person = session.person();
    let credentials = session.fetch(args.refresh, &mut mfa, &person)?.credentials;
    if args.expiration {
        // Not eprintln!: a closed stderr must not end the run (it would panic, then abort).
        let line = expiration_line(&credentials, env.get("TZ"), time::unix_now());
        let _ = writeln!(std::io::stderr(), "{line}");
    }
    let profile = &session.profile;
    let vars = export::variables(
        &credentials,
        profile.region.as_deref(),
        profile.profile_name(),
    );
    if args.json {
        return super::print(&export::credential_process(&credentials));
    }
    if session.command.is_empty() {
        let shell = args
            .shell
            .unwrap_or_else(|| Shell::from_env(env.get("SHELL")));
        return super::print(&export::render(&vars, shell));
    }
    debug!("running {:?}", session.command[0]);
    let child_env = exec::child_env(env.vars(), &vars);
    let mut error = exec::exec(&session.command, child_env);
    if error.error.kind() == std::io::ErrorKind::NotFound {
        let hint = resolve::taken_as_command(env, &session.command, &session.files);
        error.hint = hint.map(|hint| hint.to_string());
    }
    Err(error.into())
}

/// `Credentials will expire on 2026-11-25 15:03:07 (in 53 minutes)`, in local time (`tz` is the
/// `TZ` variable).
fn expiration_line(credentials: &Credentials, tz: Option<&str>, now: i64) -> String {
    let Some(expiration) = credentials.expiration else {
        return "Credentials do not expire (long-term keys)".to_string();
    };
    let when = time::local::format(tz, expiration);
    let left = expiration.saturating_sub(now);
    if left >= 0 {
        format!("Credentials will expire on {when} (in {})", human(left))
    } else {
        format!(
            "Credentials expired on {when} ({} ago)",
            human(left.saturating_neg())
        )
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
    use crate::credentials::Secret;

    #[test]
    fn human_durations() {
        assert_eq!(human(53 * 60 + 10), "53 minutes");
        assert_eq!(human(60), "1 minute");
        assert_eq!(human(7300), "2 hours");
        assert_eq!(human(30), "30 seconds");
        assert_eq!(human(90 * 60), "90 minutes");
    }

    #[test]
    fn expiration_lines() {
        let mut c = Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: Secret::new("s"),
            session_token: None,
            expiration: Some(1_800_000_000),
        };
        assert_eq!(
            expiration_line(&c, Some("UTC0"), 1_800_000_000 - 53 * 60),
            "Credentials will expire on 2027-01-15 08:00:00 (in 53 minutes)"
        );
        assert_eq!(
            expiration_line(&c, Some("UTC0"), 1_800_000_000 + 7200),
            "Credentials expired on 2027-01-15 08:00:00 (2 hours ago)"
        );
        c.expiration = None;
        assert!(expiration_line(&c, None, 0).contains("do not expire"));
    }
}
