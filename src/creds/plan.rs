//! Chooses the chain of providers for a profile, in one place, and says why (`-v`).
//!
//! For an IAM user's long-term keys:
//! - role credentials of at most 1h (the default): GetSessionToken (with MFA when configured),
//!   cached per source profile, then AssumeRole signed with the session token. Every role sharing
//!   the source profile reuses the session token, so MFA is asked once per session-token lifetime.
//! - more than 1h: AssumeRole directly with the long-term keys and the MFA fields, since AWS
//!   refuses more than 1h for roles assumed with session credentials.
//! - `-s`, or no role: the session token is the result.
//!
//! Keys that are already temporary (a session token, an `ASIA` key) cannot get a session token:
//! AssumeRole directly with them, MFA fields included when configured. Further roles of a
//! `source_profile` chain are assumed with the previous role's credentials. The final role's
//! credentials are cached per profile.

use std::time::Duration;

use super::assume_role::AssumeRole;
use super::cache::{CacheDir, Cached, Expect, Slot};
use super::login::LoginProvider;
use super::long_term::LongTerm;
use super::machine::{Container, InstanceMetadata};
use super::process::CredentialProcess;
use super::provider::Provider;
use super::session_token::SessionToken;
use super::sso::SsoProvider;
use super::web_identity::WebIdentity;
use crate::aws::endpoint::Endpoint;
use crate::config::profile::{Profile, RoleStep, SourceKind, CHAINED_MAX};
use crate::config::sso::SsoRole;
#[cfg(test)]
use crate::config::timeouts;
use crate::credentials::Credentials;
use crate::duration;

/// The lifetime assumed for an Identity Center role's credentials before a cache file says
/// (permission sets give 1 to 12 hours).
const SSO_LIFETIME: Duration = Duration::from_secs(3600);

/// The chosen chain and the reason, for `-v`.
pub struct Plan {
    pub provider: Box<dyn Provider>,
    pub reason: String,
}

/// Why the first role is assumed directly with the source credentials (`temporary` ones, or for
/// a role duration over an hour).
fn direct_reason(profile: &Profile, temporary: bool, role_duration: Duration) -> String {
    if matches!(profile.source.kind, SourceKind::Login(_)) {
        return "the aws login session's credentials are temporary, and made with the console's sign-in and its MFA: AssumeRole directly with them, no MFA code".to_string();
    }
    if temporary {
        return "the source credentials are temporary: AssumeRole directly with them".to_string();
    }
    format!(
        "role duration {} is over 1h: AssumeRole directly with the long-term keys{} (AWS allows at most 1h for roles assumed with a session token)",
        duration::format(role_duration),
        if profile.mfa_serial.is_some() { " and the MFA code" } else { "" }
    )
}

/// Builds the provider chain for `profile`; `session_only` is `-s`.
pub fn plan(profile: &Profile, endpoint: &Endpoint, cache: &CacheDir, session_only: bool) -> Plan {
    let source = &profile.source;
    let long_term = root_provider(profile, endpoint, cache);
    // Credentials a command prints are not known yet: like temporary ones, they are used as
    // they are, never for GetSessionToken.
    let temporary = source.credentials().is_none_or(Credentials::is_temporary);

    let last = match profile.roles.last() {
        Some(last) if !session_only => last,
        _ => return session_plan(profile, endpoint, cache, long_term, session_only),
    };
    let direct = temporary || (profile.roles.len() == 1 && last.duration > CHAINED_MAX);
    let signer = if direct {
        Plan {
            provider: long_term,
            reason: direct_reason(profile, temporary, last.duration),
        }
    } else {
        session_signer(profile, endpoint, cache, long_term)
    };
    let provider = assume_roles(profile, endpoint, signer.provider, direct);
    let reason = signer.reason;
    let reason = match profile.roles.len() {
        1 => reason,
        n => format!("{reason}; role chaining through {n} roles"),
    };
    let Slot {
        file,
        expect,
        lifetime,
    } = role_slot(profile, last, cache);
    Plan {
        provider: Box::new(Cached::new(provider, cache, file, expect, lifetime)),
        reason,
    }
}

