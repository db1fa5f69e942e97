//! The `credential_process` and `mfa_process` runs this run is nested in. Each aws-runas that
//! runs one of them for a profile adds `(profile, command)` to `AWS_RUNAS_PROCESS_CHAIN` in the
//! child's environment; a run about to run a process that an ancestor already ran for the same
//! profile is in a loop (`credential_process = aws-runas -j admin` under `AWS_PROFILE=admin-cp`
//! would otherwise fill the process table), and stops at the second level. A chain that does not
//! repeat itself (a process that runs aws-runas for another profile) goes on.

use std::fmt;

/// The variable carrying the chain to the processes we run.
pub const VARIABLE: &str = "AWS_RUNAS_PROCESS_CHAIN";

/// Between a profile and its command, and between entries: characters no INI value holds.
const FIELD: char = '\u{1f}';
const ENTRY: char = '\u{1e}';

/// The processes this run is nested in, outermost first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nesting(Vec<(String, String)>);

/// The exit status of a nested run that stopped a loop, or passes such a stop on.
pub const LOOP_STATUS: i32 = 3;

/// How a nested run hands its loop line to the aws-runas that ran it: on stdout (which that
/// run reads), so that only the outermost aws-runas prints the one line, on stderr.
const RELAY: &str = "aws-runas-loop: ";

/// Running a process again for the same profile: the loop, stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loop {
    /// The one line for the user, naming the profile and the command.
    message: String,
    /// This run was itself run by aws-runas: it relays the line instead of printing it.
    pub nested: bool,
}

impl Loop {
    fn new(setting: &str, profile: &str, command: &str) -> Loop {
        Loop {
            message: format!(
                "the {setting} of profile '{profile}' ('{command}') runs itself again: a loop, stopped; make the command name another profile (a positional profile wins over AWS_PROFILE in -j)"
            ),
            nested: true,
        }
    }

    /// The loop a process run by this one relayed on its stdout, if it did; `nesting` is this
    /// run's own.
    pub fn relayed(stdout: &[u8], nesting: &Nesting) -> Option<Loop> {
        let text = std::str::from_utf8(stdout).ok()?;
        let message = text.strip_prefix(RELAY)?.lines().next()?.to_string();
        Some(Loop {
            message,
            nested: !nesting.0.is_empty(),
        })
    }

    /// What a nested run prints on stdout for the run above it.
    pub fn relay(&self) -> String {
        format!("{RELAY}{}\n", self.message)
    }
}

impl fmt::Display for Loop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Loop {}

impl Nesting {
    /// The chain in `AWS_RUNAS_PROCESS_CHAIN` (unset or empty: none).
    pub fn parse(value: Option<&str>) -> Nesting {
        let entries = value
            .unwrap_or_default()
            .split(ENTRY)
            .filter_map(|entry| entry.split_once(FIELD))
            .map(|(profile, command)| (profile.to_string(), command.to_string()))
            .collect();
        Nesting(entries)
    }

    /// Whether running `command` (`setting`) for `profile` repeats what an ancestor ran.
    pub fn check(&self, setting: &str, profile: &str, command: &str) -> Result<(), Loop> {
        if self.0.iter().any(|(p, c)| p == profile && c == command) {
            return Err(Loop::new(setting, profile, command));
        }
        Ok(())
    }

    /// The value of [`VARIABLE`] for the process that runs `command` (`setting`) for `profile`,
    /// unless an ancestor ran the same one: then the loop.
    pub fn enter(&self, setting: &str, profile: &str, command: &str) -> Result<String, Loop> {
        self.check(setting, profile, command)?;
        let mut value = String::new();
        for (p, c) in self
            .0
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .chain([(profile, command)])
        {
            if !value.is_empty() {
                value.push(ENTRY);
            }
            value.push_str(p);
            value.push(FIELD);
            value.push_str(c);
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_run_again_for_the_same_profile_is_a_loop() {
        let top = Nesting::parse(None);
        let first = top
            .enter("credential_process", "dev-cp", "aws-runas -j dev-cp")
            .unwrap();
        let child = Nesting::parse(Some(&first));
        let e = child
            .enter("credential_process", "dev-cp", "aws-runas -j dev-cp")
            .unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains("'dev-cp'") && message.contains("'aws-runas -j dev-cp'"),
            "{message}"
        );
        // Another profile, or another command, is no loop; the chain grows.
        let second = child
            .enter("credential_process", "dev", "get-keys")
            .unwrap();
        let grandchild = Nesting::parse(Some(&second));
        assert_eq!(grandchild.0.len(), 2);
        assert!(grandchild
            .enter("mfa_process", "dev-cp", "ykman oath code")
            .is_ok());
        assert!(grandchild
            .enter("credential_process", "dev", "get-keys")
            .is_err());
    }

    #[test]
    fn a_loop_is_relayed_on_stdout_to_the_run_above() {
        let nested = Nesting::parse(Some("p\u{1f}c"));
        let stopped = nested.check("credential_process", "p", "c").unwrap_err();
        assert!(stopped.nested);
        let line = stopped.relay();
        // The top run (no chain) prints it; a middle one relays it again.
        let top = Loop::relayed(line.as_bytes(), &Nesting::default()).unwrap();
        assert!(!top.nested);
        assert_eq!(top.to_string(), stopped.to_string());
        assert!(Loop::relayed(line.as_bytes(), &nested).unwrap().nested);
        assert!(Loop::relayed(b"{\"Version\": 1}", &nested).is_none());
    }

    #[test]
    fn junk_in_the_variable_is_no_chain() {
        assert_eq!(Nesting::parse(Some("")), Nesting::default());
        assert_eq!(Nesting::parse(Some("nothing here")), Nesting::default());
    }
}
