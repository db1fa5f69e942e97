//! `-l` and `-c` for an IAM Identity Center profile: every account and role the login reaches
//! (ListAccounts, ListAccountRoles), listed, or written as ready-to-paste profiles for the pairs
//! the config does not have yet. The login itself is `creds::sso`'s; `roles.rs` sends an
//! Identity Center profile here.
//!
//! The portal's names are data: `-l` prints them with control characters escaped.

use std::fmt::Write as _;

use crate::aws::sso as portal;
use crate::config::sso::Login;
use crate::creds;
use crate::error::Error;
use crate::log;
use crate::names;
use crate::session::Session;

/// An account the login reaches, and the roles it may take there, as the portal names them.
struct Access {
    account: portal::Account,
    roles: Vec<String>,
}

/// `-l` (or with `config`, `-c`) for an Identity Center profile.
pub fn discover(session: &Session, login: &Login, config: bool) -> Result<i32, Error> {
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
    let text = match config {
        false => list(&reached),
        true => sections(session, login, &reached),
    };
    super::print(&text)
}

/// `-l`: `<account id>  <account name>  <role name>` a line, each name with its control
/// characters escaped: a name cannot add a line, or reach the terminal as an escape sequence.
fn list(reached: &[Access]) -> String {
    let mut text = String::new();
    for Access { account, roles } in reached {
        let (id, name) = (log::escape(&account.id), log::escape(&account.name));
        for role in roles {
            let _ = writeln!(text, "{id}  {name}  {}", log::escape(role));
        }
    }
    text
}

/// `-c`: a `[profile <account name>.<role name>]` section for each pair no profile of this login
/// has yet.
fn sections(session: &Session, login: &Login, reached: &[Access]) -> String {
    let configured: Vec<(String, String)> = session
        .files
        .profiles()
        .into_iter()
        .filter_map(|name| {
            let s = session.files.profile(&name)?;
            let account = s.get("sso_account_id")?.to_string();
            Some((account, s.get("sso_role_name")?.to_string()))
        })
        .collect();
    let region = session.profile.region.as_deref().unwrap_or(&login.region);
    let mut text = String::new();
    let pairs = reached
        .iter()
        .flat_map(|a| a.roles.iter().map(move |role| (&a.account, role)));
    for (account, role) in pairs {
        if configured
            .iter()
            .any(|(a, r)| *a == account.id && r == role)
        {
            continue;
        }
        let label = if account.name.is_empty() {
            &account.id
        } else {
            &account.name
        };
        let allowed = |c: char| !c.is_whitespace() && !"[]#;".contains(c);
        let name = names::sanitize(&format!("{label}.{role}"), allowed, Some('-'));
        let _ = writeln!(text, "[profile {name}]");
        match &login.session {
            Some(s) => {
                let _ = writeln!(text, "sso_session = {s}");
            }
            None => {
                let _ = writeln!(
                    text,
                    "sso_start_url = {}\nsso_region = {}",
                    login.start_url, login.region
                );
            }
        }
        let _ = writeln!(
            text,
            "sso_account_id = {}\nsso_role_name = {role}\nregion = {region}\n",
            account.id
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(id: &str, name: &str, roles: &[&str]) -> Access {
        Access {
            account: portal::Account {
                id: id.into(),
                name: name.into(),
            },
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn the_list_escapes_control_characters() {
        let reached = [
            access("123456789012", "sandbox", &["Admin", "Read"]),
            access("1\n2", "a\u{1b}[2J", &["R\r"]),
        ];
        assert_eq!(
            list(&reached),
            "123456789012  sandbox  Admin\n123456789012  sandbox  Read\n1\\n2  a\\u{1b}[2J  R\\r\n"
        );
    }
}
