//! `-D`: checks the set-up a run depends on, one `OK|WARN|ERROR <what>` line each, then the
//! resolved profile with where each value came from; exit 1 if any check is an ERROR.
//!
//! Every check runs that can: an unreadable file or an unknown profile is reported, and the
//! checks that do not depend on it still run. Nothing here prompts (no MFA: GetCallerIdentity
//! needs none, and no login: the person is nobody) or prints a secret (access key ids only).
//! Only an Identity Center source's credentials are got as a run gets them (its token
//! refreshed when due, the portal's role credentials cached): their token and cache are
//! reported as found before that.
//!
//! Here: the checks, in the order they run. How a line is written is `report.rs`; the resolved
//! profile, `resolved.rs`; what is said of an IAM Identity Center login, `sso.rs`.

mod login;
mod report;
mod resolved;
mod sso;

use crate::aws::sts;
use crate::cli::args::Args;
use crate::config::endpoint;
use crate::config::files::{self, Files};
use crate::config::ini::Ini;
use crate::config::profile::{Profile, SourceKind, Target};
use crate::config::resolve;
use crate::config::timeouts;
use crate::creds::cache::CacheDir;
use crate::creds::mfa::Mfa;
use crate::creds::plan;
use crate::creds::provider::Ctx;
use crate::creds::terminal::Person;
use crate::env::Env;
use crate::error::Error;
use crate::session;
use crate::time;
use report::{Level, Report};
use resolved::resolved;

/// Clock skew against AWS above which requests are refused (SigV4 allows 5 minutes).
const SKEW_ERROR: i64 = 5 * 60;
/// Clock skew worth a warning.
const SKEW_WARN: i64 = 3 * 60;

/// Runs `-D`; returns the exit code.
pub fn run(args: &Args, env: &Env) -> Result<i32, Error> {
    let mut r = Report::default();
    let files = check_files(env, &mut r);
    check_environment(args, env, &mut r);
    let profile = files
        .as_ref()
        .and_then(|files| check_profile(args, env, files, &mut r));
    if let (Some(files), Some(profile)) = (&files, &profile) {
        check_region(profile, &mut r);
        let cache = CacheDir::beside(&files.config.path, timeouts::LOCK);
        check_cache(&cache, &mut r);
        match &profile.source.kind {
            SourceKind::Sso(role) => sso::check(profile, role, &cache, &mut r),
            SourceKind::Login(session) => login::check(&profile.source.profile, session, &mut r),
            _ => {}
        }
        check_credentials(profile, env, &cache, &mut r);
        r.text.push('\n');
        r.text.push_str(&resolved(profile, files));
    }
    super::print(&r.text)?;
    Ok(if r.failed { 1 } else { 0 })
}

/// Both files: there, readable, parseable.
fn check_files(env: &Env, r: &mut Report) -> Option<Files> {
    let mut load = |what: &str, path: Result<std::path::PathBuf, files::FilesError>| {
        let path = match path {
            Ok(p) => p,
            Err(e) => {
                r.line(Level::Error, format_args!("{what}: {e}"));
                return None;
            }
        };
        match Ini::load(&path) {
            Ok(ini) if !path.exists() => {
                r.line(
                    Level::Warn,
                    format_args!("{what} {} does not exist", path.display()),
                );
                Some(ini)
            }
            Ok(ini) => {
                r.line(
                    Level::Ok,
                    format_args!(
                        "{what} {} is readable and parses ({} sections)",
                        path.display(),
                        ini.sections.len()
                    ),
                );
                for twice in ini.repeated() {
                    r.line(Level::Warn, format_args!("{what} {}: {twice}: aws-runas reads the two as one (later values winning), as the Go SDK does, but the AWS CLI and boto3 refuse the whole file (\"Unable to parse config file\"), whatever the profile: keep one of them", path.display()));
                }
                Some(ini)
            }
            Err(e) => {
                r.line(Level::Error, format_args!("{what}: {e}"));
                None
            }
        }
    };
    let config = load("config file", files::config_path(env));
    let credentials = load("credentials file", files::credentials_path(env));
    Some(Files {
        config: config?,
        credentials: credentials?,
    })
}

