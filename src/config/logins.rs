//! The IAM Identity Center logins of the configuration as a whole: whether a profile uses one
//! (the root of its `source_profile` chain declares one), which profiles and sso-sessions do
//! ([`users`], for the error that a profile does not), and every login the config declares
//! ([`all`], for `--sso-login --all` and `--sso-logout --all`). One login's settings are
//! `sso.rs`'s; the profiles that use a given login are `resolve::profiles_with_login`.

use super::chain::{self, RootKind};
use super::endpoint;
use super::error::ProfileError;
use super::files::Files;
use super::ini::{Entry, Section};
use super::profile::{Overrides, Profile, SourceKind, Target};
use super::resolve;
use super::searched::{closest, Users};
use super::sso::{self, Login, SsoError};
use crate::env::Env;

/// At most this many profiles are named in a message; the rest are counted.
const LISTED: usize = 5;

/// The profile at the root of `name`'s chain, when it declares an Identity Center login (as
/// `source::declared` reads it: before its keys). `name` itself when it declares one.
pub fn sso_root(files: &Files, name: &str) -> Option<String> {
    let chain = chain::follow(files, name).ok()?;
    if chain.root_kind != RootKind::Profile {
        return None;
    }
    let section = files.profile(&chain.root)?;
    sso::declared(&section).then_some(chain.root)
}

/// Whether the profile `name` uses IAM Identity Center: it declares a login, or a profile on its
/// `source_profile` chain does.
pub fn uses(files: &Files, name: &str) -> bool {
    sso_root(files, name).is_some()
}

/// Who in `files` uses IAM Identity Center, for the message that `asked` does not: the profiles
/// that do, the one closest to `asked` first, at most [`LISTED`] (the rest counted); else the
/// sso-sessions.
pub fn users(files: &Files, asked: &str) -> Users {
    let mut profiles: Vec<String> = files
        .profiles()
        .into_iter()
        // `Files::profiles` also lists the bare `[sso-session NAME]` sections.
        .filter(|p| !p.starts_with("sso-session ") && uses(files, p))
        .collect();
    if let Some(near) = closest(asked, &profiles).map(str::to_string) {
        profiles.retain(|p| *p != near);
        profiles.insert(0, near);
    }
    let more = profiles.len().saturating_sub(LISTED);
    profiles.truncate(LISTED);
    let sessions = if profiles.is_empty() {
        session_names(files)
    } else {
        Vec::new()
    };
    Users {
        profiles,
        more,
        sessions,
    }
}

