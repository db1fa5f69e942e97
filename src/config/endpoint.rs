//! Which endpoint the user configured for STS (or IAM, or Identity Center's OIDC service and
//! portal), else AWS's default for the profile's region (`aws::endpoint`; `sso::Endpoints`).
//!
//! Order, as in the AWS SDKs: `AWS_ENDPOINT_URL_<SERVICE>` > `AWS_ENDPOINT_URL` > the profile's
//! `endpoint_url` > the default endpoint for the region's partition.
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns the first three off, as in the SDKs.

use super::error::EndpointError;
use super::profile::{Profile, SourceKind};
use super::sso::Endpoints;
use crate::aws::endpoint::{self, Endpoint};
use crate::env::Env;
use crate::log::debug;

/// Checks that `url` has an http(s) scheme and a host; the signer needs both.
fn validate(url: &str, origin: &str) -> Result<String, EndpointError> {
    let err = || EndpointError {
        url: url.to_string(),
        origin: origin.to_string(),
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(err)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once(':').map_or(authority, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() {
            h
        } else {
            authority
        }
    });
    if host.is_empty() || authority.contains(['@', ' ']) {
        return Err(err());
    }
    let mut clean = url.split(['?', '#']).next().unwrap_or(url).to_string();
    if !clean.ends_with('/') {
        clean.push('/');
    }
    Ok(clean)
}

/// A user-configured endpoint for `service` (`STS`, `IAM`), if any.
fn configured(
    env: &Env,
    profile: &Profile,
    service: &str,
) -> Result<Option<String>, EndpointError> {
    // The environment's setting, when there is one, beats the profile's (as every setting).
    let ignore = match env.non_empty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
        Some(v) => v.eq_ignore_ascii_case("true"),
        None => profile.ignore_configured_endpoint_urls,
    };
    if ignore {
        return Ok(None);
    }
    let var = format!("AWS_ENDPOINT_URL_{service}");
    let found = env
        .non_empty(&var)
        .map(|u| (u.to_string(), format!("environment {var}")))
        .or_else(|| {
            env.non_empty("AWS_ENDPOINT_URL")
                .map(|u| (u.to_string(), "environment AWS_ENDPOINT_URL".to_string()))
        })
        .or_else(|| {
            // The service's own setting (`[services x]`) before the profile's general one.
            let key = service.to_ascii_lowercase();
            profile
                .service_urls
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, u)| {
                    (
                        u.clone(),
                        format!("the services section of profile '{}'", profile.name()),
                    )
                })
        })
        .or_else(|| {
            profile
                .endpoint_url
                .clone()
                .map(|u| (u, format!("endpoint_url of profile '{}'", profile.name())))
        });
    match found {
        Some((url, origin)) => {
            let url = validate(&url, &origin)?;
            debug!("{service} endpoint {url} (from {origin})");
            Ok(Some(url))
        }
        None => Ok(None),
    }
}

/// The IAM endpoint for this profile: a configured one (signed for the profile's region, or
/// us-east-1), else the partition's global endpoint.
pub fn iam(env: &Env, profile: &Profile) -> Result<Endpoint, EndpointError> {
    let region = profile.region.as_deref();
    if let Some(url) = configured(env, profile, "IAM")? {
        return Ok(Endpoint {
            url,
            signing_region: region.unwrap_or("us-east-1").to_string(),
        });
    }
    let endpoint = endpoint::default_iam(region);
    debug!("IAM endpoint {} (default for the partition)", endpoint.url);
    Ok(endpoint)
}

/// Sets the Identity Center endpoints of an SSO source: configured ones (`SSO_OIDC`, `SSO`),
/// else AWS's for the login's region (what `config::sso` put there).
pub fn sso(env: &Env, profile: &mut Profile) -> Result<(), EndpointError> {
    let SourceKind::Sso(role) = &profile.source.kind else {
        return Ok(());
    };
    let defaults = &role.login.endpoints;
    let endpoints = Endpoints {
        oidc: configured(env, profile, "SSO_OIDC")?.unwrap_or_else(|| defaults.oidc.clone()),
        portal: configured(env, profile, "SSO")?.unwrap_or_else(|| defaults.portal.clone()),
    };
    if let SourceKind::Sso(role) = &mut profile.source.kind {
        role.login.endpoints = endpoints;
    }
    Ok(())
}