/// `AWS_*` variables that contradict each other or the profile.
fn check_environment(args: &Args, env: &Env, r: &mut Report) {
    let before = r.text.len();
    let id = env.non_empty("AWS_ACCESS_KEY_ID");
    let secret = env.non_empty("AWS_SECRET_ACCESS_KEY");
    if id.is_some() != secret.is_some() {
        let (set, unset) = if id.is_some() {
            ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        } else {
            ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID")
        };
        r.line(
            Level::Error,
            format_args!("{set} is set without {unset}: set both, or neither"),
        );
    }
    if let Some(id) = id.filter(|id| id.starts_with("AKIA")) {
        if env.non_empty("AWS_SESSION_TOKEN").is_some() {
            r.line(Level::Error, format_args!("AWS_ACCESS_KEY_ID {id} is a long-term key, but AWS_SESSION_TOKEN is set: AWS refuses the pair; unset AWS_SESSION_TOKEN"));
        }
    }
    let named = env.is_set("AWS_PROFILE") || !args.positionals.is_empty();
    if id.is_some() && named {
        r.line(Level::Warn, format_args!("AWS_ACCESS_KEY_ID is set beside a profile: the AWS CLI and SDKs take the environment's keys over any profile; unset the AWS_* keys to use the profile"));
    }
    for (high, low) in [
        ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
        ("AWS_REGION", "AWS_DEFAULT_REGION"),
    ] {
        if let (Some(a), Some(b)) = (env.non_empty(high), env.non_empty(low)) {
            if a != b {
                r.line(
                    Level::Warn,
                    format_args!("{high} ({a}) and {low} ({b}) differ: {high} wins"),
                );
            }
        }
    }
    if r.text.len() == before {
        r.line(
            Level::Ok,
            format_args!("no conflicting AWS_* variables in the environment"),
        );
    }
}

/// The profile: found, and resolvable (role_arn with a source, complete source credentials).
fn check_profile(args: &Args, env: &Env, files: &Files, r: &mut Report) -> Option<Profile> {
    let positionals = args.positionals_kind();
    let resolved = resolve::select(&args.positionals, env, positionals).and_then(|selected| {
        let target = Target::parse(&selected.name)?;
        resolve::resolve(target, &session::overrides(args), env, files)
    });
    let profile = match resolved {
        Ok(p) => p,
        Err(e) => {
            r.line(Level::Error, format_args!("{e}"));
            return None;
        }
    };
    r.line(
        Level::Ok,
        format_args!("profile '{}' found and resolved", profile.name()),
    );
    for step in &profile.roles {
        r.line(
            Level::Ok,
            format_args!(
                "role_arn {} of profile '{}' has its source",
                step.role_arn, step.profile
            ),
        );
    }
    let source = &profile.source;
    let what = match &source.kind {
        SourceKind::File(c) => {
            format!("keys of profile '{}' ({})", source.profile, c.access_key_id)
        }
        SourceKind::Environment(c) => format!("keys in the environment ({})", c.access_key_id),
        SourceKind::Process(_) => format!("credential_process of profile '{}'", source.profile),
        SourceKind::InstanceMetadata(_) => "the EC2 instance metadata service".to_string(),
        SourceKind::Container { .. } => "the container credentials endpoint".to_string(),
        SourceKind::WebIdentity { .. } => {
            format!("web identity token of profile '{}'", source.profile)
        }
        SourceKind::Sso(role) => super::sso::describe(&source.profile, role),
        SourceKind::Login(login) => format!(
            "the aws login session {} of profile '{}'",
            crate::log::escape(&login.arn),
            source.profile
        ),
    };
    r.line(Level::Ok, format_args!("source credentials: {what}"));
    Some(profile)
}

fn check_region(profile: &Profile, r: &mut Report) {
    match &profile.region {
        Some(region) => r.line(Level::Ok, format_args!("region {region}")),
        None => r.line(
            Level::Warn,
            format_args!("no region set: commands that need one fail; set region in the profile or AWS_REGION"),
        ),
    }
}