/// The names of the config's `[sso-session NAME]` sections, in file order, each once.
pub fn session_names(files: &Files) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    // Exactly the sections `sso.rs` finds for `sso_session = NAME`.
    let found = files.config.sections.iter().filter_map(|s| {
        let name = s.name.strip_prefix("sso-session ")?;
        (!name.is_empty() && name.trim() == name).then_some(name)
    });
    for name in found {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// A login the config declares, and the profile it was read from: its endpoints (and the CA
/// bundle to reach them) are that profile's; none for an sso-session no profile names, whose
/// endpoints are the environment's, else AWS's.
#[derive(Debug)]
pub struct Declared {
    pub login: Login,
    pub profile: Option<Profile>,
}

/// Every login the config declares, each once: each `[sso-session]` in file order (as the first
/// profile by name that declares it reads it, else alone), then the legacy start URLs. A session
/// that cannot be read is its error; a profile that cannot be resolved declares nothing.
pub fn all(files: &Files, env: &Env) -> Vec<Result<Declared, ProfileError>> {
    let mut found: Vec<Declared> = Vec::new();
    for name in files.profiles() {
        if sso_root(files, &name).as_deref() != Some(name.as_str()) {
            continue;
        }
        let Ok(target) = Target::parse(&name) else {
            continue;
        };
        let Ok(profile) = resolve::resolve(target, &Overrides::default(), env, files) else {
            continue;
        };
        if let SourceKind::Sso(role) = &profile.source.kind {
            if !found.iter().any(|d| d.login.same_token(&role.login)) {
                let login = role.login.clone();
                found.push(Declared {
                    login,
                    profile: Some(profile),
                });
            }
        }
    }
    let mut all = Vec::new();
    for session in session_names(files) {
        let named = found
            .iter()
            .position(|d| d.login.session.as_deref() == Some(session.as_str()));
        all.push(match named {
            Some(i) => Ok(found.remove(i)),
            None => alone(files, env, &session),
        });
    }
    all.extend(found.into_iter().map(Ok));
    all
}

/// The login of an sso-session no profile names: as a profile naming only that session would have
/// it (its `profile` empty), with the environment's endpoints.
fn alone(files: &Files, env: &Env, session: &str) -> Result<Declared, ProfileError> {
    let only_the_session = Section {
        entries: vec![Entry {
            key: "sso_session".into(),
            value: session.to_string(),
            line: 0,
        }],
        ..Section::default()
    };
    let mut login = sso::login(files, env, "", &only_the_session).map_err(|e| match e {
        SsoError::Missing { keys, .. } => SsoError::SessionMissing {
            session: session.to_string(),
            keys,
        },
        other => other,
    })?;
    login.endpoints =
        endpoint::sso_endpoints(env, None, &login.endpoints).map_err(ProfileError::Endpoint)?;
    Ok(Declared {
        login,
        profile: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "[default]\nregion = eu-west-1\n\n\
        [profile sso-admin]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n\n\
        [profile sso-dev]\nsso_start_url = https://dev.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111122223333\nsso_role_name = Dev\n\n\
        [profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/deploy\nsource_profile = sso-admin\n\n\
        [profile keys]\nrole_arn = arn:aws:iam::111122223333:role/k\nsource_profile = default\n\n\
        [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";

    #[test]
    fn a_role_on_an_identity_center_source_uses_it_and_one_on_keys_does_not() {
        let files = Files::from_texts(
            CONFIG,
            "[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
        );
        for (name, root) in [
            ("sso-admin", Some("sso-admin")),
            ("sso-dev", Some("sso-dev")),
            ("deploy", Some("sso-admin")),
            ("keys", None),
            ("default", None),
            ("missing", None),
        ] {
            assert_eq!(sso_root(&files, name).as_deref(), root, "{name}");
        }
    }

    #[test]
    fn the_message_names_who_uses_a_login_the_closest_first_and_bounded() {
        let files = Files::from_texts(CONFIG, "");
        let found = users(&files, "default");
        assert_eq!(found.profiles, ["deploy", "sso-admin", "sso-dev"]);
        assert_eq!(found.to_string(), "; these do: deploy, sso-admin, sso-dev");
        assert_eq!(users(&files, "sso-dev2").profiles[0], "sso-dev");
        let many: String = (0..8)
            .map(|i| format!("[profile p{i}]\nsso_session = corp\n"))
            .collect();
        let files = Files::from_texts(&many, "");
        let found = users(&files, "default");
        assert_eq!(found.profiles.len(), LISTED);
        assert!(found.to_string().ends_with("p4 (and 3 more)"), "{found}");
        // No profile uses one: the sessions, else the keys to set.
        let files = Files::from_texts(
            "[default]\n[sso-session corp]\n[sso-session x]\n[sso-sessionx]\n[sso-session corp]\n",
            "",
        );
        assert_eq!(session_names(&files), ["corp", "x"]);
        assert!(users(&files, "default")
            .to_string()
            .contains("sso-session 'corp', 'x'"));
        let files = Files::from_texts("[default]\n", "");
        assert!(users(&files, "default")
            .to_string()
            .contains("no sso_session"));
    }

    #[test]
    fn every_login_of_the_config_once_sessions_first_in_file_order() {
        let config = format!(
            "{CONFIG}\n[sso-session lone]\nsso_start_url = https://lone.awsapps.com/start\nsso_region = us-east-1\n\
             [sso-session broken]\nsso_region = us-east-1\n\
             [profile sso-admin2]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Other\n"
        );
        let files = Files::from_texts(&config, "");
        let env = Env::from_pairs(&[
            ("HOME", "/h"),
            ("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9"),
        ]);
        let all = all(&files, &env);
        let seen: Vec<String> = all
            .iter()
            .map(|r| match r {
                Ok(d) => format!(
                    "{} by {:?}",
                    d.login.label(),
                    d.profile.as_ref().map(Profile::name)
                ),
                Err(e) => e.to_string(),
            })
            .collect();
        assert_eq!(
            seen,
            [
                "sso-session 'corp' by Some(\"sso-admin\")",
                "sso-session 'lone' by None",
                "[sso-session broken] sets no sso_start_url",
                "start URL https://dev.awsapps.com/start by Some(\"sso-dev\")",
            ]
        );
        // Each with the environment's endpoint, a session no profile names too.
        for d in all.iter().flatten() {
            assert_eq!(
                d.login.endpoints.portal,
                "http://127.0.0.1:9/",
                "{}",
                d.login.label()
            );
        }
    }

    #[test]
    fn a_session_alone_is_a_login_with_no_profile_and_its_own_errors() {
        let env = Env::from_pairs(&[("HOME", "/h")]);
        let session = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
        let login = alone(&Files::from_texts(session, ""), &env, "corp")
            .unwrap()
            .login;
        assert_eq!((login.profile.as_str(), login.cache_key()), ("", "corp"));
        assert_eq!(login.region, "eu-west-1");
        assert_eq!(login.scopes, vec![sso::DEFAULT_SCOPE.to_string()]);
        let half = Files::from_texts("[sso-session half]\nsso_region = eu-west-1\n", "");
        let e = alone(&half, &env, "half").unwrap_err();
        assert_eq!(e.to_string(), "[sso-session half] sets no sso_start_url");
        let bad = "[sso-session bad]\nsso_start_url = https://x\nsso_region = eu west\n";
        let e = alone(&Files::from_texts(bad, ""), &env, "bad")
            .unwrap_err()
            .to_string();
        assert!(e.contains("in [sso-session bad]"), "{e}");
    }
}
