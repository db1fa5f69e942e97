//! `aws login` sessions as a profile declares them (`login_session = <ARN>`, SPEC §13): the
//! session's principal, and where the AWS CLI and the SDKs keep its credentials
//! (`$AWS_LOGIN_CACHE_DIRECTORY`, else `~/.aws/login/cache`). A profile that declares another
//! credential style beside it is refused, naming the key. The cache file itself is `creds`'s.

use std::path::PathBuf;

use super::error::ProfileError;
use super::files;
#[cfg(test)]
use super::files::Files;
use super::ini::Section;
use crate::aws::endpoint::{default_signin, valid_region};
use crate::env::Env;
use crate::log;

/// The key that declares a login session.
pub const KEY: &str = "login_session";

/// The keys of the other credential styles, which a profile with `login_session` may not have
/// (the CLI's `aws login` refuses such a profile too).
const OTHER_STYLES: [&str; 10] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "credential_process",
    "web_identity_token_file",
];

/// An `aws login` session a profile's credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSession {
    /// The session's principal, as `login_session` says (the cache file is named after it).
    pub arn: String,
    /// The directory of the CLI's and SDKs' login cache.
    pub cache_dir: PathBuf,
    /// The region a refresh goes to unless the cache file names one (`signInRegion`): the login
    /// profile's own `region`, else the run's (`config::endpoint::login` fills it in).
    pub region: Option<String>,
    /// AWS Sign-In's endpoint as the user configured it (`SIGNIN`), ending in `/`; none: AWS's
    /// for the region.
    pub endpoint: Option<String>,
}

/// The login session `section` (of `profile`) declares, if it declares one; a profile that
/// declares another credential style beside it is an error naming the key.
pub fn declared(
    env: &Env,
    profile: &str,
    section: &Section,
) -> Result<Option<LoginSession>, ProfileError> {
    let Some(arn) = section.get(KEY).map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Some(key) = OTHER_STYLES.iter().find(|k| section.get(k).is_some()) {
        return Err(ProfileError::LoginWith {
            name: profile.to_string(),
            key,
        });
    }
    Ok(Some(LoginSession {
        arn: arn.to_string(),
        cache_dir: cache_dir(env)?,
        region: section
            .get("region")
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string),
        endpoint: None,
    }))
}

impl LoginSession {
    /// Where a refresh of the session goes (SPEC §13): the configured Sign-In endpoint, else
    /// AWS's for the login's region: the cache file's `signInRegion` (`file_region`), else the
    /// login profile's own, else the run's. The error is one line about `profile`'s session.
    pub fn refresh_endpoint(
        &self,
        file_region: Option<&str>,
        profile: &str,
    ) -> Result<String, String> {
        if let Some(url) = &self.endpoint {
            return Ok(url.clone());
        }
        match file_region.or(self.region.as_deref()) {
            Some(r) if valid_region(r) => Ok(default_signin(r)),
            Some(r) => Err(format!(
                "'{}' is not a region to refresh the session in",
                log::escape(r)
            )),
            None => Err(format!(
                "no region to refresh the session in: set region in profile '{profile}'"
            )),
        }
    }
}

/// The key of another credential style `section` declares, which a login would sit beside:
/// what `--login` refuses to add `login_session` to (as `aws login` refuses such a profile).
pub fn other_style(section: &Section) -> Option<&'static str> {
    let role = ["role_arn", "source_profile", "credential_source"];
    OTHER_STYLES
        .into_iter()
        .chain(role)
        .find(|k| section.get(k).is_some())
}

