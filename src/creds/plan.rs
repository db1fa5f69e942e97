//! Chooses the chain of providers for a profile, in one place, and says why.
//!
//! Today's plan: the source's long-term keys sign the first AssumeRole; each further role in a
//! `source_profile` chain is assumed with the previous role's credentials.

use super::assume_role::AssumeRole;
use super::long_term::LongTerm;
use super::Provider;
use crate::config::endpoint::Endpoint;
use crate::config::profile::Profile;
use crate::error::Error;

/// The chosen chain and the reason, for `-v`.
pub struct Plan {
    pub provider: Box<dyn Provider>,
    pub reason: String,
}

/// Builds the provider chain for `profile`.
pub fn plan(profile: &Profile, endpoint: &Endpoint) -> Result<Plan, Error> {
    if profile.roles.is_empty() {
        return Err(Error::NoRole {
            profile: profile.name.clone(),
        });
    }
    let mut provider: Box<dyn Provider> = Box::new(LongTerm {
        source: profile.source.clone(),
    });
    for step in &profile.roles {
        provider = Box::new(AssumeRole {
            signer: provider,
            endpoint: endpoint.clone(),
            step: step.clone(),
        });
    }
    let reason = if profile.roles.len() > 1 {
        format!(
            "role chaining: {} roles assumed in order from the keys of profile '{}'",
            profile.roles.len(),
            profile.source.profile
        )
    } else {
        format!(
            "role assumed directly with the keys of profile '{}'",
            profile.source.profile
        )
    };
    Ok(Plan { provider, reason })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args;
    use crate::config::ini::parse;
    use crate::config::profile::{resolve, Files};
    use crate::env::Env;
    use std::path::Path;

    fn plan_for(name: &str) -> Result<Plan, Error> {
        let files = Files {
            config: parse(include_str!("../../fixtures/chain.config"), Path::new("/c")).unwrap(),
            credentials: parse(
                include_str!("../../fixtures/chain.credentials"),
                Path::new("/k"),
            )
            .unwrap(),
        };
        let args = args::parse([name]).unwrap();
        let profile = resolve(&args, &Env::default(), &files).unwrap().profile;
        let endpoint = Endpoint {
            url: "http://127.0.0.1:1/".into(),
            signing_region: "us-east-1".into(),
        };
        plan(&profile, &endpoint)
    }

    #[test]
    fn shapes() {
        assert_eq!(
            plan_for("admin").unwrap().provider.describe(),
            "AssumeRole(admin) <- LongTerm(dev)"
        );
        let chained = plan_for("chained").unwrap();
        assert_eq!(
            chained.provider.describe(),
            "AssumeRole(chained) <- AssumeRole(admin) <- LongTerm(dev)"
        );
        assert!(chained.reason.starts_with("role chaining"));
        assert!(matches!(plan_for("keysonly"), Err(Error::NoRole { .. })));
    }
}
