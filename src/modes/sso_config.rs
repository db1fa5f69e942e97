//! `-c` for an IAM Identity Center profile: ready-to-paste config sections for the accounts and
//! roles the login reaches that the config does not have yet, one for each region asked for
//! (`--region`, repeatable; else the profile's), named by `--profile-name`'s format. What the
//! portal is asked, and `--filter`, are `sso_roles.rs`'s.
//!
//! The portal's names are data, never config: a section is written only for a 12-digit account
//! id and a permission set's role name (anything else is left out with a warning), under a
//! profile name made of safe characters that neither file holds (a numeric suffix otherwise).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::arn;
use crate::aws::sso as portal;
use crate::config::files::Files;
use crate::config::sso::Login;
use crate::log;
use crate::name_format::{Field, NameFormat};
use crate::names;

/// An account the login reaches, and the roles it may take there, as the portal names them.
pub struct Access {
    pub account: portal::Account,
    pub roles: Vec<String>,
}

#[cfg(test)]
impl Access {
    /// The account `id` named `name`, with `roles`.
    pub fn sample(id: &str, name: &str, roles: &[&str]) -> Access {
        Access {
            account: portal::Account {
                id: id.into(),
                name: name.into(),
            },
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }
}

/// What `-c` is asked for.
pub struct Asked<'a> {
    /// How the profiles are named.
    pub format: &'a NameFormat,
    /// The regions: a section for each (never empty).
    pub regions: Vec<String>,
    /// Whether the regions are `--region`'s: a configured pair then counts only in its region.
    pub given: bool,
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

/// A profile of the files that names an Identity Center account and role, and its region (its
/// own, else the default profile's).
struct Configured<'a> {
    profile: &'a str,
    account: String,
    role: String,
    region: Option<String>,
}

/// The profiles of `held` that name an account and role (of any login).
fn configured<'a>(files: &Files, held: &'a [String]) -> Vec<Configured<'a>> {
    let default_region = files
        .profile("default")
        .and_then(|s| s.get("region").map(str::to_string));
    held.iter()
        .filter_map(|profile| {
            let s = files.profile(profile)?;
            Some(Configured {
                profile,
                account: s.get("sso_account_id")?.to_string(),
                role: s.get("sso_role_name")?.to_string(),
                region: s
                    .get("region")
                    .map(str::to_string)
                    .or_else(|| default_region.clone()),
            })
        })
        .collect()
}