/// The STS endpoint for this profile.
pub fn sts(env: &Env, profile: &Profile) -> Result<Endpoint, EndpointError> {
    let region = profile.region.as_deref();
    if let Some(url) = configured(env, profile, "STS")? {
        return Ok(Endpoint {
            url,
            signing_region: region.unwrap_or("us-east-1").to_string(),
        });
    }
    let legacy = env
        .non_empty("AWS_STS_REGIONAL_ENDPOINTS")
        .or(profile.sts_regional_endpoints.as_deref())
        .is_some_and(|v| v.eq_ignore_ascii_case("legacy"));
    let endpoint = endpoint::default_sts(region, legacy);
    debug!(
        "STS endpoint {} (default for region {})",
        endpoint.url, endpoint.signing_region
    );
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::profile::{Source, SourceKind, Target, SESSION_DURATION};
    use crate::credentials::{Credentials, Secret};

    fn profile(region: Option<&str>, endpoint_url: Option<&str>) -> Profile {
        Profile {
            origins: Default::default(),
            mfa_process: None,
            target: Target::Profile("p".into()),
            region: region.map(str::to_string),
            source: Source {
                profile: "p".into(),
                kind: SourceKind::File(Credentials {
                    access_key_id: "AKIA".into(),
                    secret_access_key: Secret::new("s"),
                    session_token: None,
                    expiration: None,
                }),
            },
            roles: vec![],
            mfa_serial: None,
            session_duration: SESSION_DURATION.default,
            endpoint_url: endpoint_url.map(str::to_string),
            service_urls: Vec::new(),
            ignore_configured_endpoint_urls: false,
            ca_bundle: None,
            sts_regional_endpoints: None,
            nesting: Default::default(),
        }
    }

    #[test]
    fn precedence() {
        let p = profile(Some("eu-west-1"), Some("http://profile:1"));
        let env = Env::from_pairs(&[
            ("AWS_ENDPOINT_URL", "http://general:2"),
            ("AWS_ENDPOINT_URL_STS", "http://sts:3"),
        ]);
        assert_eq!(sts(&env, &p).unwrap().url, "http://sts:3/");
        let env = Env::from_pairs(&[("AWS_ENDPOINT_URL", "http://general:2")]);
        assert_eq!(sts(&env, &p).unwrap().url, "http://general:2/");
        let e = sts(&Env::default(), &p).unwrap();
        assert_eq!(
            (e.url.as_str(), e.signing_region.as_str()),
            ("http://profile:1/", "eu-west-1")
        );
        let env = Env::from_pairs(&[
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ("AWS_ENDPOINT_URL", "http://x:1"),
        ]);
        assert_eq!(
            sts(&env, &p).unwrap().url,
            "https://sts.eu-west-1.amazonaws.com/"
        );
    }

    #[test]
    fn defaults_by_partition() {
        let env = Env::default();
        assert_eq!(
            sts(&env, &profile(None, None)).unwrap().url,
            "https://sts.amazonaws.com/"
        );
        let cn = sts(&env, &profile(Some("cn-north-1"), None)).unwrap();
        assert_eq!(
            (cn.url.as_str(), cn.signing_region.as_str()),
            ("https://sts.cn-north-1.amazonaws.com.cn/", "cn-north-1")
        );
        let legacy = Env::from_pairs(&[("AWS_STS_REGIONAL_ENDPOINTS", "legacy")]);
        let g = sts(&legacy, &profile(Some("eu-west-1"), None)).unwrap();
        assert_eq!(
            (g.url.as_str(), g.signing_region.as_str()),
            ("https://sts.amazonaws.com/", "us-east-1")
        );
    }

    #[test]
    fn bad_urls_are_named() {
        let env = Env::from_pairs(&[("AWS_ENDPOINT_URL", "localhost:5000")]);
        let e = sts(&env, &profile(None, None)).unwrap_err().to_string();
        assert!(
            e.contains("'localhost:5000'") && e.contains("AWS_ENDPOINT_URL"),
            "{e}"
        );
        let env = Env::from_pairs(&[("AWS_ENDPOINT_URL", "http://")]);
        assert!(sts(&env, &profile(None, None)).is_err());
    }
}
