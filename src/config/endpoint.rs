//! Which endpoint the user configured for STS (or IAM, or Identity Center's OIDC service and
//! portal), else AWS's default for the profile's region (`aws::endpoint`; `sso::Endpoints`).
//!
//! Order, as in the AWS SDKs: `AWS_ENDPOINT_URL_<SERVICE>` > `AWS_ENDPOINT_URL` > the profile's
//! `endpoint_url` > the default endpoint for the region's partition.
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns the first three off, as in the SDKs.

use super::error::{EndpointError, EndpointProblem};
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
        problem: EndpointProblem::Invalid,
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

/// A user-configured endpoint for `service` (`SSO_OIDC`, `SSO`) that is sent a bearer token:
/// `https://`, or plain `http://` only to this machine (a stand-in or an emulator), since the
/// token would otherwise travel in clear text. No profile: the environment's only.
fn token_safe(
    env: &Env,
    profile: Option<&Profile>,
    service: &str,
) -> Result<Option<String>, EndpointError> {
    let Some(Configured { url, origin }) = configured(env, profile, service)? else {
        return Ok(None);
    };
    match url.strip_prefix("http://") {
        Some(rest) if !loopback(rest.split('/').next().unwrap_or_default()) => Err(EndpointError {
            url,
            origin,
            problem: EndpointProblem::Cleartext,
        }),
        _ => Ok(Some(url)),
    }
}

/// Whether `authority` (`host[:port]`) names this machine: `localhost`, 127.0.0.0/8 or `[::1]`.
fn loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// An endpoint URL the user configured, and where.
struct Configured {
    url: String,
    origin: String,
}

/// A user-configured endpoint for `service` (`STS`, `IAM`, ...), if any: the environment's, then
/// `profile`'s (none: a login no profile names, `--sso-logout --all`'s).
fn configured(
    env: &Env,
    profile: Option<&Profile>,
    service: &str,
) -> Result<Option<Configured>, EndpointError> {
    // The environment's setting, when there is one, beats the profile's (as every setting).
    let ignore = match env.non_empty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
        Some(v) => v.eq_ignore_ascii_case("true"),
        None => profile.is_some_and(|p| p.ignore_configured_endpoint_urls),
    };
    if ignore {
        return Ok(None);
    }
    let var = format!("AWS_ENDPOINT_URL_{service}");
    let found = env
        .non_empty(&var)
        .map(|u| Configured {
            url: u.to_string(),
            origin: format!("environment {var}"),
        })
        .or_else(|| {
            env.non_empty("AWS_ENDPOINT_URL").map(|u| Configured {
                url: u.to_string(),
                origin: "environment AWS_ENDPOINT_URL".to_string(),
            })
        })
        .or_else(|| {
            // The service's own setting (`[services x]`) before the profile's general one.
            let key = service.to_ascii_lowercase();
            let profile = profile?;
            profile
                .service_urls
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, u)| Configured {
                    url: u.clone(),
                    origin: format!("the services section of profile '{}'", profile.name()),
                })
        })
        .or_else(|| {
            let profile = profile?;
            profile.endpoint_url.clone().map(|u| Configured {
                url: u,
                origin: format!("endpoint_url of profile '{}'", profile.name()),
            })
        });
    match found {
        Some(Configured { url, origin }) => {
            let url = validate(&url, &origin)?;
            debug!("{service} endpoint {url} (from {origin})");
            Ok(Some(Configured { url, origin }))
        }
        None => Ok(None),
    }
}

