//! `-l` and `-c`: the roles the profile's IAM user may assume, read from its policies (inline and
//! attached, its own and its groups'). `-l` lists them; `-c` writes them as the INI config of
//! the "AWS Extend Switch Roles" browser extension. For an IAM Identity Center profile, both ask
//! the portal instead (`sso_roles.rs`). `--filter` keeps the roles whose ARN or name it matches.
//!
//! A policy call that fails (access denied to one policy, a policy deleted meanwhile) is a
//! warning naming what could not be read, and the rest is still read; only when no list call
//! at all succeeds is it an error.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::arn::RoleArn;
use crate::aws::iam::{DiscoveryError, Iam};
use crate::aws::policy::{self, Assumable};
use crate::aws::query::AwsError;
use crate::cli::args::Args;
use crate::config::profile::SourceKind;
use crate::env::Env;
use crate::error::Error;
use crate::glob::Glob;
use crate::log;
use crate::name_format::NameFormat;
use crate::session::Session;

use super::iam_user::{self, IamUser};
use super::sso_roles::Wanted;

/// What `-l`/`-c` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `-l`: the list.
    List,
    /// `-c`: the browser extension's config.
    ExtensionConfig,
}

/// Runs `-l` or `-c`; returns the exit code.
pub fn run(args: &Args, env: &Env, output: Output) -> Result<i32, Error> {
    let session = Session::open(args, env)?;
    if let SourceKind::Sso(role) = &session.profile.source.kind {
        let default = NameFormat::default();
        let wanted = Wanted {
            config: output == Output::ExtensionConfig,
            filter: args.filter.as_ref(),
            format: args.profile_name.as_ref().unwrap_or(&default),
            regions: &args.regions,
        };
        return super::sso_roles::discover(&session, &role.login, &wanted);
    }
    sso_only(args, session.profile.name())?;
    let user = iam_user::open(&session, args, env)?;
    let mut assumable = collect(&session, &user)?;
    if assumable.roles.is_empty() && assumable.patterns.is_empty() {
        log::note(format_args!(
            "no policy of user {} allows sts:AssumeRole on a role",
            user.name
        ));
    } else if let Some(glob) = &args.filter {
        assumable = kept(assumable, glob);
        if assumable.roles.is_empty() && assumable.patterns.is_empty() {
            super::nothing_matches(glob);
        }
    }
    let text = match output {
        Output::List => list(&user, &assumable),
        Output::ExtensionConfig => extension_config(&session, &assumable, args.region()),
    };
    super::print(&text)
}

/// The flags only `-c` on an Identity Center profile takes (`--profile-name`, several
/// `--region`) are an error for `profile`, an IAM user's.
fn sso_only(args: &Args, profile: &str) -> Result<(), DiscoveryError> {
    let flag = match (&args.profile_name, args.regions.len()) {
        (Some(_), _) => "--profile-name",
        (None, 2..) => "--region given more than once",
        (None, _) => return Ok(()),
    };
    Err(DiscoveryError::SsoOnly {
        flag,
        profile: profile.to_string(),
    })
}

/// `--filter`: the roles and patterns whose ARN, or role name (the ARN's last `/` segment:
/// the name without its path), `glob` matches.
fn kept(assumable: Assumable, glob: &Glob) -> Assumable {
    let keep = |arn: &String| {
        let name = arn.rsplit('/').next().unwrap_or(arn);
        glob.matches(arn) || glob.matches(name)
    };
    // Kept in place, not collected: collecting a BTreeSet sorts, and with no such collect left
    // the stable sort is out of the binary (5 KB).
    let Assumable {
        mut roles,
        mut patterns,
    } = assumable;
    roles.retain(keep);
    patterns.retain(keep);
    Assumable { roles, patterns }
}

/// The `-l` text: a heading, the role ARNs, then the patterns; what IAM and the policies say is
/// printed with its control characters escaped (a policy's resource is anyone's text).
fn list(user: &IamUser, assumable: &Assumable) -> String {
    let (name, arn) = (log::escape(&user.name), log::escape(&user.arn));
    let mut text = format!("Available role ARNs for {name} ({arn})\n");
    for role in &assumable.roles {
        let _ = writeln!(text, "  {}", log::escape(role));
    }
    for pattern in &assumable.patterns {
        let _ = writeln!(text, "  {} (pattern)", log::escape(pattern));
    }
    text
}