/// The cache of the credentials of `profile`'s `last` role.
fn role_slot(profile: &Profile, last: &RoleStep, cache: &CacheDir) -> Slot {
    Slot {
        file: cache.role(profile),
        expect: Expect {
            role_arn: Some(last.role_arn.raw.clone()),
            external_id: last.external_id.clone(),
            mfa_serial: None,
            source_key_id: source_key_id(profile),
            key: None,
        },
        lifetime: last.duration,
    }
}

/// The cache files a run of `profile` reads when its source is an Identity Center role, root
/// first: the portal's role credentials, then its role's, as [`plan`] caches them (`-D`).
/// None for any other source.
pub fn sso_slots(profile: &Profile, cache: &CacheDir) -> Vec<Slot> {
    let SourceKind::Sso(role) = &profile.source.kind else {
        return Vec::new();
    };
    let last = profile.roles.last();
    sso_slot(&profile.source.profile, role, cache)
        .into_iter()
        .chain(last.map(|last| role_slot(profile, last, cache)))
        .collect()
}

/// The cached session token of the source profile, signing the first role.
fn session_signer(
    profile: &Profile,
    endpoint: &Endpoint,
    cache: &CacheDir,
    long_term: Box<dyn Provider>,
) -> Plan {
    let want_caller = profile.roles.iter().any(|s| s.session_name.is_none());
    let reason = format!(
        "session token of profile '{}' (cached, shared by every role using it{}), then AssumeRole with it",
        profile.source.profile,
        if profile.mfa_serial.is_some() { ", MFA asked once" } else { "" }
    );
    Plan {
        provider: session_token(profile, endpoint, cache, long_term, want_caller),
        reason,
    }
}

/// Each role of the chain assumed with the one before, the first with `signer`; only a role
/// assumed `direct`ly with the source credentials sends the MFA code (not with an aws login's).
fn assume_roles(
    profile: &Profile,
    endpoint: &Endpoint,
    signer: Box<dyn Provider>,
    direct: bool,
) -> Box<dyn Provider> {
    // An aws login session was signed in with MFA already: the role is assumed without a code.
    let mfa = direct && !matches!(profile.source.kind, SourceKind::Login(_));
    let mut provider = signer;
    for (i, step) in profile.roles.iter().enumerate() {
        provider = Box::new(AssumeRole {
            signer: provider,
            endpoint: endpoint.clone(),
            step: step.clone(),
            mfa_serial: profile.mfa_serial.clone().filter(|_| mfa && i == 0),
        });
    }
    provider
}

/// What IAM discovery calls (`-l`, `-m`, `-c`) are signed with, and why. With long-term keys and
/// an MFA device, the session token with MFA (cached, so usually no prompt): IAM refuses calls
/// signed with a session token obtained without MFA, and users' policies often demand MFA for
/// everything. Otherwise the root credentials as they are.
pub fn iam_reader(profile: &Profile, endpoint: &Endpoint, cache: &CacheDir) -> Plan {
    let long_term = root_provider(profile, endpoint, cache);
    let keys = profile
        .source
        .credentials()
        .is_some_and(|c| !c.is_temporary());
    if keys && profile.mfa_serial.is_some() {
        return Plan {
            provider: session_token(profile, endpoint, cache, long_term, false),
            reason: format!(
                "IAM calls signed with the session token of profile '{}' (with MFA)",
                profile.source.profile
            ),
        };
    }
    Plan {
        provider: long_term,
        reason: format!(
            "IAM calls signed with the credentials of profile '{}'",
            profile.source.profile
        ),
    }
}