/// The IAM endpoint for this profile: a configured one (signed for the profile's region, or
/// us-east-1), else the partition's global endpoint.
pub fn iam(env: &Env, profile: &Profile) -> Result<Endpoint, EndpointError> {
    let region = profile.region.as_deref();
    if let Some(Configured { url, .. }) = configured(env, Some(profile), "IAM")? {
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
    let endpoints = sso_endpoints(env, Some(profile), &role.login.endpoints)?;
    if let SourceKind::Sso(role) = &mut profile.source.kind {
        role.login.endpoints = endpoints;
    }
    Ok(())
}

/// Completes a login source's refresh settings: AWS Sign-In's endpoint when configured
/// (`SIGNIN`, sent a refresh token: https, or http to this machine only), and the run's region
/// when the login profile names none (SPEC §13: the login's own region first).
pub fn login(env: &Env, profile: &mut Profile) -> Result<(), EndpointError> {
    let SourceKind::Login(session) = &profile.source.kind else {
        return Ok(());
    };
    let endpoint = signin(env, Some(profile))?;
    let region = session.region.clone().or_else(|| profile.region.clone());
    if let SourceKind::Login(session) = &mut profile.source.kind {
        session.endpoint = endpoint;
        session.region = region;
    }
    Ok(())
}

/// AWS Sign-In's endpoint as configured for `profile`, or in the environment alone (none: a
/// profile not made yet, `--login`'s); none: AWS's for the region.
pub fn signin(env: &Env, profile: Option<&Profile>) -> Result<Option<String>, EndpointError> {
    token_safe(env, profile, "SIGNIN")
}

/// The Identity Center endpoints configured for `profile` (none: in the environment alone, for
/// a login no profile names), else `defaults` (AWS's for the login's region).
pub fn sso_endpoints(
    env: &Env,
    profile: Option<&Profile>,
    defaults: &Endpoints,
) -> Result<Endpoints, EndpointError> {
    Ok(Endpoints {
        oidc: token_safe(env, profile, "SSO_OIDC")?.unwrap_or_else(|| defaults.oidc.clone()),
        portal: token_safe(env, profile, "SSO")?.unwrap_or_else(|| defaults.portal.clone()),
    })
}

/// The STS endpoint for this profile.
pub fn sts(env: &Env, profile: &Profile) -> Result<Endpoint, EndpointError> {
    let region = profile.region.as_deref();
    if let Some(Configured { url, .. }) = configured(env, Some(profile), "STS")? {
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

    #[test]
    fn a_token_goes_over_plain_http_only_to_this_machine() {
        for local in [
            "localhost:8080",
            "127.0.0.1",
            "127.3.4.5:1",
            "[::1]:9000",
            "LOCALHOST",
        ] {
            assert!(loopback(local), "{local}");
        }
        for remote in [
            "example.com",
            "10.0.0.1:80",
            "127.0.0.1.nip.io",
            "[::2]",
            "localhost.evil",
        ] {
            assert!(!loopback(remote), "{remote}");
        }
        let sso = |url: &str| {
            let env = Env::from_pairs(&[("AWS_ENDPOINT_URL_SSO", url)]);
            token_safe(&env, Some(&profile(None, None)), "SSO")
        };
        let error = sso("http://portal.example.com/").unwrap_err();
        assert_eq!(error.problem, EndpointProblem::Cleartext);
        assert!(
            error
                .to_string()
                .contains("'http://portal.example.com/' in environment AWS_ENDPOINT_URL_SSO"),
            "{error}"
        );
        assert!(sso("http://127.0.0.1:4000").is_ok());
        assert!(sso("https://portal.example.com/").is_ok());
        // STS and IAM sign their requests instead of sending a token: plain http stays theirs.
        let env = Env::from_pairs(&[("AWS_ENDPOINT_URL", "http://sts.example.com/")]);
        assert!(sts(&env, &profile(None, None)).is_ok());
    }

    #[test]
    fn a_login_no_profile_names_takes_the_environment_s_endpoints_only() {
        let defaults = Endpoints::default_for("eu-west-1");
        let with = |pairs: &[(&str, &str)]| {
            sso_endpoints(&Env::from_pairs(pairs), None, &defaults).unwrap()
        };
        assert_eq!(with(&[]), defaults);
        let set = with(&[("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9/")]);
        assert_eq!(set.portal, "http://127.0.0.1:9/");
        assert_eq!(set.oidc, defaults.oidc);
        let ignored = [
            ("AWS_ENDPOINT_URL", "https://all.example.com"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ];
        assert_eq!(with(&ignored), defaults);
        let env = Env::from_pairs(&[("AWS_ENDPOINT_URL_SSO", "http://portal.example.com/")]);
        assert!(sso_endpoints(&env, None, &defaults).is_err());
    }

    #[test]
    fn a_login_source_gets_its_sign_in_endpoint_and_region() {
        use crate::config::login::LoginSession;
        let source = |own: Option<&str>, run: Option<&str>| {
            let mut p = profile(run, None);
            p.source.kind = SourceKind::Login(LoginSession {
                arn: "arn:aws:sts::1:assumed-role/A/a".into(),
                cache_dir: "/c".into(),
                region: own.map(str::to_string),
                endpoint: None,
            });
            p
        };
        let session = |env: &Env, mut p: Profile| {
            login(env, &mut p).map(|()| match p.source.kind {
                SourceKind::Login(s) => (s.endpoint, s.region),
                _ => unreachable!(),
            })
        };
        let none = Env::default();
        let pair =
            |e: Option<&str>, r: Option<&str>| Ok((e.map(str::to_string), r.map(str::to_string)));
        // The login profile's own region first, else the run's; no endpoint configured.
        assert_eq!(
            session(&none, source(Some("us-east-2"), Some("eu-west-1"))),
            pair(None, Some("us-east-2"))
        );
        assert_eq!(
            session(&none, source(None, Some("eu-west-1"))),
            pair(None, Some("eu-west-1"))
        );
        assert_eq!(session(&none, source(None, None)), pair(None, None));
        let env = Env::from_pairs(&[("AWS_ENDPOINT_URL_SIGNIN", "http://127.0.0.1:9/base")]);
        assert_eq!(
            session(&env, source(None, None)),
            pair(Some("http://127.0.0.1:9/base/"), None)
        );
        // A refresh token is never sent in clear text off this machine.
        let env = Env::from_pairs(&[("AWS_ENDPOINT_URL_SIGNIN", "http://signin.example/")]);
        let e = session(&env, source(None, None)).unwrap_err();
        assert_eq!(e.problem, EndpointProblem::Cleartext);
    }
}
