//! Resolution, composed from the pieces: which profile and which command the positional
//! arguments mean ([`select`]), then the profile itself ([`resolve`]): the chain, the layers, the
//! long-term keys and the roles to assume. It reads the files but makes no network call and
//! builds no provider: that is `creds`' job.

use std::ffi::OsString;
use std::time::Duration;

use super::chain::{self, Link};
use super::endpoint;
use super::error::{ProfileError, TakenAsCommand};
use super::files::Files;
use super::layers::{self, Layers};
use super::profile::{
    Overrides, Profile, RoleStep, Setting, Source, SourceKind, Target, CHAINED_MAX, ROLE_DURATION,
};
use super::source;
use super::sso::Login;
use crate::aws::endpoint::valid_region;
use crate::duration;
use crate::env::Env;
use crate::log::debug;
use crate::nesting::{self, Nesting};

/// How a mode reads its positional arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Positionals {
    /// The modes that run a command: a profile (none when `AWS_PROFILE` is set), then the
    /// command.
    ProfileAndCommand,
    /// The modes that run no command (their flag, e.g. `-j`): at most a profile, which wins over
    /// `AWS_PROFILE`. A `credential_process = aws-runas -j dev` run by an SDK inherits
    /// `AWS_PROFILE` naming the profile that runs it: taking that instead of `dev` was a loop.
    ProfileOnly(String),
}

/// What the positional arguments say: the profile's name, and the command to run (empty: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub name: String,
    pub command: Vec<OsString>,
}

impl Selected {
    /// A profile, and no command.
    pub fn profile(name: String) -> Selected {
        Selected {
            name,
            command: Vec::new(),
        }
    }
}

/// Splits the positional arguments into the profile's name and the command (see
/// [`Positionals`]). Without a name: `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, else `default`.
pub fn select(
    positionals: &[OsString],
    env: &Env,
    kind: Positionals,
) -> Result<Selected, ProfileError> {
    let fallback = || {
        env.non_empty("AWS_DEFAULT_PROFILE")
            .unwrap_or("default")
            .to_string()
    };
    if let (Positionals::ProfileOnly(flag), Some((first, rest))) = (kind, positionals.split_first())
    {
        let name = first.to_str().ok_or(ProfileError::NotUnicode)?.to_string();
        if let Some(extra) = rest.first() {
            return Err(ProfileError::ExtraArgument {
                flag,
                profile: name,
                argument: extra.to_string_lossy().into_owned(),
            });
        }
        if let Some(variable) = env.get("AWS_PROFILE") {
            debug!("profile '{name}' from the argument, over AWS_PROFILE={variable}");
        }
        return Ok(Selected::profile(name));
    }
    if env.is_set("AWS_PROFILE") {
        let name = match env.non_empty("AWS_PROFILE") {
            Some(p) => p.to_string(),
            None if env.get_os("AWS_PROFILE").is_some_and(|v| !v.is_empty()) => {
                return Err(ProfileError::NotUnicode)
            }
            None => fallback(),
        };
        debug!("profile '{name}' from AWS_PROFILE; every argument is the command");
        return Ok(Selected {
            name,
            command: positionals.to_vec(),
        });
    }
    match positionals.split_first() {
        Some((first, rest)) => {
            let name = first.to_str().ok_or(ProfileError::NotUnicode)?.to_string();
            Ok(Selected {
                name,
                command: rest.to_vec(),
            })
        }
        None => Ok(Selected::profile(fallback())),
    }
}

/// The `AWS_PROFILE` trap, if it is what happened: `AWS_PROFILE` made the command's first word,
/// which names a profile, the command.
pub fn taken_as_command(env: &Env, command: &[OsString], files: &Files) -> Option<TakenAsCommand> {
    if !env.is_set("AWS_PROFILE") {
        return None;
    }
    let word = command.first()?.to_str()?;
    files.exists(word).then(|| TakenAsCommand {
        word: word.to_string(),
    })
}