/// `$AWS_LOGIN_CACHE_DIRECTORY` (variables and a leading `~` expanded, as botocore does), else
/// `~/.aws/login/cache`.
pub fn cache_dir(env: &Env) -> Result<PathBuf, ProfileError> {
    let dir = files::path_from(env, "AWS_LOGIN_CACHE_DIRECTORY", &["login", "cache"])?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> Section {
        let files = Files::from_texts(&format!("[profile p]\n{text}"), "");
        files.profile("p").unwrap()
    }

    #[test]
    fn a_session_and_its_cache_directory() {
        let env = Env::from_pairs(&[("HOME", "/h")]);
        let s = section("login_session = arn:aws:iam::123456789012:user/Admin\n");
        let login = declared(&env, "p", &s).unwrap().unwrap();
        assert_eq!(login.arn, "arn:aws:iam::123456789012:user/Admin");
        assert_eq!(login.cache_dir, PathBuf::from("/h/.aws/login/cache"));
        let env = Env::from_pairs(&[
            ("HOME", "/h"),
            ("X", "x"),
            ("AWS_LOGIN_CACHE_DIRECTORY", "~/$X/c"),
        ]);
        let login = declared(&env, "p", &s).unwrap().unwrap();
        assert_eq!(login.cache_dir, PathBuf::from("/h/x/c"));
        assert!(declared(&env, "p", &section("region = eu-west-1\n"))
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_refresh_goes_to_the_configured_endpoint_else_to_the_login_s_region() {
        let mut login = LoginSession {
            arn: "arn:aws:iam::1:user/A".into(),
            cache_dir: PathBuf::from("/c"),
            region: Some("eu-west-1".into()),
            endpoint: None,
        };
        let at = |l: &LoginSession, file: Option<&str>| l.refresh_endpoint(file, "p");
        assert_eq!(
            at(&login, None).unwrap(),
            "https://eu-west-1.signin.aws.amazon.com/"
        );
        assert_eq!(
            at(&login, Some("cn-north-1")).unwrap(),
            "https://cn-north-1.signin.amazonaws.cn/"
        );
        let bad = at(&login, Some("x.evil\u{1b}")).unwrap_err();
        assert!(
            bad.contains("not a region") && !bad.contains('\u{1b}'),
            "{bad}"
        );
        login.region = None;
        assert!(at(&login, None)
            .unwrap_err()
            .contains("set region in profile 'p'"));
        login.endpoint = Some("http://127.0.0.1:9/".into());
        assert_eq!(
            at(&login, Some("eu-west-1")).unwrap(),
            "http://127.0.0.1:9/"
        );
    }

    #[test]
    fn the_root_of_a_chain_is_where_a_session_is_looked_for() {
        use crate::config::profile::{Overrides, SourceKind, Target};
        use crate::config::resolve::resolve;
        let files = Files::from_texts(
            "[profile web]\nrole_arn = arn:aws:iam::111122223333:role/r\nweb_identity_token_file = /t\nlogin_session = arn:aws:iam::1:user/A\n\
             [profile env]\nrole_arn = arn:aws:iam::111122223333:role/r\ncredential_source = Environment\nlogin_session = arn:aws:iam::1:user/A\n\
             [profile keys]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n\
             [profile on-keys]\nrole_arn = arn:aws:iam::111122223333:role/r\nsource_profile = keys\n",
            "",
        );
        let env = Env::from_pairs(&[
            ("HOME", "/h"),
            ("AWS_ACCESS_KEY_ID", "AKIAE"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ]);
        let resolved = |name: &str| {
            resolve(
                Target::parse(name).unwrap(),
                &Overrides::default(),
                &env,
                &files,
            )
        };
        let e = resolved("web").unwrap_err().to_string();
        assert!(
            e.contains("login_session and web_identity_token_file"),
            "{e}"
        );
        // A role on credential_source takes its credentials from there.
        let p = resolved("env").unwrap();
        assert!(matches!(p.source.kind, SourceKind::Environment(_)));
        assert!(matches!(
            resolved("on-keys").unwrap().source.kind,
            SourceKind::File(_)
        ));
    }

    #[test]
    fn another_credential_style_beside_it_is_one_line_naming_profile_and_key() {
        let env = Env::from_pairs(&[("HOME", "/h")]);
        for key in OTHER_STYLES {
            let s = section(&format!(
                "login_session = arn:aws:iam::1:user/A\n{key} = x\n"
            ));
            let e = declared(&env, "p", &s).unwrap_err().to_string();
            assert!(
                e.starts_with("profile 'p' has both login_session and "),
                "{e}"
            );
            assert!(e.contains(key) && !e.contains('\n'), "{e}");
        }
    }
}
