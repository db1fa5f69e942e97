//! Where the credentials at the root of a profile's chain come from: one `match` over what the
//! root declares (`chain::RootKind`, or its `login_session`), each arm reading the environment or
//! the files it needs.
//! It runs nothing and calls nothing: `creds` turns the [`Source`] into a provider.

use super::chain::{Chain, RootKind};
use super::error::ProfileError;
use super::files::Files;
use super::ini::Section;
use super::login;
use super::profile::{Source, SourceKind, ROLE_DURATION};
use super::sso;
use crate::arn::RoleArn;
use crate::credentials::{Credentials, Secret};
use crate::env::Env;
use crate::log::debug;

/// The environment's key variables, if both are set.
fn environment_keys(env: &Env) -> Option<Credentials> {
    let id = env.non_empty("AWS_ACCESS_KEY_ID")?;
    let secret = env.non_empty("AWS_SECRET_ACCESS_KEY")?;
    Some(Credentials {
        access_key_id: id.to_string(),
        secret_access_key: Secret::new(secret),
        session_token: env.non_empty("AWS_SESSION_TOKEN").map(Secret::new),
        expiration: None,
    })
}

/// The credentials at the chain's root, by what the root declares: `credential_source`
/// (environment, instance metadata, container), a web identity, or the root profile's own
/// credentials (keys, `credential_process`; see [`declared`]).
pub fn source(files: &Files, env: &Env, chain: &Chain) -> Result<Source, ProfileError> {
    let root = chain.root.clone();
    let kind = match chain.root_kind {
        RootKind::Environment => environment(env, &root)?,
        RootKind::InstanceMetadata => instance_metadata(env, &root)?,
        RootKind::Container => container(env, &root)?,
        // A login_session beside the web identity is refused there, naming the key.
        RootKind::WebIdentity => match login(files, env, &root)? {
            Some(session) => session,
            None => web_identity(files, &root)?,
        },
        RootKind::Profile => declared(files, env, &root)?,
    };
    Ok(Source {
        profile: root,
        kind,
    })
}

/// `login_session` on the root profile: its `aws login` session (another credential style
/// beside it is an error). Looked for only where the files may set it, so other profiles' runs
/// read no more than before.
fn login(files: &Files, env: &Env, root: &str) -> Result<Option<SourceKind>, ProfileError> {
    let section = files
        .may_set(root, &[login::KEY])
        .then(|| files.profile(root))
        .flatten();
    login_in(env, root, section.as_ref())
}

/// [`login`], given the root's `section` (none when a first look found no key of interest).
fn login_in(
    env: &Env,
    root: &str,
    section: Option<&Section>,
) -> Result<Option<SourceKind>, ProfileError> {
    let Some(section) = section else {
        return Ok(None);
    };
    let Some(session) = login::declared(env, root, section)? else {
        return Ok(None);
    };
    debug!(
        "source credentials: the aws login session {} (profile '{root}')",
        session.arn
    );
    Ok(Some(SourceKind::Login(session)))
}

/// `credential_source = Environment`: the key variables, which must be set.
fn environment(env: &Env, root: &str) -> Result<SourceKind, ProfileError> {
    let credentials =
        environment_keys(env).ok_or_else(|| ProfileError::EnvironmentKeysMissing {
            name: root.to_string(),
        })?;
    debug!(
        "source credentials: environment (credential_source of profile '{root}'), key {}",
        credentials.access_key_id
    );
    Ok(SourceKind::Environment(credentials))
}

/// `credential_source = Ec2InstanceMetadata`: the service at `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
/// else the link-local address, unless `AWS_EC2_METADATA_DISABLED` is true.
fn instance_metadata(env: &Env, root: &str) -> Result<SourceKind, ProfileError> {
    if env
        .non_empty("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Err(ProfileError::MetadataDisabled {
            name: root.to_string(),
        });
    }
    let mut base = env
        .non_empty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .unwrap_or("http://169.254.169.254/")
        .to_string();
    if !base.ends_with('/') {
        base.push('/');
    }
    debug!(
        "source credentials: instance metadata at {base} (credential_source of profile '{root}')"
    );
    Ok(SourceKind::InstanceMetadata(base))
}

