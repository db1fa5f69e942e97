//! `-l` and `-c` for an IAM Identity Center profile: every account and role the login reaches
//! (ListAccounts, ListAccountRoles), the pairs `--filter` keeps, listed by account name, then
//! role, or handed to `sso_config.rs` for `-c`'s sections. The login itself is `creds::sso`'s;
//! `roles.rs` sends an Identity Center profile here.
//!
//! The portal's names are data: `-l` prints them with control characters escaped (what `-c`
//! makes of them is `sso_config.rs`'s).

use std::fmt::Write as _;

use super::sso_config::{self, Access, Asked};
use crate::aws::sso as portal;
use crate::config::sso::Login;
use crate::creds;
use crate::error::Error;
use crate::glob::Glob;
use crate::log;
use crate::name_format::NameFormat;
use crate::session::Session;

/// What `-l`/`-c` are asked for, from the flags.
pub struct Wanted<'a> {
    /// `-c` (else `-l`).
    pub config: bool,
    /// `--filter`.
    pub filter: Option<&'a Glob>,
    /// `--profile-name` (else its default).
    pub format: &'a NameFormat,
    /// `--region`, each once (none: the profile's region).
    pub regions: &'a [String],
}

/// `-l` or `-c` for an Identity Center profile, as `wanted`.
pub fn discover(session: &Session, login: &Login, wanted: &Wanted<'_>) -> Result<i32, Error> {
    let lock_timeout = session.cache.lock_timeout();
    let person = session.person();
    let token = creds::sso::current(login, &session.agent, &person, lock_timeout)?;
    let bearer = token.access_token();
    let portal_url = &login.endpoints.portal;
    let mut reached = Vec::new();
    for account in portal::accounts(&session.agent, portal_url, &bearer)? {
        let roles = portal::account_roles(&session.agent, portal_url, &bearer, &account.id)?;
        reached.push(Access { account, roles });
    }
    if let Some(glob) = wanted.filter {
        reached = kept(reached, glob);
        if reached.is_empty() {
            super::nothing_matches(glob);
            return super::print("");
        }
    }
    if !wanted.config {
        return super::print(&list(&reached));
    }
    let asked = Asked {
        format: wanted.format,
        regions: match wanted.regions {
            [] => {
                let region = session.profile.region.as_deref().unwrap_or(&login.region);
                vec![region.to_string()]
            }
            given => given.to_vec(),
        },
        given: !wanted.regions.is_empty(),
    };
    super::print(&sso_config::sections(
        &session.files,
        login,
        &reached,
        &asked,
    ))
}

/// `--filter`: of each account, every role when `glob` matches the account's id or name, else
/// the roles whose name it matches; an account with no role left is left out.
fn kept(reached: Vec<Access>, glob: &Glob) -> Vec<Access> {
    reached
        .into_iter()
        .filter_map(|Access { account, mut roles }| {
            if !glob.matches(&account.id) && !glob.matches(&account.name) {
                roles.retain(|role| glob.matches(role));
            }
            (!roles.is_empty()).then_some(Access { account, roles })
        })
        .collect()
}

/// `-l`: `<account id>  <account name>  <role name>` a line, by account name (in any case, then
/// id), then role; each name with its control characters escaped: a name cannot add a line, or
/// reach the terminal as an escape sequence.
fn list(reached: &[Access]) -> String {
    let mut lines: Vec<(&str, &str, &str)> = reached
        .iter()
        .flat_map(|Access { account, roles }| {
            roles
                .iter()
                .map(|role| (account.name.as_str(), account.id.as_str(), role.as_str()))
        })
        .collect();
    lines.sort_by_cached_key(|&(name, id, role)| (name.to_lowercase(), name, id, role));
    let mut text = String::new();
    for (name, id, role) in lines {
        let (id, name, role) = (log::escape(id), log::escape(name), log::escape(role));
        let _ = writeln!(text, "{id}  {name}  {role}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(id: &str, name: &str, roles: &[&str]) -> Access {
        Access::sample(id, name, roles)
    }

    #[test]
    fn the_list_escapes_control_characters() {
        let reached = [
            access("123456789012", "sandbox", &["Admin", "Read"]),
            access("1\n2", "a\u{1b}[2J", &["R\r"]),
        ];
        assert_eq!(
            list(&reached),
            "1\\n2  a\\x1b[2J  R\\r\n123456789012  sandbox  Admin\n123456789012  sandbox  Read\n"
        );
    }

    #[test]
    fn the_list_is_by_account_name_then_role() {
        let reached = [
            access("333333333333", "prod", &["Read", "Admin"]),
            access("111111111111", "dev", &["Read"]),
            access("222222222222", "prod", &["Deploy"]),
            access("444444444444", "Data", &["Read"]),
        ];
        assert_eq!(
            list(&reached),
            "444444444444  Data  Read\n111111111111  dev  Read\n222222222222  prod  Deploy\n\
             333333333333  prod  Admin\n333333333333  prod  Read\n"
        );
    }

    #[test]
    fn the_filter_keeps_an_account_it_matches_whole_else_the_roles_it_matches() {
        let reached = || {
            vec![
                access(
                    "123456789012",
                    "Sandbox",
                    &["AdministratorAccess", "ReadOnlyAccess"],
                ),
                access("210987654321", "prod", &["ReadOnlyAccess", "Deploy"]),
            ]
        };
        let kept = |glob: &str| -> Vec<(String, Vec<String>)> {
            kept(reached(), &Glob::parse(glob).unwrap())
                .into_iter()
                .map(|a| (a.account.id, a.roles))
                .collect()
        };
        let pair = |id: &str, roles: &[&str]| {
            (
                id.to_string(),
                roles.iter().map(|r| r.to_string()).collect(),
            )
        };
        assert_eq!(
            kept("sandbox"),
            [pair(
                "123456789012",
                &["AdministratorAccess", "ReadOnlyAccess"]
            )]
        );
        assert_eq!(
            kept("2109*"),
            [pair("210987654321", &["ReadOnlyAccess", "Deploy"])]
        );
        assert_eq!(
            kept("*only*"),
            [
                pair("123456789012", &["ReadOnlyAccess"]),
                pair("210987654321", &["ReadOnlyAccess"])
            ]
        );
        assert_eq!(kept("DEPLOY"), [pair("210987654321", &["Deploy"])]);
        assert!(kept("nothing").is_empty());
    }
}
