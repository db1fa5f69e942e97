//! The `source_profile` chain: from the profile the user named down to the profile holding the
//! credentials (the root), with the cycle check. Each role profile on the way becomes a
//! [`Link`] once its settings are read ([`links`]). No environment, no flags: those are the
//! layers' business.

use std::time::Duration;

use super::error::ProfileError;
use super::files::Files;
use super::ini::Section;
use crate::arn::RoleArn;

/// A role profile on the chain, as its own section says.
#[derive(Debug, Clone)]
pub struct Link {
    pub profile: String,
    pub role_arn: RoleArn,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
    /// `duration_seconds`, parsed once.
    pub duration_seconds: Option<Duration>,
}

/// Where the root's credentials are to be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// In the files (keys), or whatever the root profile says (`credential_process`...).
    Profile,
    /// `credential_source = Environment`.
    Environment,
    /// `credential_source = Ec2InstanceMetadata`.
    InstanceMetadata,
    /// `credential_source = EcsContainer`.
    Container,
    /// `web_identity_token_file` beside the root's own `role_arn`: AssumeRoleWithWebIdentity.
    WebIdentity,
}

/// The walked chain.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The profiles walked, from the start down to the root (each one a layer).
    pub visited: Vec<String>,
    /// The role profiles and their sections, from the start down; empty when the start holds
    /// the keys.
    pub roles: Vec<RoleProfile>,
    /// The profile whose credentials sign the first call.
    pub root: String,
    pub root_kind: RootKind,
}

/// A role profile of the chain: its name and its section.
#[derive(Debug, Clone)]
pub struct RoleProfile {
    pub name: String,
    pub section: Section,
}

/// What `credential_source = value` on `profile` names.
fn credential_source(profile: &str, value: &str) -> Result<RootKind, ProfileError> {
    match value.to_ascii_lowercase().as_str() {
        "environment" => Ok(RootKind::Environment),
        "ec2instancemetadata" => Ok(RootKind::InstanceMetadata),
        "ecscontainer" => Ok(RootKind::Container),
        _ => Err(ProfileError::UnsupportedCredentialSource {
            name: profile.to_string(),
            value: value.to_string(),
        }),
    }
}

/// Where a role profile in the chain leads, by its section.
enum Next {
    /// The chain ends before this role: its profile's keys are the root's.
    Root(RootKind),
    /// The chain ends with this role, assumed with `credential_source`'s credentials.
    LastRole(RootKind),
    /// This role is assumed with the credentials of its `source_profile`.
    Source(String),
}

/// Where the role profile `current` (whose section is `section`) leads; `start` is the chain's
/// first profile.
fn next(
    files: &Files,
    start: &str,
    current: &str,
    section: &Section,
) -> Result<Next, ProfileError> {
    // A source profile with static keys ends the chain, even with a role_arn (botocore).
    if current != start && files.keys(current).is_some() {
        return Ok(Next::Root(RootKind::Profile));
    }
    let (source, declared) = (
        section.get("source_profile"),
        section.get("credential_source"),
    );
    // A role assumed with a web identity token: that role is the root's credentials.
    if section.get("web_identity_token_file").is_some() && source.is_none() && declared.is_none() {
        return Ok(Next::Root(RootKind::WebIdentity));
    }
    let name = current.to_string();
    match (source, declared) {
        (Some(_), Some(_)) => Err(ProfileError::BothSources { name }),
        (None, Some(cs)) => Ok(Next::LastRole(credential_source(current, cs)?)),
        (Some(source), None) => Ok(Next::Source(source.to_string())),
        (None, None) => Err(ProfileError::NoSourceProfile { name }),
    }
}