/// Resolves the profile `target` names, with its Identity Center and Sign-In endpoints.
pub fn resolve(
    target: Target,
    overrides: &Overrides,
    env: &Env,
    files: &Files,
) -> Result<Profile, ProfileError> {
    let mut profile = settled(target, overrides, env, files)?;
    endpoint::sso(env, &mut profile).map_err(ProfileError::Endpoint)?;
    endpoint::login(env, &mut profile).map_err(ProfileError::Endpoint)?;
    Ok(profile)
}

/// The profile `target` names, all but its Identity Center endpoints.
fn settled(
    target: Target,
    overrides: &Overrides,
    env: &Env,
    files: &Files,
) -> Result<Profile, ProfileError> {
    if matches!(target, Target::RoleArn(_)) {
        debug!("profile is a role ARN; its source is the default profile");
    }
    let start = target.start();
    if !files.exists(start) {
        return Err(ProfileError::NotFound {
            name: start.to_string(),
            searched: files.searched(start),
        });
    }
    let chain = chain::follow(files, start)?;
    let own = matches!(target, Target::Profile(_));
    let layers = Layers::new(files, &chain, own);
    let mut settings = layers::settings(&layers, env, overrides)?;
    let role_duration = role_duration(files, start, own, &mut settings)?;
    let source = source::source(files, env, &chain)?;
    let links = chain::links(&chain)?;
    let roles = roles(&target, &links, role_duration, env);
    check_region(&settings)?;
    let nesting = Nesting::parse(env.get(nesting::VARIABLE));
    check_loops(
        &nesting,
        &source,
        target.name(),
        settings.mfa_process.as_deref(),
    )?;
    let profile = Profile {
        target,
        region: settings.region,
        source,
        roles,
        mfa_serial: settings.mfa_serial,
        mfa_process: settings.mfa_process,
        session_duration: settings.session_duration,
        endpoint_url: settings.endpoint_url,
        service_urls: service_endpoints(files, &layers),
        ca_bundle: ca_bundle(env, &layers),
        ignore_configured_endpoint_urls: layers
            .own("ignore_configured_endpoint_urls")
            .is_some_and(|s| s.value.eq_ignore_ascii_case("true")),
        sts_regional_endpoints: settings.sts_regional_endpoints,
        origins: settings.origins,
        nesting,
    };
    Ok(profile)
}

/// The role duration of the settings, else, for the user's own profile (`own`: not a role ARN
/// standing in for one), its `duration_seconds`, else the default.
fn role_duration(
    files: &Files,
    start: &str,
    own: bool,
    settings: &mut layers::Settings,
) -> Result<Duration, ProfileError> {
    let duration_seconds = match files.profile(start).filter(|_| own) {
        Some(section) if !settings.role_duration_set() => chain::duration_seconds(start, &section)?
            .map(|d| Setting::new(d, format!("profile '{start}'"))),
        _ => None,
    };
    Ok(settings.settle_role_duration(duration_seconds))
}

/// The profiles whose credentials come from `login` (the same Identity Center session, or
/// legacy start URL, and token cache), resolved without flags and without their endpoints (an
/// endpoint that cannot be used does not make a profile any less the login's); a profile that
/// cannot be resolved is none of them.
pub fn profiles_with_login(files: &Files, env: &Env, login: &Login) -> Vec<Profile> {
    profiles_where(files, env, |kind| match kind {
        SourceKind::Sso(role) => role.login.same_token(login),
        _ => false,
    })
}

/// The profiles whose credentials come from an `aws login` session: `arn`'s, or any (`None`).
pub fn profiles_on_login_session(files: &Files, env: &Env, arn: Option<&str>) -> Vec<Profile> {
    profiles_where(files, env, |kind| match kind {
        SourceKind::Login(session) => arn.is_none_or(|arn| session.arn.trim() == arn.trim()),
        _ => false,
    })
}

