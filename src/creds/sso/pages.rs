//! Which pages a login opens in the person's browser: only the login service's own. A page the
//! service names (the device flow's verification URL) is input like any other, and a `file://`
//! URL, an option (`--version`) or another site's page is never opened: the login says it, for
//! the user to check. The service's own: an `https://` URL on a host of IAM Identity Center's
//! domains in any partition, or a URL on the configured OIDC endpoint's own scheme, host and
//! port (a stand-in on this machine, over the plain http `config/endpoint.rs` allows only there).

/// The domains of IAM Identity Center's pages in every partition: its portals (`awsapps`) and
/// its services (`amazonaws`; China's `amazonaws.com.cn`).
const DOMAINS: &[&str] = &[
    "awsapps.com",
    "awsapps.cn",
    "amazonaws.com",
    "amazonaws.com.cn",
    "amazonaws.cn",
];

/// Whether `url` is a page of the login service whose OIDC endpoint is `oidc`.
pub fn is_login_page(url: &str, oidc: &str) -> bool {
    let Some(page) = Origin::of(url) else {
        return false;
    };
    Origin::of(oidc).as_ref() == Some(&page)
        || (page.scheme == "https" && aws_host(&page.authority))
}

/// Where a URL leads: its scheme and authority (`host[:port]`), lowercase.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    authority: String,
}

impl Origin {
    /// The origin of `url`, when it is made of printable ASCII only, has an authority and no
    /// user in it, and no backslash (which a browser reads as a slash:
    /// `https://phish.example\.amazonaws.com/` is a page of phish.example).
    fn of(url: &str) -> Option<Origin> {
        if !url.bytes().all(|b| b.is_ascii_graphic()) || url.contains('\\') {
            return None;
        }
        let (scheme, rest) = url.split_once("://")?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        Some(Origin {
            scheme: scheme.to_ascii_lowercase(),
            authority: authority.to_ascii_lowercase(),
        })
    }
}

/// Whether `authority` (`host[:port]`, lowercase) is a host under one of [`DOMAINS`]: labels of
/// letters, digits and hyphens, at least one before the domain.
fn aws_host(authority: &str) -> bool {
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return false,
        None => authority,
    };
    let labels = host.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    labels
        && DOMAINS.iter().any(|domain| {
            host.strip_suffix(domain)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OIDC: &str = "https://oidc.eu-west-1.amazonaws.com/";

    #[test]
    fn the_service_s_own_pages_are_login_pages() {
        for url in [
            "https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH",
            "https://d-1234567890.awsapps.com/start/#/device?user_code=ABCD-EFGH",
            "https://D-1234567890.AWSAPPS.COM:443/start",
            "https://device.sso.cn-north-1.amazonaws.com.cn/",
            "https://d-1234567890.awsapps.cn/start",
            "https://oidc.eu-west-1.amazonaws.com/authorize?response_type=code&client_id=x",
        ] {
            assert!(is_login_page(url, OIDC), "{url}");
        }
        // A stand-in configured as the OIDC endpoint on this machine: its own pages only.
        let standin = "http://127.0.0.1:8080/";
        assert!(is_login_page(
            "http://127.0.0.1:8080/device?user_code=X",
            standin
        ));
        assert!(is_login_page("http://127.0.0.1:8080", standin));
        assert!(!is_login_page("http://127.0.0.1:8081/device", standin));
        assert!(!is_login_page("http://localhost:8080/device", standin));
        assert!(!is_login_page(
            "http://device.sso.eu-west-1.amazonaws.com/",
            standin
        ));
    }

    #[test]
    fn anything_else_is_not_opened() {
        for url in [
            "file:///etc/passwd",
            "--version",
            "-https://device.sso.eu-west-1.amazonaws.com/",
            "http://phish.example/login",
            "https://phish.example/login",
            "http://device.sso.eu-west-1.amazonaws.com/",
            "javascript://device.sso.eu-west-1.amazonaws.com/%0aalert(1)",
            "https://amazonaws.com/",
            "https://.amazonaws.com/",
            "https://x..amazonaws.com/",
            "https://evilamazonaws.com/",
            "https://amazonaws.com.phish.example/",
            "https://device.sso.eu-west-1.amazonaws.com.phish.example/",
            "https://device.sso.eu-west-1.amazonaws.com.:443/",
            "https://device.sso.eu-west-1.amazonaws.com:x/",
            "https://device.sso.eu-west-1.amazonaws.com@phish.example/",
            "https://phish.example\\.amazonaws.com/",
            "https://phish.example%2f.amazonaws.com/",
            "https://phish.example\t.amazonaws.com/",
            "https://device.sso.eu-west-1.amazonaws.com/ x",
            "https://xn--ph-ish.example/\u{e9}.amazonaws.com",
            "",
            "https://",
            "https:///device.sso.eu-west-1.amazonaws.com/",
        ] {
            assert!(!is_login_page(url, OIDC), "{url:?}");
        }
    }
}