/// The `-c` text: a `[profile NAME]` section per role, NAME being the first config profile (in
/// name order) whose `role_arn` is that role, else `<role name>-<account>`; its region `given`
/// (`--region`), else that profile's, else the run's. Patterns name no one role, so they are
/// left out (with a note).
fn extension_config(session: &Session, assumable: &Assumable, given: Option<&str>) -> String {
    let users: Vec<(String, String, Option<String>)> = session
        .files
        .profiles()
        .into_iter()
        .filter_map(|name| {
            let section = session.files.config_section(&name)?;
            let role = section.get("role_arn")?.to_string();
            let region = section.get("region").map(str::to_string);
            Some((role, name, region))
        })
        .collect();
    let mut text = String::new();
    let mut taken = BTreeSet::new();
    for raw in &assumable.roles {
        let Ok(role) = RoleArn::parse(raw) else {
            continue;
        };
        let user = users.iter().find(|(arn, ..)| arn == raw);
        let name = match user {
            Some((_, name, _)) if !taken.contains(name) => name.clone(),
            _ => format!("{}-{}", role.name, role.account),
        };
        taken.insert(name.clone());
        let region = given
            .map(str::to_string)
            .or_else(|| user.and_then(|(.., region)| region.clone()))
            .or_else(|| session.profile.region.clone());
        let _ = writeln!(text, "[profile {name}]");
        let _ = writeln!(text, "aws_account_id = {}", role.account);
        let _ = writeln!(text, "role_name = {}", role.name);
        if let Some(region) = region {
            let _ = writeln!(text, "region = {region}");
        }
        text.push('\n');
    }
    for pattern in &assumable.patterns {
        log::note(format_args!(
            "left out {pattern}: a pattern, not one role the extension can switch to"
        ));
    }
    text
}

/// Reads every policy of `user` and what they let it assume.
fn collect(session: &Session, user: &IamUser) -> Result<Assumable, Error> {
    let iam = Iam {
        agent: &session.agent,
        endpoint: &user.endpoint,
        credentials: &user.credentials,
    };
    let mut c = Collector {
        iam,
        found: Assumable::default(),
        denied: Vec::new(),
        managed: BTreeSet::new(),
        listed: 0,
        first_failure: None,
    };
    c.user(&user.name);
    for group in c.list("the user's groups", c.iam.list_groups_for_user(&user.name)) {
        c.group(&group);
    }
    match (c.listed, c.first_failure) {
        (0, Some(error)) => Err(DiscoveryError::NoPolicies {
            user: user.name.clone(),
            error,
        }
        .into()),
        _ => Ok(c.found.without(&c.denied)),
    }
}

/// The state of one collection: what was found, what is denied, which managed policies were
/// read (a policy attached to the user and a group is read once), and how the calls went.
struct Collector<'a> {
    iam: Iam<'a>,
    found: Assumable,
    denied: Vec<String>,
    managed: BTreeSet<String>,
    /// List calls that succeeded.
    listed: usize,
    first_failure: Option<AwsError>,
}

