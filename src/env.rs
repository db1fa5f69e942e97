//! The process environment, captured once in `main`.
//!
//! Nothing else in the program reads environment variables: every module gets what it needs from
//! an [`Env`], and tests build one by hand instead of mutating the process environment. The one
//! exception is the HTTP crate's proxy support (see `aws/http.rs`).

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

/// A snapshot of the environment, in the order the process received it.
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: Vec<(OsString, OsString)>,
}

impl Env {
    /// Reads the whole process environment.
    pub fn capture() -> Env {
        Env {
            vars: std::env::vars_os().collect(),
        }
    }

    /// Builds an environment from name/value pairs (for tests).
    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Env {
        Env {
            vars: pairs
                .iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v)))
                .collect(),
        }
    }

    /// The value of `name` when it is set and valid UTF-8 (an empty value counts as set).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_os(name).and_then(|v| v.to_str())
    }

    /// The value of `name` when it is set and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// The raw value of `name`, if set.
    pub fn get_os(&self, name: &str) -> Option<&OsStr> {
        self.vars
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_os_str())
    }

    /// Whether `name` is set at all, even to an empty value.
    pub fn is_set(&self, name: &str) -> bool {
        self.get_os(name).is_some()
    }

    /// The user's home directory (`HOME`, or `USERPROFILE` on Windows).
    pub fn home(&self) -> Option<PathBuf> {
        self.get_os("HOME")
            .or_else(|| self.get_os("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
    }

    /// Every variable, for building a child's environment.
    pub fn vars(&self) -> &[(OsString, OsString)] {
        &self.vars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_set_but_not_non_empty() {
        let env = Env::from_pairs(&[("AWS_PROFILE", ""), ("A", "1"), ("A", "2")]);
        assert!(env.is_set("AWS_PROFILE"));
        assert_eq!(env.non_empty("AWS_PROFILE"), None);
        assert_eq!(env.get("A"), Some("2"));
        assert!(!env.is_set("B"));
    }
}
