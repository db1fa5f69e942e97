//! The one step from the arguments and the environment to what every credentials-producing mode
//! needs: the files read, the profile resolved, the command split off, the STS endpoint chosen,
//! the plan (the provider chain, with its cache) and the run's HTTP agent. The exports, the
//! wrapped command, `-j`, the IAM discovery modes, `-w` and the endpoints all start here (`-D`
//! takes the same pieces one by one, to report each failure); where MFA codes come from
//! (`-o`, `mfa_process`, the terminal) is decided here too.

use std::ffi::OsString;
use std::time::Duration;

use crate::aws::endpoint::Endpoint;
use crate::aws::http::Agent;
use crate::browser::Browser;
use crate::cli::args::{Args, ArgsError};
use crate::cli::mode::Mode;
use crate::config::endpoint;
use crate::config::error::ProfileError;
use crate::config::files::Files;
use crate::config::profile::{Overrides, Profile, SourceKind, Target};
use crate::config::resolve::{self, Selected};
use crate::config::timeouts::Timeouts;
use crate::credentials::MfaCode;
use crate::creds::cache::CacheDir;
use crate::creds::error::CredsError;
use crate::creds::mfa::Mfa;
use crate::creds::plan::{self, Plan};
use crate::creds::provider::{Ctx, Fetched, Provider};
use crate::creds::terminal::Person;
use crate::env::Env;
use crate::error::Error;
use crate::log::debug;

/// Everything a credentials-producing mode needs, resolved once.
pub struct Session {
    pub profile: Profile,
    /// The STS endpoint.
    pub sts: Endpoint,
    /// The command to run (empty: print the credentials).
    pub command: Vec<OsString>,
    pub plan: Plan,
    pub agent: Agent,
    /// The files the profile was read from (the discovery modes list their profiles).
    pub files: Files,
    pub cache: CacheDir,
    /// How long `mfa_process` may take (`AWS_RUNAS_MFA_TIMEOUT`).
    pub mfa_timeout: Duration,
    /// How a login goes for the person at the terminal: `--use-device-code`.
    device_code: bool,
    /// What opens a login page: none with `--no-browser`.
    browser: Option<Browser>,
}

/// The flags that are about the profile, as config takes them.
pub fn overrides(args: &Args) -> Overrides {
    Overrides {
        region: args.region().map(str::to_string),
        mfa_serial: args.mfa_serial.clone(),
        session_duration: args.session_duration,
        role_duration: args.role_duration,
    }
}

/// The run's HTTP agent: trusting the profile's CA bundle only, when it has one (as the AWS CLI:
/// the bundle replaces the built-in roots), else the bundled roots. Nothing is read yet.
pub fn agent(profile: &Profile) -> Agent {
    match &profile.ca_bundle {
        Some(bundle) => Agent::with_ca_bundle(bundle.value.clone().into(), bundle.origin.clone()),
        None => Agent::new(),
    }
}

/// What opens a login page for this run: none with `--no-browser`.
pub fn browser(args: &Args, env: &Env) -> Option<Browser> {
    (!args.no_browser).then(|| Browser::find(env)).flatten()
}

impl Session {
    /// Reads the files, resolves the profile and its endpoint, and plans the provider chain. No
    /// network call and no cache access yet.
    pub fn open(args: &Args, env: &Env) -> Result<Session, Error> {
        Session::with_profile(args, env, None)
    }

    /// The session of the profile `name` with the flags of `args` (not its positionals): the
    /// `--ec2` console switching to another profile.
    pub fn for_profile(name: &str, args: &Args, env: &Env) -> Result<Session, Error> {
        Session::with_profile(args, env, Some(name))
    }

