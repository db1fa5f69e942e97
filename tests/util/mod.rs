//! Test support: the STS/IAM emulator (started once per test binary, stopped when the binary
//! exits, whatever way it exits), an isolated HOME per test, and running the built binary with
//! an environment cleared to an allow-list.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
pub const BIN: &str = env!("CARGO_BIN_EXE_aws-runas");
pub const ACCOUNT: &str = "123456789012";

/// The project's virtualenv (made by `make test`), holding moto, boto3 and the aws CLI.
pub fn venv_bin() -> PathBuf {
    Path::new(ROOT).join(".venv").join("bin")
}

/// Keys of a seeded IAM user.
#[derive(Clone, Debug)]
pub struct User {
    pub arn: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// A running emulator.
pub struct Emulator {
    pub endpoint: String,
    pub external_id: String,
    pub alice: User,
    pub bob: User,
    /// Closing this (when the test process exits) stops the emulator.
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

impl Emulator {
    /// Starts a new emulator (most tests share [`emulator()`] instead).
    pub fn start() -> Emulator {
        let python = venv_bin().join("python");
        assert!(
            python.exists(),
            "{} is missing: run `make test` (it creates .venv with the pinned test dependencies)",
            python.display()
        );
        let mut child = Command::new(python)
            .arg(Path::new(ROOT).join("tests/emulator/emulator.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the emulator");
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the emulator's ready line");
        assert!(line.starts_with('{'), "emulator did not start: {line:?}");
        let ready: serde_json::Value =
            serde_json::from_str(&line).expect("the emulator's JSON line");
        let text = |v: &serde_json::Value| v.as_str().expect("a string").to_string();
        let user = |name: &str| {
            let u = &ready["users"][name];
            User {
                arn: text(&u["arn"]),
                access_key_id: text(&u["access_key_id"]),
                secret_access_key: text(&u["secret_access_key"]),
            }
        };
        Emulator {
            endpoint: text(&ready["endpoint"]),
            external_id: text(&ready["external_id"]),
            alice: user("alice"),
            bob: user("bob"),
            _stdin: Mutex::new(stdin),
            _child: Mutex::new(child),
        }
    }
}

/// The emulator shared by the tests of this binary.
pub fn emulator() -> &'static Emulator {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR.get_or_init(Emulator::start)
}

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

    /// The standard set-up: alice's keys as `dev` and `default`, and profiles for each role.
    pub fn standard() -> Home {
        let e = emulator();
        Home::new(
            &standard_config(),
            &keys(&[("dev", &e.alice), ("default", &e.alice)]),
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

/// Profiles for each seeded role, sourced from `dev`.
pub fn standard_config() -> String {
    let e = emulator();
    format!(
        "[default]
region = us-east-1

[profile admin]
role_arn = arn:aws:iam::{ACCOUNT}:role/admin
source_profile = dev

[profile ext]
role_arn = arn:aws:iam::{ACCOUNT}:role/ext
source_profile = dev
external_id = {ext}

[profile ext-missing]
role_arn = arn:aws:iam::{ACCOUNT}:role/ext
source_profile = dev

[profile forbidden]
role_arn = arn:aws:iam::{ACCOUNT}:role/forbidden
source_profile = dev

[profile untrusted]
role_arn = arn:aws:iam::{ACCOUNT}:role/untrusted
source_profile = dev

[profile chained]
role_arn = arn:aws:iam::{ACCOUNT}:role/chained
source_profile = admin
",
        ext = e.external_id
    )
}

/// A credentials file giving `user`'s keys to each named profile.
pub fn keys(profiles: &[(&str, &User)]) -> String {
    profiles
        .iter()
        .map(|(name, u)| {
            format!(
                "[{name}]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n",
                u.access_key_id, u.secret_access_key
            )
        })
        .collect()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a run failed the way every aws-runas failure must: exit 1, nothing on stdout, one
/// `aws-runas: ` line on stderr containing each of `wanted`. Returns that line.
#[track_caller]
pub fn assert_one_line_error(o: &Output, wanted: &[&str]) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "exit code; stderr: {err}");
    assert_eq!(stdout(o), "", "stdout must be empty; stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("aws-runas: "), "{err}");
    for w in wanted {
        assert!(err.contains(w), "{w:?} in {err:?}");
    }
    err
}

/// The value of `export NAME='...'` in exports (no quote inside, as for keys and tokens).
pub fn export_value(exports: &str, name: &str) -> Option<String> {
    let prefix = format!("export {name}='");
    exports
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim_end_matches('\'').to_string())
}
