//! `-l` and `-c` for an IAM Identity Center profile: every account and role the login reaches
//! (ListAccounts, ListAccountRoles), listed, or written as ready-to-paste profiles for the pairs
//! the config does not have yet. The login itself is `creds::sso`'s; `roles.rs` sends an
//! Identity Center profile here.

use std::fmt::Write as _;

use crate::aws::sso as portal;
use crate::config::sso::Login;
use crate::creds;
use crate::error::Error;
use crate::names;
use crate::session::Session;

/// `-l` (or with `config`, `-c`) for an Identity Center profile.
pub fn discover(session: &Session, login: &Login, config: bool) -> Result<i32, Error> {
    let lock_timeout = session.cache.lock_timeout();
    let person = session.person();
    let token = creds::sso::current(login, &session.agent, &person, lock_timeout)?;
    let bearer = token.access_token();
    let portal_url = &login.endpoints.portal;
    let mut pairs = Vec::new();
    for account in portal::accounts(&session.agent, portal_url, &bearer)? {
        for role in portal::account_roles(&session.agent, portal_url, &bearer, &account.id)? {
            pairs.push((account.clone(), role));
        }
    }
    let text = match config {
        false => pairs
            .iter()
            .fold(String::new(), |mut text, (account, role)| {
                let _ = writeln!(text, "{}  {}  {role}", account.id, account.name);
                text
            }),
        true => sections(session, login, &pairs),
    };
    super::print(&text)
}

/// `-c`: a `[profile <account name>.<role name>]` section for each pair no profile of this login
/// has yet.
fn sections(session: &Session, login: &Login, pairs: &[(portal::Account, String)]) -> String {
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
