//! IAM Identity Center settings, read as botocore reads them: a profile's `sso_session` (and its
//! `[sso-session NAME]` section: `sso_start_url`, `sso_region`, `sso_registration_scopes`), or
//! the legacy `sso_start_url` + `sso_region` on the profile itself; then `sso_account_id` and
//! `sso_role_name` for its role credentials. [`Login`] is what a login is for (and where its
//! token lives); [`SsoRole`] adds the account and role. Reads no token: `creds::sso` does.

use std::fmt;
use std::path::PathBuf;

use super::files::Files;
use super::ini::Section;
use crate::aws::endpoint::valid_region;
use crate::env::Env;

/// The keys that make a profile an Identity Center profile (as botocore: any of them).
pub const KEYS: [&str; 5] = [
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
];

/// The scope a login asks for when the session names none (the CLI's default).
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// What a login is for: one Identity Center session (named), or a legacy profile's start URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The profile that declared it (empty for an sso-session no profile names, logged in to by
    /// `--sso-login --all`).
    pub profile: String,
    /// The `sso_session` name; none for a legacy profile.
    pub session: Option<String>,
    pub start_url: String,
    /// The Identity Center region (its OIDC and portal endpoints).
    pub region: String,
    /// `sso_registration_scopes`; empty for a legacy profile.
    pub scopes: Vec<String>,
    /// Where the CLI and the SDKs keep the tokens: `~/.aws/sso/cache`.
    pub cache_dir: PathBuf,
    /// The OIDC service and portal: configured ones, else AWS's for the region.
    pub endpoints: Endpoints,
}

impl Login {
    /// A login for unit tests.
    #[cfg(test)]
    pub fn sample() -> Login {
        Login {
            profile: "sso".into(),
            session: Some("corp".into()),
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            scopes: vec![DEFAULT_SCOPE.into()],
            cache_dir: PathBuf::from("/nonexistent/.aws/sso/cache"),
            endpoints: Endpoints::default_for("eu-west-1"),
        }
    }

    /// What the token file is named after: the session's name, or a legacy profile's start URL.
    pub fn cache_key(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }

    /// Whether `other` uses the same token as this login: the same token file.
    pub fn same_token(&self, other: &Login) -> bool {
        self.cache_key() == other.cache_key() && self.cache_dir == other.cache_dir
    }

    /// `session 'NAME'`, or `start URL 'URL'` for a legacy profile: in messages.
    pub fn label(&self) -> String {
        match &self.session {
            Some(name) => format!("sso-session '{name}'"),
            None => format!("start URL {}", self.start_url),
        }
    }
}

/// A profile's Identity Center role: the login, and the account and permission set's role it
/// gives credentials for (none for a profile that only names a session: it can log in, but
/// gives no credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRole {
    pub login: Login,
    pub assignment: Option<Assignment>,
}

/// An account and a role in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub account_id: String,
    pub role_name: String,
}

/// The Identity Center endpoints (base URLs ending in `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub oidc: String,
    pub portal: String,
}

impl Endpoints {
    /// AWS's endpoints for `region`.
    pub fn default_for(region: &str) -> Endpoints {
        let suffix = if region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        Endpoints {
            oidc: format!("https://oidc.{region}.{suffix}/"),
            portal: format!("https://portal.sso.{region}.{suffix}/"),
        }
    }
}

/// Why a profile's Identity Center settings cannot be used; one line naming profile, session
/// and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoError {
    /// `sso_session = NAME` without a `[sso-session NAME]` section.
    NoSession { profile: String, session: String },
    /// Required keys missing, looked for in the profile (and its session, if it names one).
    Missing {
        profile: String,
        session: Option<String>,
        keys: Vec<&'static str>,
    },
    /// Required keys missing in an sso-session no profile names (`--sso-login --all`).
    SessionMissing {
        session: String,
        keys: Vec<&'static str>,
    },
    /// A key set both on the profile and in its session, differently.
    Conflict {
        profile: String,
        session: String,
        key: &'static str,
        own: String,
        theirs: String,
    },
    /// No profile of the chain uses Identity Center (`--sso-login`, `--sso-logout`); `users`:
    /// who does.
    NotSso {
        profile: String,
        users: super::searched::Users,
    },
    /// `HOME` is unset: there is no `~/.aws/sso/cache`.
    NoHome,
    /// `--sso-login --all` with no `[sso-session]` in the config file (its path).
    NoSessions { config: PathBuf },
    /// An `sso_region` that is no region name, and where it was set.
    BadRegion { region: String, origin: String },
}

