//! `-l` and `-c` for an IAM Identity Center profile: every account and role the login reaches
//! (ListAccounts, ListAccountRoles), listed, or written as ready-to-paste profiles for the pairs
//! the config does not have yet. The login itself is `creds::sso`'s; `roles.rs` sends an
//! Identity Center profile here. `--filter` keeps the pairs whose account id, account name or
//! role name it matches; `-l` lists them by account name, then role.
//!
//! The portal's names are data, never config: `-l` prints them with control characters escaped,
//! and `-c` writes a section only for a 12-digit account id and a permission set's role name
//! (anything else is left out with a warning), under a profile name neither file holds.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::arn;
use crate::aws::sso as portal;
use crate::config::files::Files;
use crate::config::sso::Login;
use crate::creds;
use crate::error::Error;
use crate::glob::Glob;
use crate::log;
use crate::names;
use crate::session::Session;

/// An account the login reaches, and the roles it may take there, as the portal names them.
struct Access {
    account: portal::Account,
    roles: Vec<String>,
}

/// `-l` (or with `config`, `-c`) for an Identity Center profile, of the pairs `filter` keeps.
pub fn discover(
    session: &Session,
    login: &Login,
    config: bool,
    filter: Option<&Glob>,
) -> Result<i32, Error> {
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
    if let Some(glob) = filter {
        reached = kept(reached, glob);
        if reached.is_empty() {
            super::nothing_matches(glob);
            return super::print("");
        }
    }
    let text = match config {
        false => list(&reached),
        true => sections(session, login, &reached),
    };
    super::print(&text)
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
/// id), then role; each name with its control characters escaped: a name cannot add a line, or reach
/// the terminal as an escape sequence.
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

/// Whether `id` may be written as `sso_account_id`: an account id.
fn account_ok(id: &str) -> bool {
    arn::is_account_id(id)
}

/// Whether `role` may be written as `sso_role_name`: a permission set's name (IAM's characters,
/// `[\w+=,.@-]`, ASCII; 1 to 32 of them).
fn role_ok(role: &str) -> bool {
    (1..=32).contains(&role.len()) && role.chars().all(names::iam_char)
}

/// A profile of the files that names an Identity Center account and role.
struct Configured<'a> {
    profile: &'a str,
    account: String,
    role: String,
}

/// The profiles of `held` that name an account and role (of any login).
fn configured<'a>(files: &Files, held: &'a [String]) -> Vec<Configured<'a>> {
    held.iter()
        .filter_map(|profile| {
            let s = files.profile(profile)?;
            Some(Configured {
                profile,
                account: s.get("sso_account_id")?.to_string(),
                role: s.get("sso_role_name")?.to_string(),
            })
        })
        .collect()
}

/// A pair `-c` writes a section for, and the section's profile name.
struct Section<'a> {
    account: &'a str,
    role: &'a str,
    name: String,
}

/// What `-c` does with the pairs: the sections, and the lines saying what it left out and why
/// (warnings for names the config cannot hold, notes for pairs a profile has already).
#[derive(Default)]
struct Plan<'a> {
    sections: Vec<Section<'a>>,
    warnings: Vec<String>,
    notes: Vec<String>,
}

/// `-c`'s plan for `reached`, given the profiles of `files`: a name the config cannot hold is
/// left out with a warning, a pair a profile has already with a note (as the existing profile
/// is the one to use); the rest get profile names no file holds.
fn plan<'a>(files: &Files, reached: &'a [Access]) -> Plan<'a> {
    let held = files.profiles();
    let configured = configured(files, &held);
    let mut plan = Plan::default();
    for Access { account, roles } in reached {
        if !account_ok(&account.id) {
            let named = match account.name.is_empty() {
                true => String::new(),
                false => format!(" ({})", account.name),
            };
            plan.warnings.push(format!(
                "left out account '{}'{named}: not a 12-digit account id",
                account.id
            ));
            continue;
        }
        for role in roles {
            let has = |c: &&Configured| c.account == account.id && c.role == *role;
            if !role_ok(role) {
                plan.warnings.push(format!(
                    "left out role '{role}' of account {}: not a permission set's name (1 to 32 of A-Z a-z 0-9 _+=,.@-)",
                    account.id
                ));
            } else if let Some(c) = configured.iter().find(has) {
                plan.notes.push(format!(
                    "left out role {role} of account {}: profile '{}' has it",
                    account.id, c.profile
                ));
            } else {
                plan.sections.push(Section {
                    account: &account.id,
                    role,
                    name: base_name(account, role),
                });
            }
        }
    }
    let bases: Vec<String> = plan.sections.iter().map(|s| s.name.clone()).collect();
    for (section, name) in plan.sections.iter_mut().zip(unique_names(&held, &bases)) {
        section.name = name;
    }
    plan
}

/// The profile name a pair is offered under: `<account name>.<role name>` (the account id when
/// the account has no name), kept to what a section header holds and botocore reads back as
/// one name: no whitespace or control characters, none of `[]#;` (the INI syntax), none of
/// `'"\` (botocore splits `profile NAME` as a shell would).
fn base_name(account: &portal::Account, role: &str) -> String {
    let label = match account.name.is_empty() {
        true => &account.id,
        false => &account.name,
    };
    let allowed = |c: char| !c.is_whitespace() && !c.is_control() && !"[]#;'\"\\".contains(c);
    names::sanitize(&format!("{label}.{role}"), allowed, Some('-'))
}