/// The profiles of `files` that resolve, with a source `wanted` says yes to.
fn profiles_where(files: &Files, env: &Env, wanted: impl Fn(&SourceKind) -> bool) -> Vec<Profile> {
    let resolved = files.profiles().into_iter().filter_map(|name| {
        let target = Target::parse(&name).ok()?;
        settled(target, &Overrides::default(), env, files).ok()
    });
    resolved
        .filter(|profile| wanted(&profile.source.kind))
        .collect()
}

/// A region that is no region name is an error naming where it was set.
fn check_region(settings: &layers::Settings) -> Result<(), ProfileError> {
    let Some(region) = settings.region.as_deref().filter(|r| !valid_region(r)) else {
        return Ok(());
    };
    Err(ProfileError::BadRegion {
        region: region.to_string(),
        origin: settings
            .origins
            .of("region")
            .map_or_else(String::new, str::to_string),
    })
}

/// Inside the process an ancestor runs for this profile (its `credential_process`, or the
/// `mfa_process` of `profile`), running it again is a loop: said now, before a cache lock the
/// ancestor may hold is waited for.
fn check_loops(
    nesting: &Nesting,
    source: &Source,
    profile: &str,
    mfa_process: Option<&str>,
) -> Result<(), ProfileError> {
    if let SourceKind::Process(command) = &source.kind {
        nesting
            .check("credential_process", &source.profile, command)
            .map_err(ProfileError::Loop)?;
    }
    if let Some(command) = mfa_process {
        nesting
            .check("mfa_process", profile, command)
            .map_err(ProfileError::Loop)?;
    }
    Ok(())
}

/// The CA bundle: `AWS_CA_BUNDLE`, else the profile's own `ca_bundle` (as botocore), with where
/// it was set.
fn ca_bundle(env: &Env, layers: &Layers) -> Option<Setting> {
    let found = env
        .non_empty("AWS_CA_BUNDLE")
        .map(|v| Setting::new(v.to_string(), "environment AWS_CA_BUNDLE"))
        .or_else(|| layers.own("ca_bundle"));
    if let Some(bundle) = &found {
        debug!("ca_bundle = {} (from {})", bundle.value, bundle.origin);
    }
    found
}

/// The `endpoint_url`s of the services aws-runas calls in the `[services NAME]` section the
/// profile names with `services = NAME` (nested: `sts =` then an indented `endpoint_url = ...`).
fn service_endpoints(files: &Files, layers: &Layers) -> Vec<(&'static str, String)> {
    let Some(Setting {
        value: name,
        origin,
    }) = layers.own("services")
    else {
        return Vec::new();
    };
    let Some(section) = files.config.section(&format!("services {name}")) else {
        return Vec::new();
    };
    let mut urls = Vec::new();
    for service in ["sts", "sso", "sso_oidc"] {
        if let Some(url) = section.get(&format!("{service}.endpoint_url")) {
            debug!("{service} endpoint_url = {url} (from [services {name}], named by {origin})");
            urls.push((service, url.to_string()));
        }
    }
    urls
}

/// The roles to assume, root side first. The flags, the environment and the custom durations
/// apply to the final one; a chained role gets at most an hour.
fn roles(target: &Target, links: &[Link], role_duration: Duration, env: &Env) -> Vec<RoleStep> {
    let mut roles: Vec<RoleStep> = links
        .iter()
        .rev()
        .map(|link| RoleStep {
            profile: link.profile.clone(),
            role_arn: link.role_arn.clone(),
            external_id: link.external_id.clone(),
            session_name: link.session_name.clone(),
            duration: link.duration_seconds.map_or(ROLE_DURATION.default, |d| {
                duration::clamp(d, ROLE_DURATION.min, CHAINED_MAX).0
            }),
        })
        .collect();
    if let Target::RoleArn(role_arn) = target {
        roles.push(RoleStep {
            profile: role_arn.raw.clone(),
            role_arn: role_arn.clone(),
            external_id: None,
            session_name: None,
            duration: role_duration,
        });
    }
    let chained = roles.len() > 1;
    if let Some(last) = roles.last_mut() {
        settle_last(last, role_duration, chained, env);
    }
    for step in &roles {
        debug!(
            "role {} (profile '{}'), duration {}{}",
            step.role_arn,
            step.profile,
            duration::format(step.duration),
            if step.external_id.is_some() {
                ", with external id"
            } else {
                ""
            }
        );
    }
    roles
}