impl fmt::Display for SsoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SsoError::NoSession { profile, session } => write!(
                f,
                "profile '{profile}' names sso_session '{session}', but the config file has no [sso-session {session}] section"
            ),
            SsoError::Missing { profile, session, keys } => write!(
                f,
                "profile '{profile}' uses IAM Identity Center but sets no {}{}",
                keys.join(", "),
                session.as_ref().map_or(String::new(), |s| format!(" (in it or in [sso-session {s}])"))
            ),
            SsoError::SessionMissing { session, keys } => {
                write!(f, "[sso-session {session}] sets no {}", keys.join(", "))
            }
            SsoError::Conflict { profile, session, key, own, theirs } => write!(
                f,
                "{key} is '{own}' in profile '{profile}' but '{theirs}' in [sso-session {session}]: remove it from the profile"
            ),
            SsoError::NotSso { profile, users } => {
                write!(f, "profile '{profile}' does not use IAM Identity Center{users}")
            }
            SsoError::NoHome => write!(f, "HOME is not set, so there is no ~/.aws/sso/cache for the login"),
            SsoError::NoSessions { config } => write!(
                f,
                "{} has no [sso-session NAME] section to log in to (a legacy profile's login: --sso-login PROFILE)",
                config.display()
            ),
            SsoError::BadRegion { region, origin } => write!(
                f,
                "sso_region '{}' in {origin} is not a region name: a region name is letters, digits and hyphens, e.g. eu-west-1",
                crate::log::escape(region)
            ),
        }
    }
}

impl std::error::Error for SsoError {}

/// Whether `section` makes its profile an Identity Center profile.
pub fn declared(section: &Section) -> bool {
    KEYS.iter().any(|k| section.get(k).is_some())
}

/// The login `profile` (whose section is `section`) is for.
pub fn login(
    files: &Files,
    env: &Env,
    profile: &str,
    section: &Section,
) -> Result<Login, SsoError> {
    let mut values: Vec<(&'static str, String)> = ["sso_start_url", "sso_region"]
        .into_iter()
        .filter_map(|k| section.get(k).map(|v| (k, v.to_string())))
        .collect();
    let session = section.get("sso_session").map(str::to_string);
    let mut scopes = Vec::new();
    if let Some(name) = &session {
        let theirs = files
            .config
            .section(&format!("sso-session {name}"))
            .ok_or_else(|| SsoError::NoSession {
                profile: profile.to_string(),
                session: name.clone(),
            })?;
        merge(&mut values, &theirs, profile, name)?;
        scopes = split_scopes(
            theirs
                .get("sso_registration_scopes")
                .unwrap_or(DEFAULT_SCOPE),
        );
    }
    let get = |k: &str| {
        values
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.clone())
    };
    let (start_url, region) = match (get("sso_start_url"), get("sso_region")) {
        (Some(url), Some(region)) => (url, region),
        (url, region) => {
            return Err(SsoError::Missing {
                profile: profile.to_string(),
                session,
                keys: unset(&[("sso_start_url", url), ("sso_region", region)]),
            })
        }
    };
    check_region(&region, profile, section)?;
    Ok(Login {
        profile: profile.to_string(),
        session,
        start_url,
        scopes,
        cache_dir: cache_dir(env)?,
        endpoints: Endpoints::default_for(&region),
        region,
    })
}

/// Where the CLI and the SDKs keep the logins' tokens: `~/.aws/sso/cache`.
pub fn cache_dir(env: &Env) -> Result<PathBuf, SsoError> {
    let home = env.home().ok_or(SsoError::NoHome)?;
    Ok(home.join(".aws").join("sso").join("cache"))
}