/// A profile name for each of `bases` that no file holds (`held`) and no other section takes:
/// the base itself where it is free, else the base with the first free suffix (`.2`, `.3`, ...).
/// Free bases are given out first, so that a suffix never takes another pair's own name.
fn unique_names(held: &[String], bases: &[String]) -> Vec<String> {
    let mut taken: BTreeSet<String> = held.iter().cloned().collect();
    let free: Vec<bool> = bases.iter().map(|b| taken.insert(b.clone())).collect();
    bases
        .iter()
        .zip(free)
        .map(|(base, free)| {
            if free {
                return base.clone();
            }
            let mut n = 2;
            loop {
                let name = format!("{base}.{n}");
                if taken.insert(name.clone()) {
                    return name;
                }
                n += 1;
            }
        })
        .collect()
}

/// Why `-c` prints no section.
fn nothing_added(plan: &Plan<'_>, login: &Login) -> String {
    let label = login.label();
    match (plan.warnings.is_empty(), plan.notes.is_empty()) {
        (true, true) => format!("{label} reaches no account and role"),
        (true, false) => {
            format!("the files have a profile for every account and role {label} reaches")
        }
        (false, _) => format!("every account and role {label} reaches is configured or left out"),
    }
}

/// `-c`: a `[profile NAME]` section for each pair of `reached` that [`plan`] keeps, with
/// warnings and notes for the others; with no section to print, a note saying so.
fn sections(session: &Session, login: &Login, reached: &[Access]) -> String {
    let plan = plan(&session.files, reached);
    for warning in &plan.warnings {
        log::warn(format_args!("{warning}"));
    }
    for note in &plan.notes {
        log::note(format_args!("{note}"));
    }
    if plan.sections.is_empty() {
        log::note(format_args!(
            "nothing to add: {}",
            nothing_added(&plan, login)
        ));
    }
    let region = session.profile.region.as_deref().unwrap_or(&login.region);
    let mut text = String::new();
    for section in &plan.sections {
        let _ = writeln!(text, "[profile {}]", section.name);
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
            "sso_account_id = {}\nsso_role_name = {}\nregion = {region}\n",
            section.account, section.role
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

    #[test]
    fn only_account_ids_and_permission_set_names_may_become_config() {
        assert!(account_ok("012345678901"));
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "12345678901\n",
        ] {
            assert!(!account_ok(bad), "{bad:?}");
        }
        for good in [
            "AdministratorAccess",
            "a",
            "A_b+c=d,e.f@g-h",
            &"R".repeat(32),
        ] {
            assert!(role_ok(good), "{good:?}");
        }
        for bad in ["", &"R".repeat(33), "a b", "a\nb", "a/b", "é", "a\u{1b}"] {
            assert!(!role_ok(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_base_name_is_one_name_to_the_ini_and_to_botocore() {
        let name = |account: &str| base_name(&access("123456789012", account, &[]).account, "R");
        assert_eq!(name("sandbox"), "sandbox.R");
        assert_eq!(name(""), "123456789012.R");
        assert_eq!(name("Bob's \"test\" [a];#\\"), "Bob-s--test---a----.R");
        assert_eq!(name("a\u{1b}b\tc\u{85}d"), "a-b-c-d.R");
        assert_eq!(name("Übung"), "Übung.R");
    }

    #[test]
    fn names_avoid_the_files_and_each_other_natural_names_first() {
        let held = ["x.R".to_string(), "x.R.2".to_string()];
        let bases = ["x.R", "y.R", "x.R", "x.R.3", "y.R"].map(String::from);
        assert_eq!(
            unique_names(&held, &bases),
            ["x.R.4", "y.R", "x.R.5", "x.R.3", "y.R.2"]
        );
        assert_eq!(unique_names(&[], &[]), Vec::<String>::new());
    }

    #[test]
    fn the_plan_skips_configured_pairs_and_warns_of_bad_names() {
        let files = Files::from_texts(
            "[profile admin]\nsso_account_id = 123456789012\nsso_role_name = Admin\n\
             [profile sandbox.Read]\nregion = eu-west-1\n",
            "",
        );
        let reached = [
            access("123456789012", "sandbox", &["Admin", "Read", "Bad\nrole"]),
            access("1234", "short", &["Admin"]),
        ];
        let plan = plan(&files, &reached);
        let sections: Vec<(&str, &str, &str)> = plan
            .sections
            .iter()
            .map(|s| (s.account, s.role, s.name.as_str()))
            .collect();
        assert_eq!(sections, [("123456789012", "Read", "sandbox.Read.2")]);
        assert_eq!(
            plan.notes,
            ["left out role Admin of account 123456789012: profile 'admin' has it"]
        );
        assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
        assert!(plan.warnings[0].starts_with("left out role 'Bad\nrole' of account 123456789012: "));
        assert!(plan.warnings[1].starts_with("left out account '1234' (short): not a 12-digit"));
    }
}