/// The cache files: ours, private, in a directory no one else can write.
fn check_cache(cache: &CacheDir, r: &mut Report) {
    let dir = cache.dir().display();
    if cache.shared() {
        r.line(Level::Warn, format_args!("the cache directory {dir} is writable by other users: keep the config file in a private directory"));
    }
    let files = cache.audit();
    let mut loose = 0;
    for file in &files {
        if let Some(problem) = &file.problem {
            loose += 1;
            let path = file.path.display();
            r.line(
                Level::Warn,
                format_args!("cache file {path} is {problem}: remove it, or chmod 600 {path}"),
            );
        }
    }
    if loose == 0 {
        r.line(
            Level::Ok,
            format_args!("cache files in {dir}: {}, all private", files.len()),
        );
    }
}

/// The source credentials work (GetCallerIdentity), and the clock agrees with AWS's.
fn check_credentials(profile: &Profile, env: &Env, cache: &CacheDir, r: &mut Report) {
    let sts = match endpoint::sts(env, profile) {
        Ok(e) => e,
        Err(e) => return r.line(Level::Error, format_args!("{e}")),
    };
    let agent = session::agent(profile);
    let mut mfa = Mfa::new(None);
    let mut ctx = Ctx {
        agent: &agent,
        mfa: &mut mfa,
        person: &Person::nobody(),
        refresh: false,
        newer_than: None,
    };
    let credentials = match plan::root_provider(profile, &sts, cache).retrieve(&mut ctx) {
        Ok(f) => f.credentials,
        Err(e) => {
            return r.line(
                Level::Error,
                format_args!("cannot get the source credentials: {e}"),
            )
        }
    };
    let key = &credentials.access_key_id;
    let identity = match sts::get_caller_identity(&agent, &sts, &credentials) {
        Ok(i) => i,
        Err(e) => {
            return r.line(
                Level::Error,
                format_args!("the source credentials ({key}) are refused: {e}"),
            )
        }
    };
    r.line(
        Level::Ok,
        format_args!("the source credentials ({key}) are valid: {}", identity.arn),
    );
    check_skew(identity.date.as_deref(), r);
}

/// The local clock against the `Date` of AWS's answer.
fn check_skew(date: Option<&str>, r: &mut Report) {
    let Some(theirs) = date.and_then(time::http_date) else {
        return r.line(
            Level::Warn,
            format_args!("the STS answer has no readable Date header: clock skew not checked"),
        );
    };
    let skew = time::unix_now() - theirs;
    let ahead = if skew >= 0 { "ahead of" } else { "behind" };
    let level = match skew.abs() {
        s if s > SKEW_ERROR => Level::Error,
        s if s > SKEW_WARN => Level::Warn,
        _ => Level::Ok,
    };
    let fix = if level == Level::Ok {
        ""
    } else {
        ": AWS refuses requests more than 5 minutes off; set the clock (NTP)"
    };
    r.line(
        level,
        format_args!("the clock is {}s {ahead} AWS's{fix}", skew.abs()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skew_line(offset: i64) -> String {
        let at = std::time::UNIX_EPOCH
            + std::time::Duration::from_secs((time::unix_now() + offset) as u64);
        let mut r = Report::default();
        check_skew(Some(&time::format_http_date(at)), &mut r);
        r.text
    }

    #[test]
    fn clock_skew_levels() {
        // AWS's clock ahead of ours: we are behind.
        assert!(
            skew_line(30).starts_with("OK the clock is"),
            "{}",
            skew_line(30)
        );
        let warn = skew_line(-200);
        assert!(
            warn.starts_with("WARN the clock is 20") && warn.contains("ahead of"),
            "{warn}"
        );
        let error = skew_line(400);
        assert!(
            error.starts_with("ERROR the clock is 40") && error.contains("behind"),
            "{error}"
        );
        let mut r = Report::default();
        check_skew(None, &mut r);
        assert!(r.text.starts_with("WARN") && !r.failed);
    }
}
