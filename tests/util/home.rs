//! An isolated user: a temporary HOME with its own ~/.aws files, and the built binary (or any
//! command) run there with an environment cleared to an allow-list.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::emulator::{emulator, keys, standard_config_for, Emulator};
use super::{venv_bin, BIN};

/// A temporary directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("aws-runas-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An isolated user: a HOME with ~/.aws/config and ~/.aws/credentials.
pub struct Home {
    pub dir: TempDir,
    pub endpoint: String,
}

impl Home {
    /// A HOME whose files hold `config` and `credentials`, pointed at the shared emulator.
    pub fn new(config: &str, credentials: &str) -> Home {
        Home::with_endpoint(config, credentials, &emulator().endpoint)
    }

    pub fn with_endpoint(config: &str, credentials: &str, endpoint: &str) -> Home {
        let dir = TempDir::new();
        let aws = dir.path().join(".aws");
        std::fs::create_dir_all(&aws).unwrap();
        std::fs::write(aws.join("config"), config).unwrap();
        std::fs::write(aws.join("credentials"), credentials).unwrap();
        Home {
            dir,
            endpoint: endpoint.to_string(),
        }
    }

    /// The standard set-up: alice's keys as `dev`, `mfauser` and `default`, and profiles for
    /// each role, against the shared emulator.
    pub fn standard() -> Home {
        Home::standard_on(emulator())
    }

    /// The standard set-up against `e` (a test's own emulator).
    pub fn standard_on(e: &Emulator) -> Home {
        Home::with_endpoint(
            &standard_config_for(e),
            &keys(&[
                ("dev", &e.alice),
                ("mfauser", &e.alice),
                ("default", &e.alice),
            ]),
            &e.endpoint,
        )
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A command for the built binary with an environment cleared to an allow-list.
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(BIN);
        cmd.args(args);
        self.isolate(&mut cmd);
        cmd
    }

    /// Clears `cmd`'s environment to what a test user has.
    pub fn isolate(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("HOME", self.path())
            .env(
                "PATH",
                format!("{}:/usr/local/bin:/usr/bin:/bin", venv_bin().display()),
            )
            .env("LANG", "C.UTF-8")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .stdin(Stdio::null());
    }

    /// Runs `aws-runas args...` and returns its output.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd(args).output().expect("run aws-runas")
    }
}

/// `args` followed by `aws sts get-caller-identity --query Arn --output text`: the wrapped
/// command most tests use to see whose credentials it got.
pub fn whoami<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut argv = args.to_vec();
    argv.extend([
        "aws",
        "sts",
        "get-caller-identity",
        "--query",
        "Arn",
        "--output",
        "text",
    ]);
    argv
}

impl Home {
    /// Runs `argv` (any program) with this HOME's environment.
    pub fn run_command(&self, argv: &[&str]) -> Output {
        let mut cmd = Command::new(argv[0]);
        cmd.args(&argv[1..]);
        self.isolate(&mut cmd);
        cmd.output().expect("run the command")
    }
}

impl Home {
    /// Runs `aws-runas args...` in a new session without a controlling terminal.
    pub fn run_without_terminal(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("setsid");
        cmd.arg("--wait").arg(BIN).args(args);
        self.isolate(&mut cmd);
        cmd.output().expect("run setsid")
    }

    /// The cache file `name` (e.g. `.aws_session_token_dev`) in this HOME's ~/.aws.
    pub fn cache_file(&self, name: &str) -> PathBuf {
        self.path().join(".aws").join(name)
    }
}