/// `region` (the `sso_region` of `profile`, whose section is `section`, or of its session) must
/// be a region name: it becomes part of the OIDC and portal host names, and a region never
/// chooses a host.
fn check_region(region: &str, profile: &str, section: &Section) -> Result<(), SsoError> {
    if valid_region(region) {
        return Ok(());
    }
    let origin = match (section.get("sso_session"), section.get("sso_region")) {
        (Some(name), None) => format!("[sso-session {name}]"),
        _ => format!("profile '{profile}'"),
    };
    Err(SsoError::BadRegion {
        region: region.to_string(),
        origin,
    })
}

/// The keys of `pairs` whose value is missing.
fn unset<T>(pairs: &[(&'static str, Option<T>)]) -> Vec<&'static str> {
    pairs
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| *k)
        .collect()
}

/// `sso_registration_scopes`: a comma-separated list.
fn split_scopes(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The session's keys over the profile's: a key set in both must agree (as botocore checks).
fn merge(
    values: &mut Vec<(&'static str, String)>,
    theirs: &Section,
    profile: &str,
    session: &str,
) -> Result<(), SsoError> {
    for key in ["sso_start_url", "sso_region"] {
        let Some(value) = theirs.get(key) else {
            continue;
        };
        match values.iter().find(|(k, _)| *k == key) {
            Some((_, own)) if own != value => {
                return Err(SsoError::Conflict {
                    profile: profile.to_string(),
                    session: session.to_string(),
                    key,
                    own: own.clone(),
                    theirs: value.to_string(),
                })
            }
            Some(_) => {}
            None => values.push((key, value.to_string())),
        }
    }
    Ok(())
}

/// Where a setting of a login was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetIn {
    /// The section of the profile that declared the login.
    Profile,
    /// The `[sso-session NAME]` it names.
    Session,
}

/// Where `key` of `login` was read (`-D` says it beside the value): the profile's own value
/// wins (a session's may only agree with it, see `merge`), else its session's; none when
/// neither sets it.
pub fn set_in(files: &Files, login: &Login, key: &str) -> Option<SetIn> {
    if files
        .profile(&login.profile)
        .is_some_and(|s| s.get(key).is_some())
    {
        return Some(SetIn::Profile);
    }
    let name = login.session.as_ref()?;
    let session = files.config.section(&format!("sso-session {name}"))?;
    session.get(key).map(|_| SetIn::Session)
}

/// The Identity Center role `profile` declares: its login, account and role.
pub fn role(
    files: &Files,
    env: &Env,
    profile: &str,
    section: &Section,
) -> Result<SsoRole, SsoError> {
    let account = section.get("sso_account_id");
    let role = section.get("sso_role_name");
    let login = login(files, env, profile, section);
    if account.is_none() && role.is_none() && section.get("sso_session").is_some() {
        // Only a session: a profile to log in with.
        return Ok(SsoRole {
            login: login?,
            assignment: None,
        });
    }
    let (Some(account), Some(role)) = (account, role) else {
        let mut keys = unset(&[("sso_account_id", account), ("sso_role_name", role)]);
        // Everything missing at once, as botocore lists it.
        if let Err(SsoError::Missing { keys: more, .. }) = &login {
            keys.splice(0..0, more.iter().copied());
        }
        return Err(SsoError::Missing {
            profile: profile.to_string(),
            session: section.get("sso_session").map(str::to_string),
            keys,
        });
    };
    Ok(SsoRole {
        login: login?,
        assignment: Some(Assignment {
            account_id: account.to_string(),
            role_name: role.to_string(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn files(config: &str) -> Files {
        Files {
            config: crate::config::ini::parse(config, Path::new("config")).unwrap(),
            credentials: crate::config::ini::parse("", Path::new("credentials")).unwrap(),
        }
    }

    fn role_of(config: &str, profile: &str) -> Result<SsoRole, SsoError> {
        let files = files(config);
        let section = files.profile(profile).unwrap();
        let env = Env::from_pairs(&[("HOME", "/h")]);
        role(&files, &env, profile, &section)
    }

    const SESSION: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";

    #[test]
    fn a_session_profile_takes_the_session_s_url_region_and_default_scope() {
        let config = format!("{SESSION}[profile a]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n");
        let r = role_of(&config, "a").unwrap();
        assert_eq!(r.login.start_url, "https://corp.awsapps.com/start");
        assert_eq!(r.login.region, "eu-west-1");
        assert_eq!(r.login.scopes, vec![DEFAULT_SCOPE.to_string()]);
        assert_eq!(r.login.cache_key(), "corp");
        assert_eq!(r.login.cache_dir, Path::new("/h/.aws/sso/cache"));
        let a = r.assignment.unwrap();
        assert_eq!(
            (a.account_id.as_str(), a.role_name.as_str()),
            ("111122223333", "Admin")
        );
        assert_eq!(
            r.login.endpoints.portal,
            "https://portal.sso.eu-west-1.amazonaws.com/"
        );
    }

    #[test]
    fn each_setting_is_said_to_be_read_where_its_value_came_from() {
        let config = format!("{SESSION}[profile a]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n\
            [profile l]\nsso_start_url = https://x/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n");
        let files = files(&config);
        let login = role_of(&config, "a").unwrap().login;
        let set_in = |key| set_in(&files, &login, key);
        // Set in both, the same: the profile's.
        assert_eq!(set_in("sso_region"), Some(SetIn::Profile));
        assert_eq!(set_in("sso_start_url"), Some(SetIn::Session));
        assert_eq!(set_in("sso_account_id"), Some(SetIn::Profile));
        assert_eq!(set_in("sso_registration_scopes"), None);
        let legacy = role_of(&config, "l").unwrap().login;
        assert_eq!(
            super::set_in(&files, &legacy, "sso_start_url"),
            Some(SetIn::Profile)
        );
        assert_eq!(super::set_in(&files, &legacy, "sso_session"), None);
    }

    #[test]
    fn a_legacy_profile_is_keyed_by_its_start_url() {
        let config = "[profile l]\nsso_start_url = https://x/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n";
        let r = role_of(config, "l").unwrap();
        assert_eq!(r.login.session, None);
        assert_eq!(r.login.cache_key(), "https://x/start");
        assert!(r.login.scopes.is_empty());
    }

    #[test]
    fn each_incomplete_or_conflicting_combination_is_one_line_naming_profile_session_and_key() {
        let cases = [
            ("[profile a]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n",
             "profile 'a' names sso_session 'nope', but the config file has no [sso-session nope] section"),
            ("[profile a]\nsso_account_id = 1\n",
             "profile 'a' uses IAM Identity Center but sets no sso_start_url, sso_region, sso_role_name"),
            ("[sso-session corp]\nsso_region = eu-west-1\n[profile a]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n",
             "profile 'a' uses IAM Identity Center but sets no sso_start_url (in it or in [sso-session corp])"),
            (&format!("{SESSION}[profile a]\nsso_session = corp\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n"),
             "sso_region is 'us-east-1' in profile 'a' but 'eu-west-1' in [sso-session corp]: remove it from the profile"),
        ];
        for (config, want) in cases {
            let got = role_of(config, "a").unwrap_err().to_string();
            assert_eq!(got, want);
            assert!(!got.contains('\n'));
        }
    }

    #[test]
    fn a_region_that_is_no_region_name_chooses_no_host() {
        let session = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = evil.example/\n[profile a]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n";
        assert_eq!(
            role_of(session, "a").unwrap_err().to_string(),
            "sso_region 'evil.example/' in [sso-session corp] is not a region name: a region name is letters, digits and hyphens, e.g. eu-west-1"
        );
        let legacy = "[profile a]\nsso_start_url = https://x/start\nsso_region = eu-west-1#\x1b[31m\nsso_account_id = 1\nsso_role_name = R\n";
        let error = role_of(legacy, "a").unwrap_err().to_string();
        assert!(
            error.starts_with("sso_region 'eu-west-1#\\x1b[31m' in profile 'a' "),
            "{error}"
        );
    }
}