/// The provider of the chain's root: the keys as they are, the `credential_process`, ..., or
/// an Identity Center role's credentials (cached as `.aws_sso_<profile>`).
pub fn root_provider(
    profile: &Profile,
    endpoint: &Endpoint,
    cache: &CacheDir,
) -> Box<dyn Provider> {
    let source = &profile.source;
    match &source.kind {
        SourceKind::Sso(role) => sso_provider(&source.profile, role, cache),
        SourceKind::Login(session) => Box::new(LoginProvider {
            profile: source.profile.clone(),
            session: session.clone(),
            lock_timeout: cache.lock_timeout(),
        }),
        SourceKind::File(credentials) => Box::new(LongTerm {
            label: format!("LongTerm({})", source.profile),
            credentials: credentials.clone(),
        }),
        SourceKind::Environment(credentials) => Box::new(LongTerm {
            label: format!("Environment({})", source.profile),
            credentials: credentials.clone(),
        }),
        SourceKind::Process(command) => Box::new(CredentialProcess {
            profile: source.profile.clone(),
            command: command.clone(),
            nesting: profile.nesting.clone(),
        }),
        SourceKind::WebIdentity {
            role_arn,
            token_file,
            session_name,
            duration,
        } => Box::new(WebIdentity {
            profile: source.profile.clone(),
            endpoint: endpoint.clone(),
            role_arn: role_arn.clone(),
            token_file: token_file.clone(),
            session_name: session_name.clone(),
            duration: *duration,
        }),
        SourceKind::InstanceMetadata(base) => Box::new(InstanceMetadata {
            profile: source.profile.clone(),
            base: base.clone(),
        }),
        SourceKind::Container {
            url,
            token,
            token_file,
        } => Box::new(Container {
            profile: source.profile.clone(),
            url: url.clone(),
            token: token.clone(),
            token_file: token_file.clone(),
        }),
    }
}

/// The portal's role credentials, cached per Identity Center profile.
fn sso_provider(name: &str, role: &SsoRole, cache: &CacheDir) -> Box<dyn Provider> {
    let inner = Box::new(SsoProvider {
        login: role.login.clone(),
        assignment: role.assignment.clone(),
        lock_timeout: cache.lock_timeout(),
    });
    let Some(Slot {
        file,
        expect,
        lifetime,
    }) = sso_slot(name, role, cache)
    else {
        return inner;
    };
    Box::new(Cached::new(inner, cache, file, expect, lifetime))
}

/// The cache of the Identity Center profile `name`'s role credentials (none for a profile
/// that names no account and role: it gives no credentials).
fn sso_slot(name: &str, role: &SsoRole, cache: &CacheDir) -> Option<Slot> {
    let a = role.assignment.as_ref()?;
    Some(Slot {
        file: cache.sso(name),
        expect: Expect {
            key: Some(format!(
                "{}/{}@{}",
                a.account_id, a.role_name, role.login.start_url
            )),
            ..Expect::default()
        },
        lifetime: SSO_LIFETIME,
    })
}

/// The access key id of the keys at the chain's root, when they are known: a cache entry made
/// with other keys is not this profile's.
fn source_key_id(profile: &Profile) -> Option<String> {
    let credentials = profile.source.credentials()?;
    Some(credentials.access_key_id.clone())
}

/// `-s`, or a profile without a role: the session token is the result (or the source
/// credentials themselves, when they are already temporary and so cannot get one).
fn session_plan(
    profile: &Profile,
    endpoint: &Endpoint,
    cache: &CacheDir,
    long_term: Box<dyn Provider>,
    session_only: bool,
) -> Plan {
    let why = if session_only {
        "-s"
    } else {
        "the profile has no role_arn"
    };
    if profile
        .source
        .credentials()
        .is_none_or(Credentials::is_temporary)
    {
        return Plan {
            provider: long_term,
            reason: format!(
                "{why}, and the source credentials are already temporary: used as they are"
            ),
        };
    }
    Plan {
        provider: session_token(profile, endpoint, cache, long_term, false),
        reason: format!("{why}: the session token is the result"),
    }
}