    /// The session of the profile `named`, else of the one the positionals name.
    fn with_profile(args: &Args, env: &Env, named: Option<&str>) -> Result<Session, Error> {
        let files = Files::load(env)?;
        let Selected { name, command } = match named {
            Some(name) => Selected::profile(name.to_string()),
            None => resolve::select(&args.positionals, env, args.positionals_kind())?,
        };
        let target = Target::parse(&name)?;
        let profile = resolve::resolve(target, &overrides(args), env, &files).map_err(|error| {
            match resolve::taken_as_command(env, &command, &files) {
                Some(hint) if matches!(error, ProfileError::NotFound { .. }) => {
                    ProfileError::TakenAsCommand {
                        error: Box::new(error),
                        hint,
                    }
                }
                _ => error,
            }
        })?;
        refuse_login_flags(args, &profile)?;
        let endpoint = endpoint::sts(env, &profile)?;
        let timeouts = Timeouts::from_env(env)?;
        let cache = CacheDir::beside(&files.config.path, timeouts.lock);
        let plan = plan::plan(&profile, &endpoint, &cache, args.session);
        debug!("plan: {} ({})", plan.provider.describe(), plan.reason);
        let agent = agent(&profile);
        Ok(Session {
            sts: endpoint,
            profile,
            command,
            plan,
            agent,
            files,
            cache,
            mfa_timeout: timeouts.mfa_process,
            device_code: args.use_device_code,
            browser: browser(args, env),
        })
    }

    /// The person at the terminal, who may be asked (an MFA code, a login), and how a login
    /// goes: one for each retrieval, so that each looks for the terminal again.
    pub fn person(&self) -> Person {
        Person::at_terminal(self.device_code, self.browser.clone())
    }

    /// Where MFA codes come from: `given` (`-o`), then `mfa_process`, then the person at the
    /// terminal; the prompt names the profile.
    pub fn mfa(&self, given: Option<MfaCode>) -> Mfa {
        Mfa::new(given)
            .with_process(
                self.profile.mfa_process.clone(),
                self.mfa_timeout,
                self.profile.name(),
                &self.profile.nesting,
            )
            .for_profile(self.profile.name())
    }

    /// The credentials IAM discovery calls are signed with (see `plan::iam_reader`).
    pub fn iam_credentials(&self, mfa: &mut Mfa) -> Result<Fetched, CredsError> {
        let reader = plan::iam_reader(&self.profile, &self.sts, &self.cache);
        debug!("{}", reader.reason);
        self.retrieve(&*reader.provider, mfa, &self.person(), false, None)
    }

    /// New credentials to replace those expiring at `expiring` (a server's renewal): every
    /// cached step is used that is newer, so a cached session token keeps the renewal silent.
    pub fn renew(
        &self,
        expiring: i64,
        mfa: &mut Mfa,
        person: &Person,
    ) -> Result<Fetched, CredsError> {
        self.retrieve(&*self.plan.provider, mfa, person, false, Some(expiring))
    }

    /// The credentials, from the cache when it can; with `refresh` (`-r`), new ones for every
    /// cached step, which replace the cached ones once they have arrived. `person` is who may
    /// be asked: `self.person()`, or `Person::nobody()`.
    pub fn fetch(
        &self,
        refresh: bool,
        mfa: &mut Mfa,
        person: &Person,
    ) -> Result<Fetched, CredsError> {
        self.retrieve(&*self.plan.provider, mfa, person, refresh, None)
    }

    /// Retrieves from `provider`, asking `person` what must be asked.
    fn retrieve(
        &self,
        provider: &dyn Provider,
        mfa: &mut Mfa,
        person: &Person,
        refresh: bool,
        newer_than: Option<i64>,
    ) -> Result<Fetched, CredsError> {
        let mut ctx = Ctx {
            agent: &self.agent,
            mfa,
            person,
            refresh,
            newer_than,
        };
        provider.retrieve(&mut ctx)
    }
}

/// `--use-device-code` or `--no-browser` for a profile whose chain logs in nowhere (no IAM
/// Identity Center source): one line, before anything is fetched (SPEC 1: a modifier its run does
/// not use). `--sso-login`/`--sso-logout` say so of such a profile in their own words.
fn refuse_login_flags(args: &Args, profile: &Profile) -> Result<(), ArgsError> {
    let login = matches!(profile.source.kind, SourceKind::Sso(_));
    match args.login_flag() {
        Some(flag) if !login && !matches!(args.mode, Mode::SsoLogin | Mode::SsoLogout) => {
            Err(ArgsError::NoLogin {
                flag,
                profile: profile.name().to_string(),
            })
        }
        _ => Ok(()),
    }
}