/// Follows `source_profile` from `start` (which must exist) to the root.
pub fn follow(files: &Files, start: &str) -> Result<Chain, ProfileError> {
    let mut visited = vec![start.to_string()];
    let mut roles: Vec<RoleProfile> = Vec::new();
    let mut current = start.to_string();
    let root_kind = loop {
        // A profile without role_arn holds the keys: the root of the chain.
        let Some(section) = files
            .profile(&current)
            .filter(|s| s.get("role_arn").is_some())
        else {
            break RootKind::Profile;
        };
        let source = match next(files, start, &current, &section)? {
            Next::Root(kind) => break kind,
            Next::LastRole(kind) => {
                roles.push(RoleProfile {
                    name: current.clone(),
                    section,
                });
                break kind;
            }
            Next::Source(source) => source,
        };
        roles.push(RoleProfile {
            name: current.clone(),
            section,
        });
        if source == current {
            // `source_profile` naming itself: the profile's own keys sign its role (as in the CLI).
            break RootKind::Profile;
        }
        if visited.contains(&source) {
            visited.push(source);
            return Err(ProfileError::Cycle(visited));
        }
        if !files.exists(&source) {
            return Err(ProfileError::SourceNotFound {
                name: current,
                searched: files.searched(&source),
                source,
            });
        }
        visited.push(source.clone());
        current = source;
    };
    Ok(Chain {
        visited,
        roles,
        root: current,
        root_kind,
    })
}

/// A section's `duration_seconds` (whole seconds), naming the profile when it is bad.
pub fn duration_seconds(
    profile: &str,
    section: &Section,
) -> Result<Option<Duration>, ProfileError> {
    section
        .get("duration_seconds")
        .map(|v| {
            v.parse::<u64>().map(Duration::from_secs).map_err(|_| {
                ProfileError::BadDurationSeconds {
                    origin: format!("profile '{profile}'"),
                    value: v.to_string(),
                }
            })
        })
        .transpose()
}

/// The chain's role profiles as links, from the start down.
pub fn links(chain: &Chain) -> Result<Vec<Link>, ProfileError> {
    let mut links = Vec::with_capacity(chain.roles.len());
    for RoleProfile {
        name: profile,
        section,
    } in &chain.roles
    {
        let raw = section.get("role_arn").unwrap_or_default();
        let role_arn = RoleArn::parse(raw).map_err(|error| ProfileError::Arn {
            origin: format!("role_arn in profile '{profile}'"),
            error,
        })?;
        let duration_seconds = duration_seconds(profile, section)?;
        links.push(Link {
            profile: profile.clone(),
            role_arn,
            external_id: section.get("external_id").map(str::to_string),
            session_name: section.get("role_session_name").map(str::to_string),
            duration_seconds,
        });
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Files {
        Files::sample()
    }

    #[test]
    fn walks_down_to_the_keys() {
        let c = follow(&sample(), "chained").unwrap();
        assert_eq!(c.visited, ["chained", "admin", "dev"]);
        let links = links(&c).unwrap();
        let roles: Vec<&str> = links.iter().map(|l| l.role_arn.name.as_str()).collect();
        assert_eq!(roles, ["chained", "admin"]);
        assert_eq!((c.root.as_str(), &c.root_kind), ("dev", &RootKind::Profile));
        let c = follow(&sample(), "dev").unwrap();
        assert!(c.roles.is_empty() && c.root == "dev");
    }

    #[test]
    fn cycles_and_missing_sources_are_named() {
        let e = follow(&sample(), "cycle-a").unwrap_err().to_string();
        assert_eq!(e, "source_profile cycle: cycle-a -> cycle-b -> cycle-a");
        let e = follow(&sample(), "lostsource").unwrap_err().to_string();
        assert!(
            e.starts_with("source_profile 'ghost' of profile 'lostsource'"),
            "{e}"
        );
        let e = follow(&sample(), "nosource").unwrap_err().to_string();
        assert!(e.contains("has role_arn but no source_profile"), "{e}");
    }

    #[test]
    fn environment_roots_and_bad_links() {
        let c = follow(&sample(), "fromenv").unwrap();
        assert_eq!(c.root_kind, RootKind::Environment);
        let f = Files::from_texts(
            "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = r\nduration_seconds = 1h\n",
            "",
        );
        let c = follow(&f, "r").unwrap();
        let e = links(&c).unwrap_err().to_string();
        assert!(
            e.starts_with("duration_seconds in profile 'r': invalid value '1h'"),
            "{e}"
        );
    }
}
