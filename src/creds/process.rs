//! `credential_process`: a command that prints credentials as JSON (Version 1), run as the AWS
//! CLI runs it: split like a POSIX shell would split it but without a shell, stdout captured,
//! stderr left to the user (it may prompt there), run only when the credentials are needed (a
//! cached role needs none).

use std::process::{Command, Stdio};

use serde::Deserialize;

use super::error::CredsError;
use super::provider::{Ctx, Fetched, Provider};
use crate::credentials::{Credentials, Secret};
use crate::log::debug;
use crate::nesting::{self, Loop, Nesting};
use crate::shell;
use crate::time::{self, rfc3339};

/// Runs a profile's `credential_process`.
pub struct CredentialProcess {
    /// The profile that names the command.
    pub profile: String,
    pub command: String,
    /// The processes this run is nested in: running this one again for the same profile is a
    /// loop.
    pub nesting: Nesting,
}

/// What the command prints.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Output {
    version: u32,
    access_key_id: String,
    secret_access_key: String,
    #[serde(default)]
    session_token: Option<String>,
    #[serde(default)]
    expiration: Option<String>,
}

impl CredentialProcess {
    fn error(&self, message: impl Into<String>) -> CredsError {
        CredsError::Process {
            profile: self.profile.clone(),
            message: message.into(),
        }
    }

    /// Runs the command and reads what it prints.
    fn run(&self) -> Result<Credentials, CredsError> {
        let chain = self
            .nesting
            .enter("credential_process", &self.profile, &self.command)
            .map_err(CredsError::Loop)?;
        let words =
            shell::split(&self.command).map_err(|why| self.error(format!("it has {why}")))?;
        let Some((program, args)) = words.split_first() else {
            return Err(self.error("it is empty"));
        };
        debug!(
            "running the credential_process of profile '{}': {program}",
            self.profile
        );
        let output = Command::new(program)
            .args(args)
            .env(nesting::VARIABLE, chain)
            .stdin(Stdio::inherit())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| self.error(format!("cannot run {program}: {e}")))?;
        if !output.status.success() {
            // A nested aws-runas that stopped a loop relays its line to us, to say once.
            if let Some(stopped) = Loop::relayed(&output.stdout, &self.nesting) {
                return Err(CredsError::Loop(stopped));
            }
            return Err(self.error(format!("{program} failed ({})", output.status)));
        }
        let printed: Output = serde_json::from_slice(&output.stdout)
            .map_err(|e| self.error(format!("{program} printed no credentials JSON ({e})")))?;
        self.credentials(printed)
    }

    /// Checks what the command printed, as the CLI checks it.
    fn credentials(&self, printed: Output) -> Result<Credentials, CredsError> {
        if printed.version != 1 {
            return Err(self.error(format!(
                "it printed Version {}; only Version 1 is known",
                printed.version
            )));
        }
        if printed.access_key_id.is_empty() || printed.secret_access_key.is_empty() {
            return Err(self.error("it printed no AccessKeyId or SecretAccessKey"));
        }
        let expiration = match printed.expiration.as_deref() {
            None => None,
            Some(text) => {
                let at = rfc3339::parse(text)
                    .ok_or_else(|| self.error(format!("it printed a bad Expiration '{text}'")))?;
                if at <= time::unix_now() {
                    return Err(self.error(format!("the credentials it printed expired at {text}")));
                }
                Some(at)
            }
        };
        Ok(Credentials {
            access_key_id: printed.access_key_id,
            secret_access_key: Secret::new(printed.secret_access_key),
            session_token: printed
                .session_token
                .filter(|t| !t.is_empty())
                .map(Secret::new),
            expiration,
        })
    }
}

impl Provider for CredentialProcess {
    fn retrieve(&self, _ctx: &mut Ctx<'_>) -> Result<Fetched, CredsError> {
        self.run().map(Fetched::bare)
    }

    fn describe(&self) -> String {
        format!("CredentialProcess({})", self.profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(command: &str) -> CredentialProcess {
        CredentialProcess {
            profile: "p".into(),
            command: command.into(),
            nesting: Nesting::default(),
        }
    }

    #[test]
    fn what_the_command_prints_is_checked() {
        let p = process("x");
        let parse = |json: &str| p.credentials(serde_json::from_str(json).unwrap());
        let c = parse(r#"{"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"s"}"#).unwrap();
        assert_eq!((c.access_key_id.as_str(), c.expiration), ("AKIA", None));
        let c = parse(r#"{"Version":1,"AccessKeyId":"ASIA","SecretAccessKey":"s","SessionToken":"t","Expiration":"2100-01-01T00:00:00Z"}"#).unwrap();
        assert!(c.session_token.is_some() && c.expiration.is_some());
        for (bad, says) in [
            (
                r#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"}"#,
                "Version 2",
            ),
            (
                r#"{"Version":1,"AccessKeyId":"","SecretAccessKey":"s"}"#,
                "no AccessKeyId",
            ),
            (
                r#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2001-01-01T00:00:00Z"}"#,
                "expired",
            ),
            (
                r#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"soon"}"#,
                "bad Expiration",
            ),
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("profile 'p'"), "{e}");
        }
    }

    #[test]
    fn failures_of_the_command_are_named() {
        let e = process("false").run().unwrap_err().to_string();
        assert!(e.contains("false failed"), "{e}");
        let e = process("/nonexistent/get-creds")
            .run()
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot run /nonexistent/get-creds"), "{e}");
        let e = process("echo not json").run().unwrap_err().to_string();
        assert!(e.contains("printed no credentials JSON"), "{e}");
        let e = process("echo 'open").run().unwrap_err().to_string();
        assert!(e.contains("unclosed single quote"), "{e}");
    }
}
