//! Where a profile was looked for, and the closest name there: the rest of a "not found"
//! message ([`Searched`]), and the typo's likely meaning ([`closest`]); and the rest of a "does
//! not use IAM Identity Center" message, the profiles that do ([`Users`]).

use std::fmt;
use std::path::PathBuf;

/// Where a profile was looked for, and what was there instead: for the "not found" messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Searched {
    pub config: PathBuf,
    pub credentials: PathBuf,
    /// How many profiles the two files hold.
    pub count: usize,
    /// The closest profile name, when one is close.
    pub suggestion: Option<String>,
    /// Neither file exists.
    pub no_files: bool,
}

impl fmt::Display for Searched {
    /// The rest of a "not found" sentence: ` in <files> (3 profiles; did you mean 'admin'?)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (config, credentials) = (self.config.display(), self.credentials.display());
        if self.no_files {
            return write!(
                f,
                ": neither {config} nor {credentials} exists; create them with `aws configure`, or set AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE to yours"
            );
        }
        let plural = if self.count == 1 { "" } else { "s" };
        write!(
            f,
            " in {config} or {credentials} ({} profile{plural}",
            self.count
        )?;
        match &self.suggestion {
            Some(name) => write!(f, "; did you mean '{name}'?)"),
            None => write!(f, ")"),
        }
    }
}

/// Who in the config uses IAM Identity Center: the rest of the message that a profile does not
/// (`config::logins::users` finds them): the profiles that do, the closest to the name first and
/// bounded, else the sso-sessions no profile names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Users {
    pub profiles: Vec<String>,
    /// How many more profiles do than are listed.
    pub more: usize,
    /// The `[sso-session NAME]` sections, when no profile uses a login.
    pub sessions: Vec<String>,
}

impl fmt::Display for Users {
    /// The rest of "profile 'x' does not use IAM Identity Center": who does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.profiles.is_empty() {
            write!(f, "; these do: {}", self.profiles.join(", "))?;
            if self.more > 0 {
                write!(f, " (and {} more)", self.more)?;
            }
            return Ok(());
        }
        if !self.sessions.is_empty() {
            let quoted: Vec<String> = self.sessions.iter().map(|s| format!("'{s}'")).collect();
            return write!(
                f,
                "; no profile does, but the config has sso-session {} (--all: every sso-session)",
                quoted.join(", ")
            );
        }
        write!(
            f,
            ", nor does any profile of the config (no sso_session or sso_start_url in one)"
        )
    }
}

/// The candidate closest to `name` by edit distance (ignoring case), when it is close: at most
/// a third of the name's length apart (at least 1), or `name` is a prefix of it.
pub fn closest<'a>(name: &str, candidates: &'a [String]) -> Option<&'a str> {
    let wanted = name.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| {
            let lower = c.to_lowercase();
            let d = if lower.starts_with(&wanted) && !wanted.is_empty() {
                1
            } else {
                edit_distance(&wanted, &lower)
            };
            (d, c.as_str())
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance by characters, a swap of two neighbours counting as one edit (optimal string
/// alignment): `admni` is one edit from `admin`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * width + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[(i - 1) * width + j] + 1)
                    .min(d[i * width + j - 1] + 1)
                    .min(d[(i - 1) * width + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[(i - 2) * width + j - 2] + 1);
                }
                best
            };
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names() {
        let names: Vec<String> = ["admin", "dev", "default", "prod-ops", "Staging"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (typo, want) in [
            ("admni", Some("admin")),
            ("amdin", Some("admin")),
            ("adm", Some("admin")),
            ("staging", Some("Staging")),
            ("deb", Some("dev")),
            ("prod-opps", Some("prod-ops")),
            ("production", None),
            ("x", None),
            ("", None),
        ] {
            assert_eq!(closest(typo, &names), want, "{typo}");
        }
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("admni", "admin"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