/// `role_arn` + `web_identity_token_file` on the root profile: that role, assumed with the token
/// (read when the credentials are fetched; it is rotated).
fn web_identity(files: &Files, root: &str) -> Result<SourceKind, ProfileError> {
    let section = files.profile(root).unwrap_or_default();
    let raw = section.get("role_arn").unwrap_or_default();
    let role_arn = RoleArn::parse(raw).map_err(|error| ProfileError::Arn {
        origin: format!("role_arn in profile '{root}'"),
        error,
    })?;
    let token_file = section
        .get("web_identity_token_file")
        .unwrap_or_default()
        .to_string();
    let duration = super::chain::duration_seconds(root, &section)?
        .map_or(ROLE_DURATION.default, |d| ROLE_DURATION.clamp(d).0);
    debug!("source credentials: {role_arn} with the web identity token in {token_file} (profile '{root}')");
    Ok(SourceKind::WebIdentity {
        role_arn,
        token_file,
        session_name: section.get("role_session_name").map(str::to_string),
        duration,
    })
}

/// Whether the authorization token may be sent to `uri`: over https anywhere, over plain http
/// only to loopback or the container agents' link-local addresses (as botocore allows).
fn allowed_container_uri(uri: &str) -> bool {
    if uri.starts_with("https://") {
        return true;
    }
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host == "localhost"
        || host == "169.254.170.2"
        || host == "169.254.170.23"
        || host.eq_ignore_ascii_case("fd00:ec2::23")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `credential_source = EcsContainer`: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on the ECS
/// agent's address), else `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the authorization token
/// from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, else `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
fn container(env: &Env, root: &str) -> Result<SourceKind, ProfileError> {
    let url = match (
        env.non_empty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        env.non_empty("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
    ) {
        (Some(relative), _) => format!("http://169.254.170.2{relative}"),
        (None, Some(full)) if allowed_container_uri(full) => full.to_string(),
        (None, Some(full)) => {
            return Err(ProfileError::ContainerHost {
                name: root.to_string(),
                uri: full.to_string(),
            })
        }
        (None, None) => {
            return Err(ProfileError::ContainerUnset {
                name: root.to_string(),
            })
        }
    };
    let token_file = env
        .non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        .map(str::to_string);
    let token = env
        .non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        .map(str::to_string);
    debug!("source credentials: container endpoint {url} (credential_source of profile '{root}')");
    Ok(SourceKind::Container {
        url,
        token,
        token_file,
    })
}

/// The keys of the first look at the root profile: Identity Center's and `login_session`.
const FIRST_LOOK: [&str; 6] = [
    sso::KEYS[0],
    sso::KEYS[1],
    sso::KEYS[2],
    sso::KEYS[3],
    sso::KEYS[4],
    login::KEY,
];

/// What the root profile itself declares, in botocore's order: an aws login session
/// (`login_session`, refused beside any other credential style); an IAM Identity Center role
/// (`sso_*`); its keys in the files (which end the chain, as in botocore); its
/// `credential_process`; a `web_identity_token_file` without a role (an error); else, for a
/// profile with no credentials of its own at all, the environment's keys (as the 1.x tool did,
/// and CI jobs rely on).
fn declared(files: &Files, env: &Env, root: &str) -> Result<SourceKind, ProfileError> {
    // A first look that copies nothing: most profiles declare no Identity Center role and no
    // aws login session.
    let sso_section = files
        .may_set(root, &FIRST_LOOK)
        .then(|| files.profile(root))
        .flatten();
    if let Some(session) = login_in(env, root, sso_section.as_ref())? {
        return Ok(session);
    }
    if let Some(section) = sso_section.as_ref().filter(|s| sso::declared(s)) {
        let role = sso::role(files, env, root, section)?;
        if let Some(a) = &role.assignment {
            debug!(
                "source credentials: IAM Identity Center, role {} in account {} ({}, profile '{root}')",
                a.role_name,
                a.account_id,
                role.login.label()
            );
        }
        return Ok(SourceKind::Sso(Box::new(role)));
    }
    if let Some(credentials) = files.keys(root) {
        debug!(
            "source credentials: profile '{root}', key {}",
            credentials.access_key_id
        );
        return Ok(SourceKind::File(credentials));
    }
    let section = sso_section.or_else(|| files.profile(root));
    let has = |key: &str| section.as_ref().is_some_and(|s| s.get(key).is_some());
    let name = || root.to_string();
    if let Some(command) = section.as_ref().and_then(|s| s.get("credential_process")) {
        debug!("source credentials: credential_process of profile '{root}'");
        return Ok(SourceKind::Process(command.to_string()));
    }
    if has("web_identity_token_file") {
        return Err(ProfileError::WebIdentityWithoutRole { name: name() });
    }
    let Some(credentials) = environment_keys(env) else {
        return Err(ProfileError::MissingKeys {
            name: name(),
            config: files.config.path.clone(),
            credentials: files.credentials.path.clone(),
        });
    };
    debug!(
        "source credentials: environment (profile '{root}' has none of its own), key {}",
        credentials.access_key_id
    );
    Ok(SourceKind::Environment(credentials))
}
