//! `-D` for a profile whose credentials come from IAM Identity Center (itself, or the source of
//! its role): the login's token, as a check; the login's settings and the account and role,
//! each with where it was read, as rows of the resolved profile (in place of an IAM user's
//! session token lines). Never a token, a refresh token or a secret.

use super::report::{Level, Report};
use crate::config::files::Files;
use crate::config::profile::{Profile, Target};
use crate::config::sso::{self, SetIn, SsoRole};

/// The login's token: when it expires, whether it can be refreshed. As found: before `-D`
/// fetches anything itself.
pub fn check(role: &SsoRole, r: &mut Report) {
    let token = crate::modes::sso::token_state(&role.login);
    let level = if token.usable { Level::Ok } else { Level::Warn };
    r.line(level, format_args!("{}", token.line));
}

/// The rows of the login and the role: `SSO SESSION` (or, for a legacy profile, a note that its
/// start URL names the login), `SSO START URL`, `SSO REGION`, `SSO ACCOUNT ID`, `SSO ROLE NAME`.
pub fn rows(profile: &Profile, role: &SsoRole, files: &Files) -> Vec<(&'static str, String)> {
    let login = &role.login;
    // The profile that declared the login, as the other rows name a profile: the user's own, or
    // a source profile.
    let declared_by = match &profile.target {
        Target::Profile(name) if *name == login.profile => format!("profile '{name}'"),
        _ => format!("source profile '{}'", login.profile),
    };
    let with_origin = |value: &str, key: &str| match sso::set_in(files, login, key) {
        Some(SetIn::Profile) => format!("{value} (from {declared_by})"),
        Some(SetIn::Session) => format!(
            "{value} (from [sso-session {}])",
            login.session.as_deref().unwrap_or_default()
        ),
        None => value.to_string(),
    };
    let session = match &login.session {
        Some(name) => with_origin(name, "sso_session"),
        None => "(not set: a legacy profile; its start URL names the login)".to_string(),
    };
    let unset = || "(not set)".to_string();
    let assignment = role.assignment.as_ref();
    vec![
        ("SSO SESSION", session),
        (
            "SSO START URL",
            with_origin(&login.start_url, "sso_start_url"),
        ),
        ("SSO REGION", with_origin(&login.region, "sso_region")),
        (
            "SSO ACCOUNT ID",
            assignment.map_or_else(unset, |a| with_origin(&a.account_id, "sso_account_id")),
        ),
        (
            "SSO ROLE NAME",
            assignment.map_or_else(unset, |a| with_origin(&a.role_name, "sso_role_name")),
        ),
    ]
}
