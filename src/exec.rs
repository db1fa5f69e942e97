//! Runs the wrapped command with our credentials.
//!
//! The child's environment is built by subtraction, then addition: every stale credential
//! variable and `AWS_PROFILE` removed (so no SDK picks a profile or old keys over ours), then our
//! variables added. On Unix the process is replaced (exec) rather than spawned, so the command's
//! exit status, signals and terminal are its own and nothing of ours lingers.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::process::Command;

/// The command could not be started.
#[derive(Debug)]
pub struct ExecError {
    pub program: String,
    pub error: std::io::Error,
    /// Why the program was what it was, when that is likely the mistake.
    pub hint: Option<String>,
}

impl ExecError {
    /// 127 for a command that is not found and 126 for one that cannot be run, as shells do.
    pub fn exit_code(&self) -> i32 {
        match self.error.kind() {
            std::io::ErrorKind::NotFound => 127,
            _ => 126,
        }
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let program = &self.program;
        match self.error.kind() {
            std::io::ErrorKind::NotFound => write!(f, "{program}: command not found"),
            std::io::ErrorKind::PermissionDenied => {
                write!(f, "{program}: permission denied (not executable)")
            }
            _ => write!(f, "{program}: cannot run: {}", self.error),
        }?;
        match &self.hint {
            Some(hint) => write!(f, " ({hint})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for ExecError {}

/// Variables that would compete with the credentials we hand over.
const REMOVED: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWSRUNAS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// The child's environment: the caller's, less [`REMOVED`] (unless we set it again), plus `ours`.
/// Regions the caller set are kept when we have none.
pub fn child_env(
    parent: &[(OsString, OsString)],
    ours: &[(&'static str, String)],
) -> Vec<(OsString, OsString)> {
    child_env_without(parent, ours, &[])
}

/// [`child_env`], also without `removed`, and without any variable of the caller's that `ours`
/// sets again.
pub fn child_env_without(
    parent: &[(OsString, OsString)],
    ours: &[(&'static str, String)],
    removed: &[&str],
) -> Vec<(OsString, OsString)> {
    let ours_has_region = ours.iter().any(|(n, _)| *n == "AWS_REGION");
    let keep = |name: &OsStr| {
        let is_region = name == "AWS_REGION" || name == "AWS_DEFAULT_REGION";
        if is_region && !ours_has_region {
            return true;
        }
        !REMOVED.iter().chain(removed).any(|r| name == *r) && !ours.iter().any(|(n, _)| name == *n)
    };
    let mut env: Vec<(OsString, OsString)> = parent
        .iter()
        .filter(|(name, _)| keep(name))
        .cloned()
        .collect();
    env.extend(
        ours.iter()
            .map(|(n, v)| (OsString::from(n), OsString::from(v))),
    );
    env
}

/// Starts `command` as a child process with `env`, with every signal unblocked in it (whatever
/// this process blocks for itself), so the command handles its signals as if run directly.
pub fn spawn(
    command: &[OsString],
    env: Vec<(OsString, OsString)>,
) -> Result<std::process::Child, ExecError> {
    let Some((program, args)) = command.split_first() else {
        return Err(ExecError {
            program: String::new(),
            error: std::io::Error::new(std::io::ErrorKind::NotFound, "empty command"),
            hint: None,
        });
    };
    let mut cmd = Command::new(program);
    cmd.args(args).env_clear().envs(env);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: between fork and exec only async-signal-safe calls: unblock_all_signals
        // makes only sigemptyset and sigprocmask.
        unsafe {
            cmd.pre_exec(|| {
                crate::os::unblock_all_signals();
                Ok(())
            });
        }
    }
    cmd.spawn().map_err(|error| ExecError {
        program: program.to_string_lossy().into_owned(),
        error,
        hint: None,
    })
}

/// Waits for a child that `spawn` started from `command`; its exit code, as a shell reports it
/// (128 + the signal for one a signal ended).
pub fn wait(child: &mut std::process::Child, command: &[OsString]) -> Result<i32, ExecError> {
    let status = child.wait().map_err(|error| ExecError {
        program: command
            .first()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default(),
        error,
        hint: None,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Ok(128 + signal);
        }
    }
    Ok(status.code().unwrap_or(1))
}

/// Replaces this process with `command` (Unix); elsewhere runs it and exits with its status.
/// Returns only on failure.
pub fn exec(command: &[OsString], env: Vec<(OsString, OsString)>) -> ExecError {
    let Some((program, args)) = command.split_first() else {
        return ExecError {
            program: String::new(),
            error: std::io::Error::new(std::io::ErrorKind::NotFound, "empty command"),
            hint: None,
        };
    };
    let mut cmd = Command::new(program);
    cmd.args(args).env_clear().envs(env);
    let program = program.to_string_lossy().into_owned();
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = cmd.exec();
        ExecError {
            program,
            error,
            hint: None,
        }
    }
    #[cfg(not(unix))]
    {
        match cmd.status() {
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(error) => ExecError {
                program,
                error,
                hint: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        v.iter()
            .map(|(a, b)| (OsString::from(a), OsString::from(b)))
            .collect()
    }

    #[test]
    fn subtraction_then_addition() {
        let parent = pairs(&[
            ("PATH", "/bin"),
            ("AWS_PROFILE", "x"),
            ("AWS_ACCESS_KEY_ID", "AKIASTALE"),
            ("AWS_SESSION_TOKEN", "stale"),
            ("AWS_REGION", "us-west-1"),
        ]);
        let ours = vec![("AWS_ACCESS_KEY_ID", "ASIANEW".to_string())];
        let env = child_env(&parent, &ours);
        let get = |n: &str| {
            env.iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.to_str().unwrap())
        };
        assert_eq!(get("PATH"), Some("/bin"));
        assert_eq!(get("AWS_PROFILE"), None);
        assert_eq!(get("AWS_SESSION_TOKEN"), None);
        assert_eq!(get("AWS_ACCESS_KEY_ID"), Some("ASIANEW"));
        assert_eq!(get("AWS_REGION"), Some("us-west-1"));
        let ours = vec![("AWS_REGION", "eu-west-1".to_string())];
        let env = child_env(&parent, &ours);
        assert_eq!(env.iter().filter(|(k, _)| k == "AWS_REGION").count(), 1);
    }
}