impl Collector<'_> {
    /// The user's own policies: inline and attached.
    fn user(&mut self, name: &str) {
        let inline = self.list(
            "the user's inline policies",
            self.iam.list_user_policies(name),
        );
        for policy in inline {
            let document = self.iam.get_user_policy(name, &policy);
            self.read(
                &format!("inline policy '{policy}' of user {name}"),
                document,
            );
        }
        let attached = self.list(
            "the user's attached policies",
            self.iam.list_attached_user_policies(name),
        );
        for arn in attached {
            self.managed(&arn);
        }
    }

    /// The policies of one of the user's groups: inline and attached.
    fn group(&mut self, group: &str) {
        let inline = self.list(
            &format!("the inline policies of group {group}"),
            self.iam.list_group_policies(group),
        );
        for policy in inline {
            let document = self.iam.get_group_policy(group, &policy);
            self.read(
                &format!("inline policy '{policy}' of group {group}"),
                document,
            );
        }
        let attached = self.list(
            &format!("the attached policies of group {group}"),
            self.iam.list_attached_group_policies(group),
        );
        for arn in attached {
            self.managed(&arn);
        }
    }

    /// The items of a list call, or none (with a warning) when it failed.
    fn list(&mut self, what: &str, result: Result<Vec<String>, AwsError>) -> Vec<String> {
        match result {
            Ok(items) => {
                self.listed += 1;
                items
            }
            Err(error) => {
                self.failed(what, error);
                Vec::new()
            }
        }
    }

    /// Reads one policy document, or warns why it cannot.
    fn read(&mut self, what: &str, document: Result<String, AwsError>) {
        let document = match document {
            Ok(d) => d,
            Err(error) => return self.failed(what, error),
        };
        let read = policy::decode_document(&document)
            .and_then(|json| policy::read(&json, &mut self.found, &mut self.denied));
        if let Err(detail) = read {
            log::warn(format_args!("cannot read {what}: {detail}"));
        }
    }

    /// Reads a managed policy's default version, once.
    fn managed(&mut self, arn: &str) {
        if self.managed.insert(arn.to_string()) {
            let document = self.iam.managed_policy_document(arn);
            self.read(&format!("managed policy {arn}"), document);
        }
    }

    fn failed(&mut self, what: &str, error: AwsError) {
        log::warn(format_args!("cannot read {what}: {error}"));
        self.first_failure.get_or_insert(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::endpoint::Endpoint;
    use crate::credentials::{Credentials, Secret};

    #[test]
    fn the_filter_keeps_the_roles_whose_arn_or_name_matches() {
        let arns = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        let assumable = Assumable {
            roles: arns(&[
                "arn:aws:iam::123456789012:role/admin",
                "arn:aws:iam::123456789012:role/ops/Deploy",
                "arn:aws:iam::210987654321:role/read",
            ]),
            patterns: arns(&["arn:aws:iam::123456789012:role/team-*"]),
        };
        let kept = |glob: &str| kept(assumable.clone(), &Glob::parse(glob).unwrap());
        // The name, the name without its path, any case.
        let k = kept("ADMIN");
        assert_eq!(k.roles, arns(&["arn:aws:iam::123456789012:role/admin"]));
        assert!(k.patterns.is_empty());
        assert_eq!(
            kept("dep*").roles,
            arns(&["arn:aws:iam::123456789012:role/ops/Deploy"])
        );
        // The whole ARN: an account, a path.
        assert_eq!(kept("*:210987654321:*").roles.len(), 1);
        assert_eq!(kept("*/ops/*").roles.len(), 1);
        // Patterns are kept by the same rule.
        let k = kept("team*");
        assert!(k.roles.is_empty() && k.patterns.len() == 1);
        assert_eq!(kept("*").roles.len(), 3);
        assert!(kept("nothing").roles.is_empty());
    }

    #[test]
    fn the_list_escapes_control_characters() {
        let user = IamUser {
            name: "alice".into(),
            arn: "arn:aws:iam::123456789012:user/alice".into(),
            credentials: Credentials {
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: Secret::new("s"),
                session_token: None,
                expiration: None,
            },
            endpoint: Endpoint {
                url: "https://iam.amazonaws.com/".into(),
                signing_region: "us-east-1".into(),
            },
        };
        let assumable = Assumable {
            roles: ["arn:aws:iam::123456789012:role/a".to_string()].into(),
            patterns: ["arn:aws:iam::*:role/x\n\u{1b}[2J*".to_string()].into(),
        };
        assert_eq!(
            list(&user, &assumable),
            "Available role ARNs for alice (arn:aws:iam::123456789012:user/alice)\n  \
             arn:aws:iam::123456789012:role/a\n  arn:aws:iam::*:role/x\\n\\x1b[2J* (pattern)\n"
        );
    }
}
