//! Is there a newer release (`-u`)? One HEAD request to the release page's "latest" URL, whose
//! redirect (never followed) names the newest tag in the last segment of its `Location`; the tag
//! and this build's version compared as semantic versions.
//!
//! The URL: `AWS_RUNAS_UPDATE_URL`, else `<repository>/releases/latest` for the repository this
//! build was made from (Cargo.toml's `repository`). A build that names none says so.

use std::cmp::Ordering;
use std::fmt;

use crate::aws::http::{Agent, HttpError};
use crate::env::Env;

/// This build's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The repository this build was made from (empty when Cargo.toml names none).
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Why the check could not say.
#[derive(Debug)]
pub enum UpdateError {
    /// No URL to ask.
    NoUrl,
    Transport {
        url: String,
        error: HttpError,
    },
    /// An answer that is not a redirect to a release.
    Status {
        url: String,
        status: u16,
    },
    NoLocation {
        url: String,
    },
    /// The tag is not a version.
    BadTag {
        url: String,
        tag: String,
    },
}

impl fmt::Display for UpdateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lead = "cannot check for a newer release";
        match self {
            UpdateError::NoUrl => write!(
                f,
                "{lead}: this build names no release page; set AWS_RUNAS_UPDATE_URL to the releases' \"latest\" URL"
            ),
            UpdateError::Transport { url, error } => write!(f, "{lead}: {url}: {error}"),
            UpdateError::Status { url, status } => write!(
                f,
                "{lead}: {url} answered HTTP {status}, not a redirect to the latest release"
            ),
            UpdateError::NoLocation { url } => write!(
                f,
                "{lead}: {url} answered a redirect without a Location"
            ),
            UpdateError::BadTag { url, tag } => write!(
                f,
                "{lead}: the latest release at {url} is tagged '{tag}', which is not a version"
            ),
        }
    }
}

impl std::error::Error for UpdateError {}

/// What the check found: the latest release's tag, its page, and how this build compares.
pub struct Check {
    pub tag: String,
    pub download: String,
    /// This build against the latest release.
    pub order: Ordering,
}

/// Asks the release page which release is the latest.
pub fn check(env: &Env) -> Result<Check, UpdateError> {
    let url =
        release_url(env.non_empty("AWS_RUNAS_UPDATE_URL"), REPOSITORY).ok_or(UpdateError::NoUrl)?;
    let (tag, download) = latest(&Agent::new(), &url)?;
    let order = compare(VERSION, &tag, &url)?;
    Ok(Check {
        tag,
        download,
        order,
    })
}

/// The "latest release" URL to ask: `given` (`AWS_RUNAS_UPDATE_URL`), else the releases of
/// `repository` (Cargo.toml's, when it names one).
fn release_url(given: Option<&str>, repository: &str) -> Option<String> {
    match given {
        Some(url) => Some(url.to_string()),
        None if !repository.trim().is_empty() => Some(format!(
            "{}/releases/latest",
            repository.trim().trim_end_matches('/')
        )),
        None => None,
    }
}

/// The latest release's tag and page, from the redirect `url` answers with.
fn latest(agent: &Agent, url: &str) -> Result<(String, String), UpdateError> {
    let response = agent.head(url).map_err(|error| UpdateError::Transport {
        url: url.to_string(),
        error,
    })?;
    if !(300..400).contains(&response.status) {
        return Err(UpdateError::Status {
            url: url.to_string(),
            status: response.status,
        });
    }
    let location =
        response
            .location
            .filter(|l| !l.is_empty())
            .ok_or_else(|| UpdateError::NoLocation {
                url: url.to_string(),
            })?;
    let download = absolute(url, &location);
    let path = download.split(['?', '#']).next().unwrap_or_default();
    let tag = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    Ok((tag.to_string(), download))
}

/// `location` made absolute against `base` (a redirect may give a path only).
fn absolute(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let origin_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|j| start + j))
        .unwrap_or(base.len());
    if location.starts_with('/') {
        format!("{}{location}", &base[..origin_end])
    } else {
        let dir = base
            .rfind('/')
            .filter(|&i| i >= origin_end)
            .unwrap_or(base.len());
        format!("{}/{location}", &base[..dir])
    }
}

/// This build's version against the tag, as semantic versions.
fn compare(ours: &str, tag: &str, url: &str) -> Result<Ordering, UpdateError> {
    let bad = || UpdateError::BadTag {
        url: url.to_string(),
        tag: tag.to_string(),
    };
    let theirs = Version::parse(tag).ok_or_else(bad)?;
    let ours = Version::parse(ours).ok_or_else(bad)?;
    Ok(ours.cmp(&theirs))
}

/// A semantic version: `[v]MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]` (a missing minor or patch is
/// 0, as release tags such as `v2.1` mean).
#[derive(Debug, PartialEq, Eq)]
struct Version {
    core: [u64; 3],
    pre: Vec<String>,
}

impl Version {
    fn parse(text: &str) -> Option<Version> {
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let text = text.split('+').next()?;
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, pre.split('.').map(str::to_string).collect()),
            None => (text, Vec::new()),
        };
        let mut numbers = [0u64; 3];
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *slot = part.parse().ok()?;
        }
        if pre.iter().any(String::is_empty) {
            return None;
        }
        Some(Version { core: numbers, pre })
    }
}

impl Ord for Version {
    /// SemVer 2.0.0 precedence: the numbers, then a pre-release before its release, then the
    /// pre-release identifiers one by one (numbers numerically and before words).
    fn cmp(&self, other: &Self) -> Ordering {
        self.core
            .cmp(&other.core)
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let order = match (a.parse::<u64>(), b.parse::<u64>()) {
                            (Ok(x), Ok(y)) => x.cmp(&y),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => a.cmp(b),
                        };
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn the_release_page_is_the_repository_s_unless_one_is_given() {
        let repo = "https://github.com/o/aws-runas/";
        assert_eq!(
            release_url(None, repo).as_deref(),
            Some("https://github.com/o/aws-runas/releases/latest")
        );
        assert_eq!(
            release_url(Some("https://x/latest"), repo).as_deref(),
            Some("https://x/latest")
        );
        assert_eq!(release_url(None, ""), None);
    }

    #[test]
    fn semantic_version_order() {
        // SemVer 2.0.0's own example chain.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "1.10.0",
            "2.0.0",
        ];
        for pair in chain.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("v1.2.3"), v("1.2.3+build.5"));
        assert_eq!(v("v2.1"), v("2.1.0"));
        for bad in [
            "",
            "latest",
            "1..2",
            "1.2.3.4",
            "1.2.x",
            "1.2.3-",
            "1.2.3-a..b",
            "v",
        ] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn relative_locations_are_made_absolute() {
        let base = "https://example.com/o/r/releases/latest";
        assert_eq!(
            absolute(base, "/o/r/releases/tag/v1.2.3"),
            "https://example.com/o/r/releases/tag/v1.2.3"
        );
        assert_eq!(
            absolute(base, "tag/v1"),
            "https://example.com/o/r/releases/tag/v1"
        );
        assert_eq!(absolute(base, "https://x.test/t/v9"), "https://x.test/t/v9");
    }
}