/// The final role's settings: the role duration (at most an hour when `chained`), and the
/// environment's external id and session name.
fn settle_last(last: &mut RoleStep, role_duration: Duration, chained: bool, env: &Env) {
    last.duration = role_duration;
    if let Some(ext) = env.non_empty("EXTERNAL_ID") {
        debug!("external_id from environment EXTERNAL_ID");
        last.external_id = Some(ext.to_string());
    }
    if let Some(session) = env.non_empty("AWS_ROLE_SESSION_NAME") {
        if last.session_name.is_none() {
            last.session_name = Some(session.to_string());
        }
    }
    if chained && role_duration > CHAINED_MAX {
        debug!("role chaining: AWS allows at most 1h for a chained role; asking for 1h");
        last.duration = CHAINED_MAX;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::profile::SourceKind;

    fn files(config: &str, credentials: &str) -> Files {
        Files::from_texts(config, credentials)
    }

    fn sample() -> Files {
        Files::sample()
    }

    /// What a run resolves: the profile and the command.
    #[derive(Debug)]
    struct Resolved {
        profile: Profile,
        command: Vec<OsString>,
    }

    /// Resolves as a run would: `argv` is the flags `-a`, `-d`, `-M`, `--region` (each with its value), then
    /// the positional arguments.
    fn resolve_with(
        argv: &[&str],
        env: &[(&str, &str)],
        files: &Files,
    ) -> Result<Resolved, ProfileError> {
        let mut overrides = Overrides::default();
        let mut rest = argv;
        while let [flag, value, tail @ ..] = rest {
            match *flag {
                "-a" => overrides.role_duration = Some(duration::parse(value).unwrap()),
                "-d" => overrides.session_duration = Some(duration::parse(value).unwrap()),
                "-M" => overrides.mfa_serial = Some(value.to_string()),
                "--region" => overrides.region = Some(value.to_string()),
                _ => break,
            }
            rest = tail;
        }
        let positionals: Vec<OsString> = rest.iter().map(OsString::from).collect();
        let env = Env::from_pairs(env);
        let Selected { name, command } =
            select(&positionals, &env, Positionals::ProfileAndCommand)?;
        let profile = resolve(Target::parse(&name)?, &overrides, &env, files)?;
        Ok(Resolved { profile, command })
    }

    fn hours(h: u64) -> Duration {
        Duration::from_secs(h * 3600)
    }

    #[test]
    fn profile_then_command() {
        let r = resolve_with(&["admin", "aws", "s3", "ls"], &[], &sample()).unwrap();
        assert_eq!(r.profile.name(), "admin");
        assert_eq!(r.command, ["aws", "s3", "ls"]);
    }

    #[test]
    fn in_a_mode_that_runs_no_command_the_argument_is_the_profile_over_aws_profile() {
        let env = Env::from_pairs(&[("AWS_PROFILE", "dev-cp")]);
        let j = Positionals::ProfileOnly("-j".into());
        let Selected { name, command } = select(&[OsString::from("dev")], &env, j.clone()).unwrap();
        assert_eq!((name.as_str(), command.len()), ("dev", 0));
        // Without an argument, AWS_PROFILE as before.
        assert_eq!(select(&[], &env, j.clone()).unwrap().name, "dev-cp");
        let e = select(&[OsString::from("dev"), OsString::from("aws")], &env, j).unwrap_err();
        assert_eq!(
            e.to_string(),
            "-j runs no command: unexpected argument 'aws' after the profile 'dev'"
        );
        // A mode that runs a command: AWS_PROFILE means every argument is the command.
        let Selected { name, command } = select(
            &[OsString::from("dev")],
            &env,
            Positionals::ProfileAndCommand,
        )
        .unwrap();
        assert_eq!((name.as_str(), command.len()), ("dev-cp", 1));
    }

    #[test]
    fn aws_profile_means_no_profile_argument() {
        let r = resolve_with(&["aws", "s3"], &[("AWS_PROFILE", "admin")], &sample()).unwrap();
        assert_eq!((r.profile.name(), r.command.len()), ("admin", 2));
        // Even empty: then AWS_DEFAULT_PROFILE, else default.
        let r = resolve_with(
            &["admin"],
            &[("AWS_PROFILE", ""), ("AWS_DEFAULT_PROFILE", "dev")],
            &sample(),
        )
        .unwrap();
        assert_eq!((r.profile.name(), r.command.len()), ("dev", 1));
        let r = resolve_with(&[], &[("AWS_DEFAULT_PROFILE", "dev")], &sample()).unwrap();
        assert_eq!(r.profile.name(), "dev");
        let r = resolve_with(&[], &[], &sample()).unwrap();
        assert_eq!(r.profile.name(), "default");
    }

    #[test]
    fn role_profile_layers() {
        let p = resolve_with(&["admin"], &[], &sample()).unwrap().profile;
        assert_eq!(p.source.profile, "dev");
        assert_eq!(
            p.source.credentials().unwrap().access_key_id,
            "AKIADEVEXAMPLE000001"
        );
        assert_eq!(p.roles.len(), 1);
        assert_eq!(p.roles[0].role_arn.name, "admin");
        // region from the source profile beats the default's; mfa_serial inherited from source.
        assert_eq!(p.region.as_deref(), Some("us-east-2"));
        assert_eq!(
            p.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/alice")
        );
        // credentials_duration from the default profile.
        assert_eq!(p.roles.last().unwrap().duration, hours(2));
        assert_eq!(p.session_duration, hours(12));
    }

    #[test]
    fn environment_and_flags_win() {
        let env = [
            ("AWS_REGION", "eu-central-1"),
            ("AWS_DEFAULT_REGION", "ap-south-1"),
            ("CREDENTIALS_DURATION", "3h"),
            ("EXTERNAL_ID", "from-env"),
            ("MFA_SERIAL", "arn:aws:iam::123456789012:mfa/other"),
        ];
        let p = resolve_with(&["admin"], &env, &sample()).unwrap().profile;
        assert_eq!(p.region.as_deref(), Some("eu-central-1"));
        assert_eq!(p.roles.last().unwrap().duration, hours(3));
        assert_eq!(p.roles[0].external_id.as_deref(), Some("from-env"));
        assert_eq!(
            p.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/other")
        );
        let flag = "arn:aws:iam::123456789012:mfa/flag";
        let p = resolve_with(&["-a", "4h", "-M", flag, "admin"], &env, &sample())
            .unwrap()
            .profile;
        assert_eq!(p.roles.last().unwrap().duration, hours(4));
        assert_eq!(p.mfa_serial.as_deref(), Some(flag));
        let p = resolve_with(&["--region", "eu-west-3", "admin"], &env, &sample())
            .unwrap()
            .profile;
        assert_eq!(p.region.as_deref(), Some("eu-west-3"));
        assert_eq!(p.origins.of("region"), Some("flag --region"));
        let p = resolve_with(
            &["admin"],
            &[("AWS_DEFAULT_REGION", "ap-south-1")],
            &sample(),
        )
        .unwrap()
        .profile;
        assert_eq!(p.region.as_deref(), Some("ap-south-1"));
    }

    #[test]
    fn durations_are_clamped() {
        let p = resolve_with(&["-a", "5m", "admin"], &[], &sample())
            .unwrap()
            .profile;
        assert_eq!(p.roles.last().unwrap().duration, Duration::from_secs(900));
        let p = resolve_with(&["-a", "48h", "admin"], &[], &sample())
            .unwrap()
            .profile;
        assert_eq!(p.roles.last().unwrap().duration, hours(12));
        let p = resolve_with(&["admin"], &[("SESSION_TOKEN_DURATION", "40h")], &sample())
            .unwrap()
            .profile;
        assert_eq!(p.session_duration, hours(36));
        let env = [("SESSION_TOKEN_DURATION", "2h")];
        let p = resolve_with(&["-d", "1m", "admin"], &env, &sample())
            .unwrap()
            .profile;
        assert_eq!(p.session_duration, Duration::from_secs(900));
        let p = resolve_with(&["-d", "3h", "admin"], &env, &sample())
            .unwrap()
            .profile;
        assert_eq!(p.session_duration, hours(3));
    }

    #[test]
    fn duration_seconds_applies_without_credentials_duration() {
        let f = files(
            "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = k\nduration_seconds = 7200\n",
            "[k]\naws_access_key_id = AKIAKEY\naws_secret_access_key = s\n",
        );
        let p = resolve_with(&["r"], &[], &f).unwrap().profile;
        assert_eq!(p.roles.last().unwrap().duration, hours(2));
    }

    #[test]
    fn role_chaining_in_order() {
        let p = resolve_with(&["chained"], &[], &sample()).unwrap().profile;
        let names: Vec<&str> = p.roles.iter().map(|r| r.role_arn.name.as_str()).collect();
        assert_eq!(names, ["admin", "chained"]);
        assert_eq!(p.source.profile, "dev");
        // A chained role gets at most an hour.
        let p = resolve_with(&["-a", "3h", "chained"], &[], &sample())
            .unwrap()
            .profile;
        assert_eq!(p.roles[1].duration, hours(1));
    }

    #[test]
    fn role_arn_as_profile_uses_default_as_source() {
        let p = resolve_with(&["arn:aws:iam::123456789012:role/x"], &[], &sample())
            .unwrap()
            .profile;
        assert!(matches!(p.target, Target::RoleArn(_)));
        assert_eq!(p.source.profile, "default");
        assert_eq!(p.roles.len(), 1);
        assert_eq!(p.roles[0].role_arn.name, "x");
    }

    #[test]
    fn credential_source_environment() {
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "envsecret"),
        ];
        let p = resolve_with(&["fromenv"], &env, &sample()).unwrap().profile;
        assert!(matches!(p.source.kind, SourceKind::Environment(_)));
        assert_eq!(p.source.credentials().unwrap().access_key_id, "AKIAENV");
        let e = resolve_with(&["fromenv"], &[], &sample()).unwrap_err();
        assert!(
            matches!(e, ProfileError::EnvironmentKeysMissing { .. }),
            "{e}"
        );
    }

    #[test]
    fn stale_environment_keys_never_override_a_profile() {
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKIASTALE"),
            ("AWS_SECRET_ACCESS_KEY", "stale"),
        ];
        let p = resolve_with(&["admin"], &env, &sample()).unwrap().profile;
        assert_eq!(
            p.source.credentials().unwrap().access_key_id,
            "AKIADEVEXAMPLE000001"
        );
    }

    #[test]
    fn errors() {
        let f = sample();
        let e = resolve_with(&["nope"], &[], &f).unwrap_err().to_string();
        assert_eq!(
            e,
            "profile 'nope' not found in /h/.aws/config or /h/.aws/credentials (12 profiles)"
        );
        let e = resolve_with(&["Admin"], &[], &f).unwrap_err().to_string();
        assert!(e.ends_with("(12 profiles; did you mean 'admin'?)"), "{e}");
        let e = resolve_with(&["nosource"], &[], &f)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'nosource' has role_arn but no source_profile"),
            "{e}"
        );
        let e = resolve_with(&["cycle-a"], &[], &f).unwrap_err().to_string();
        assert_eq!(e, "source_profile cycle: cycle-a -> cycle-b -> cycle-a");
        let e = resolve_with(&["nokeys"], &[], &f).unwrap_err().to_string();
        assert!(
            e.starts_with("profile 'nokeys' has no aws_access_key_id"),
            "{e}"
        );
        let e = resolve_with(&["badarn"], &[], &f).unwrap_err().to_string();
        assert!(
            e.contains("role_arn in profile 'badarn'")
                && e.contains("'arn:aws:iam::123456789012:user/bob'"),
            "{e}"
        );
        let e = resolve_with(&["arn:aws:s3:::bucket"], &[], &f)
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid role ARN 'arn:aws:s3:::bucket'"), "{e}");
        let e = resolve_with(&["admin"], &[("CREDENTIALS_DURATION", "1d")], &f)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'1d'") && e.contains("CREDENTIALS_DURATION"),
            "{e}"
        );
        let e = resolve_with(&["lostsource"], &[], &f)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("source_profile 'ghost' of profile 'lostsource' not found"),
            "{e}"
        );
    }

    #[test]
    fn self_sourced_profile_uses_its_own_keys() {
        let f = files(
            "[profile me]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = me\n",
            "[me]\naws_access_key_id = AKIAME\naws_secret_access_key = s\n",
        );
        let p = resolve_with(&["me"], &[], &f).unwrap().profile;
        assert_eq!((p.source.profile.as_str(), p.roles.len()), ("me", 1));
    }

    #[test]
    fn credentials_only_profile_is_fine() {
        let p = resolve_with(&["keysonly"], &[], &sample()).unwrap().profile;
        assert!(p.roles.is_empty());
        assert_eq!(
            p.source.credentials().unwrap().access_key_id,
            "AKIAKEYSONLY00000001"
        );
    }

    #[test]
    fn empty_values_are_unset() {
        let f = files(
            "[default]\nregion = us-east-1\n[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = k\nregion =\nmfa_serial =\nexternal_id =\n",
            "[k]\naws_access_key_id = AKIAKEY\naws_secret_access_key = s\n",
        );
        let p = resolve_with(&["r"], &[("AWS_REGION", "")], &f)
            .unwrap()
            .profile;
        assert_eq!(p.region.as_deref(), Some("us-east-1"));
        assert_eq!(p.mfa_serial, None);
        assert_eq!(p.roles[0].external_id, None);
    }

    #[test]
    fn a_login_s_profiles_include_one_whose_endpoint_cannot_be_used() {
        let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
            [profile good]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n\
            [profile bad-endpoint]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Read\nendpoint_url = not a url\n\
            [profile on-top]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = good\n\
            [profile other]\naws_access_key_id = AKIA\naws_secret_access_key = s\n";
        let files = files(config, "");
        let env = Env::from_pairs(&[("HOME", "/h")]);
        let target = Target::parse("good").unwrap();
        let profile = resolve(target, &Overrides::default(), &env, &files).unwrap();
        let SourceKind::Sso(role) = &profile.source.kind else {
            panic!("not an Identity Center profile");
        };
        let mut names: Vec<String> = profiles_with_login(&files, &env, &role.login)
            .iter()
            .map(|p| p.name().to_string())
            .collect();
        names.sort();
        assert_eq!(names, ["bad-endpoint", "good", "on-top"]);
        // Resolved for a run, its endpoint is the error it is.
        let target = Target::parse("bad-endpoint").unwrap();
        let error = resolve(target, &Overrides::default(), &env, &files).unwrap_err();
        assert!(
            error.to_string().contains("invalid endpoint URL"),
            "{error}"
        );
    }
}