/// GetSessionToken with the long-term keys, cached per source profile.
fn session_token(
    profile: &Profile,
    endpoint: &Endpoint,
    cache: &CacheDir,
    long_term: Box<dyn Provider>,
    want_caller: bool,
) -> Box<dyn Provider> {
    let inner = Box::new(SessionToken {
        signer: long_term,
        endpoint: endpoint.clone(),
        duration: profile.session_duration,
        mfa_serial: profile.mfa_serial.clone(),
        want_caller,
    });
    let expect = Expect {
        role_arn: None,
        external_id: None,
        mfa_serial: profile.mfa_serial.clone(),
        source_key_id: source_key_id(profile),
        key: None,
    };
    let file = cache.session_token(profile);
    Box::new(Cached::new(
        inner,
        cache,
        file,
        expect,
        profile.session_duration,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::files::Files;
    use crate::config::profile::{Overrides, Target};
    use crate::config::resolve::resolve;
    use crate::env::Env;
    use std::path::Path;

    fn cache() -> CacheDir {
        CacheDir::beside(Path::new("/h/.aws/config"), timeouts::LOCK)
    }

    /// The plan for `profile`; `flags` may hold `-s` (session only) and `-a <hours>h`.
    fn plan_for(flags: &[&str], profile: &str, env: &[(&str, &str)]) -> Plan {
        let profile = resolved(flags, profile, env);
        let endpoint = Endpoint {
            url: "http://127.0.0.1:1/".into(),
            signing_region: "us-east-1".into(),
        };
        plan(&profile, &endpoint, &cache(), flags.contains(&"-s"))
    }

    fn resolved(flags: &[&str], profile: &str, env: &[(&str, &str)]) -> Profile {
        let files = Files::sample();
        let mut overrides = Overrides::default();
        if let Some(i) = flags.iter().position(|f| *f == "-a") {
            let d = duration::parse(flags[i + 1]).unwrap();
            overrides.role_duration = Some(d);
        }
        let target = Target::parse(profile).unwrap();
        resolve(target, &overrides, &Env::from_pairs(env), &files).unwrap()
    }

    fn is_send<T: Send>(_: &T) {}

    #[test]
    fn default_role_goes_through_the_cached_session_token() {
        // The fixture's default gives 2h; ask for 1h.
        let p = plan_for(&["-a", "1h"], "admin", &[]);
        assert_eq!(
            p.provider.describe(),
            "Cached(AssumeRole(admin) <- Cached(SessionToken(43200s, MFA) <- LongTerm(dev)))"
        );
        assert!(p.reason.contains("MFA asked once"), "{}", p.reason);
        // The chain can be handed to another thread (a server renewing it).
        is_send(&p.provider);
        let files = cache().files_of(&resolved(&["-a", "1h"], "admin", &[]));
        assert_eq!(
            files.into_iter().map(|f| f.path).collect::<Vec<_>>(),
            [
                Path::new("/h/.aws/.aws_session_token_dev"),
                Path::new("/h/.aws/.aws_assume_role_admin")
            ]
        );
    }

    #[test]
    fn long_role_durations_assume_directly_with_mfa() {
        let p = plan_for(&["-a", "2h"], "admin", &[]);
        assert_eq!(
            p.provider.describe(),
            "Cached(AssumeRole(admin, MFA) <- LongTerm(dev))"
        );
        assert!(p.reason.contains("over 1h"), "{}", p.reason);
    }

    #[test]
    fn session_only_and_no_role() {
        let p = plan_for(&["-s"], "admin", &[]);
        assert_eq!(
            p.provider.describe(),
            "Cached(SessionToken(43200s, MFA) <- LongTerm(dev))"
        );
        let p = plan_for(&[], "keysonly", &[]);
        assert_eq!(
            p.provider.describe(),
            "Cached(SessionToken(43200s) <- LongTerm(keysonly))"
        );
        assert!(p.reason.contains("no role_arn"));
    }

    #[test]
    fn temporary_source_keys_assume_directly() {
        let env = [
            ("AWS_ACCESS_KEY_ID", "ASIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_SESSION_TOKEN", "t"),
        ];
        let p = plan_for(&["-a", "1h"], "fromenv", &env);
        assert_eq!(
            p.provider.describe(),
            "Cached(AssumeRole(admin) <- Environment(fromenv))"
        );
        assert!(p.reason.contains("temporary"));
        let p = plan_for(&["-s"], "fromenv", &env);
        assert_eq!(p.provider.describe(), "Environment(fromenv)");
    }

    #[test]
    fn a_role_on_an_aws_login_is_assumed_directly_without_mfa() {
        let files = Files::from_texts(
            "[profile signin]\nlogin_session = arn:aws:iam::111122223333:user/Admin\n\
             [profile admin]\nrole_arn = arn:aws:iam::111122223333:role/r\nsource_profile = signin\nmfa_serial = arn:aws:iam::111122223333:mfa/Admin\n",
            "",
        );
        let env = Env::from_pairs(&[("HOME", "/h")]);
        let endpoint = Endpoint {
            url: "http://127.0.0.1:1/".into(),
            signing_region: "us-east-1".into(),
        };
        let plan_of = |name: &str, session_only: bool| {
            let target = Target::parse(name).unwrap();
            let p = resolve(target, &Overrides::default(), &env, &files).unwrap();
            plan(&p, &endpoint, &cache(), session_only)
        };
        let p = plan_of("admin", false);
        assert_eq!(
            p.provider.describe(),
            "Cached(AssumeRole(r) <- Login(signin))"
        );
        assert!(p.reason.contains("no MFA code"), "{}", p.reason);
        assert_eq!(
            plan_of("signin", false).provider.describe(),
            "Login(signin)"
        );
        assert_eq!(plan_of("admin", true).provider.describe(), "Login(signin)");
    }

    #[test]
    fn chaining_through_the_session_token() {
        let p = plan_for(&[], "chained", &[]);
        assert_eq!(
            p.provider.describe(),
            "Cached(AssumeRole(chained) <- AssumeRole(admin) <- Cached(SessionToken(43200s, MFA) <- LongTerm(dev)))"
        );
        assert!(p.reason.contains("role chaining"));
    }

    #[test]
    fn role_arn_profiles_cache_by_account_and_role() {
        let arn = "arn:aws:iam::123456789012:role/x";
        let profile = resolved(&["-a", "1h"], arn, &[]);
        let wanted = Path::new("/h/.aws/.aws_assume_role_123456789012-x");
        assert!(cache().files_of(&profile).iter().any(|f| f.path == wanted));
    }

    #[test]
    fn the_caches_of_an_identity_center_chain_are_the_files_of_its_profile() {
        let files = Files::from_texts(
            "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
             [profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n\
             [profile via]\nrole_arn = arn:aws:iam::111122223333:role/r\nsource_profile = sso\n\
             [profile login-only]\nsso_session = corp\n",
            "",
        );
        let env = Env::from_pairs(&[("HOME", "/h")]);
        let profile = |name: &str| {
            let target = Target::parse(name).unwrap();
            resolve(target, &Overrides::default(), &env, &files).unwrap()
        };
        for name in ["sso", "via"] {
            let p = profile(name);
            let slots = sso_slots(&p, &cache());
            let slot_files: Vec<_> = slots.iter().map(|s| s.file.clone()).collect();
            assert_eq!(slot_files, cache().files_of(&p), "{name}");
            assert_eq!(
                slots[0].expect.key.as_deref(),
                Some("111122223333/Admin@https://corp.awsapps.com/start")
            );
        }
        let via = sso_slots(&profile("via"), &cache());
        assert_eq!(
            via[1].expect.role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/r")
        );
        // A profile with only a session gives no credentials, so caches none; IAM users' chains
        // are not described here.
        assert!(sso_slots(&profile("login-only"), &cache()).is_empty());
        assert!(sso_slots(&resolved(&[], "admin", &[]), &cache()).is_empty());
    }
}