/// A section `-c` writes: its account, role and region, and its profile name.
struct Section<'a> {
    account: &'a str,
    role: &'a str,
    region: &'a str,
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
/// left out with a warning, a pair a profile has already (in the region, when the regions are
/// given) with a note, as the existing profile is the one to use; the rest get a section for
/// each region, under profile names no file holds.
fn plan<'a>(files: &Files, reached: &'a [Access], asked: &'a Asked<'_>) -> Plan<'a> {
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
            if !role_ok(role) {
                plan.warnings.push(format!(
                    "left out role '{role}' of account {}: not a permission set's name (1 to 32 of A-Z a-z 0-9 _+=,.@-)",
                    account.id
                ));
                continue;
            }
            for region in &asked.regions {
                let has = |c: &&Configured| {
                    c.account == account.id
                        && c.role == *role
                        && (!asked.given || c.region.as_deref() == Some(region))
                };
                if let Some(c) = configured.iter().find(has) {
                    let within = match asked.given {
                        true => format!(" in {region}"),
                        false => String::new(),
                    };
                    plan.notes.push(format!(
                        "left out role {role} of account {}{within}: profile '{}' has it",
                        account.id, c.profile
                    ));
                    continue;
                }
                plan.sections.push(Section {
                    account: &account.id,
                    role,
                    region,
                    name: base_name(asked.format, account, role, region),
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

/// The profile name a section is offered under: `format` filled in (the account id for the
/// account name when the account has none), each character but letters, digits and `._-+=@,`
/// replaced by `-`. So a name is one word to a shell, to the INI (none of `[]#;`) and to
/// botocore, which splits `profile NAME` as a shell would.
fn base_name(format: &NameFormat, account: &portal::Account, role: &str, region: &str) -> String {
    let name = format.render(|field| match field {
        Field::AccountId => &account.id,
        Field::AccountName if account.name.trim().is_empty() => &account.id,
        Field::AccountName => &account.name,
        Field::RoleName => role,
        Field::Region => region,
    });
    let allowed = |c: char| c.is_alphanumeric() || "._-+=@,".contains(c);
    let safe = names::sanitize(&name, allowed, Some('-'));
    // A name starting with `-` reads as a flag to aws-runas and the aws CLI alike.
    match safe.trim_start_matches('-') {
        "" => format!("{}.{role}", account.id),
        rest => rest.to_string(),
    }
}

/// A profile name for each of `bases` that no file holds (`held`) and no other section takes:
/// the base itself where it is free, else the base with the first free suffix (`.2`, `.3`, ...).
/// Free bases are given out first, so that a suffix never takes another pair's own name.
fn unique_names(held: &[String], bases: &[String]) -> Vec<String> {
    // Inserted, not collected: collecting a BTreeSet sorts, and with no such collect left the
    // stable sort is out of the binary (5 KB).
    let mut taken = BTreeSet::new();
    taken.extend(held.iter().cloned());
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

/// `-c`: a `[profile NAME]` section for each pair of `reached` and region that [`plan`] keeps,
/// with warnings and notes for the others; with no section to print, a note saying so.
pub fn sections(files: &Files, login: &Login, reached: &[Access], asked: &Asked<'_>) -> String {
    let plan = plan(files, reached, asked);
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
    } else if asked.regions.len() > 1 && !asked.format.uses(Field::Region) {
        log::note(format_args!(
            "--profile-name has no {{region}}: the profiles of each region after the first are told apart by a numeric suffix"
        ));
    }
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
            "sso_account_id = {}\nsso_role_name = {}\nregion = {}\n",
            section.account, section.role, section.region
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(id: &str, name: &str, roles: &[&str]) -> Access {
        Access::sample(id, name, roles)
    }

    fn asked<'a>(format: &'a NameFormat, regions: &[&str], given: bool) -> Asked<'a> {
        Asked {
            format,
            regions: regions.iter().map(|r| r.to_string()).collect(),
            given,
        }
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
    fn a_base_name_is_one_word_to_a_shell_the_ini_and_botocore() {
        let default = NameFormat::default();
        let name = |account: &str| {
            let a = access("123456789012", account, &[]);
            base_name(&default, &a.account, "R", "eu-west-1")
        };
        assert_eq!(name("sandbox"), "sandbox.R");
        assert_eq!(name(""), "123456789012.R");
        assert_eq!(name("Bob's \"test\" [a];#\\"), "Bob-s--test---a----.R");
        assert_eq!(name("a\u{1b}b\tc\u{85}d"), "a-b-c-d.R");
        assert_eq!(name("Übung"), "Übung.R");
        assert_eq!(name("Team / Prod (EU)"), "Team---Prod--EU-.R");
        assert_eq!(name("a$b`c|d&e*f?g~h"), "a-b-c-d-e-f-g-h.R");
        // Never a name that reads as a flag; a blank name is no name.
        assert_eq!(name("(EU) Prod"), "EU--Prod.R");
        assert_eq!(name("   "), "123456789012.R");
        let dash = NameFormat::parse("-{role_name}").unwrap();
        assert_eq!(
            base_name(&dash, &access("123456789012", "s", &[]).account, "R", "x"),
            "R"
        );
        let odd = NameFormat::parse("--").unwrap();
        assert_eq!(
            base_name(&odd, &access("123456789012", "s", &[]).account, "R", "x"),
            "123456789012.R"
        );
        // The format's own text is made safe too.
        let format = NameFormat::parse("sso: {account_id}/{role_name} @{region}").unwrap();
        let a = access("123456789012", "sandbox", &[]);
        assert_eq!(
            base_name(&format, &a.account, "R", "eu-west-1"),
            "sso--123456789012-R-@eu-west-1"
        );
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

    /// The sections of a plan: (account, role, region, name).
    fn sections_of<'a>(plan: &'a Plan<'_>) -> Vec<(&'a str, &'a str, &'a str, &'a str)> {
        plan.sections
            .iter()
            .map(|s| (s.account, s.role, s.region, s.name.as_str()))
            .collect()
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
        let default = NameFormat::default();
        let one = asked(&default, &["us-east-1"], false);
        let plan = plan(&files, &reached, &one);
        assert_eq!(
            sections_of(&plan),
            [("123456789012", "Read", "us-east-1", "sandbox.Read.2")]
        );
        assert_eq!(
            plan.notes,
            ["left out role Admin of account 123456789012: profile 'admin' has it"]
        );
        assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
        assert!(plan.warnings[0].starts_with("left out role 'Bad\nrole' of account 123456789012: "));
        assert!(plan.warnings[1].starts_with("left out account '1234' (short): not a 12-digit"));
    }

    #[test]
    fn each_region_given_gets_its_sections_and_a_pair_counts_as_configured_in_its_region() {
        let files = Files::from_texts(
            "[default]\nregion = us-east-1\n\
             [profile admin]\nsso_account_id = 123456789012\nsso_role_name = Admin\n\
             [profile read-eu]\nsso_account_id = 123456789012\nsso_role_name = Read\nregion = eu-west-1\n",
            "",
        );
        let reached = [access("123456789012", "sand box", &["Admin", "Read"])];
        let format = NameFormat::parse("{account_name}-{role_name}-{region}").unwrap();
        let both = asked(&format, &["eu-west-1", "us-east-1"], true);
        let planned = plan(&files, &reached, &both);
        assert_eq!(
            sections_of(&planned),
            [
                (
                    "123456789012",
                    "Admin",
                    "eu-west-1",
                    "sand-box-Admin-eu-west-1"
                ),
                (
                    "123456789012",
                    "Read",
                    "us-east-1",
                    "sand-box-Read-us-east-1"
                ),
            ]
        );
        // admin's region is the default profile's.
        assert_eq!(
            planned.notes,
            [
                "left out role Admin of account 123456789012 in us-east-1: profile 'admin' has it",
                "left out role Read of account 123456789012 in eu-west-1: profile 'read-eu' has it",
            ]
        );
        // Without {region}, the second region's names get a suffix.
        let default = NameFormat::default();
        let both = asked(&default, &["eu-west-1", "us-east-1"], true);
        let planned = plan(&Files::from_texts("", ""), &reached, &both);
        let names: Vec<&str> = planned.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "sand-box.Admin",
                "sand-box.Admin.2",
                "sand-box.Read",
                "sand-box.Read.2"
            ]
        );
    }
}
