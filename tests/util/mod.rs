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

/// Keys and MFA device of a seeded IAM user.
#[derive(Clone, Debug)]
pub struct User {
    pub arn: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub mfa_serial: String,
    pub mfa_seed: String,
}

/// A running emulator.
pub struct Emulator {
    pub endpoint: String,
    pub external_id: String,
    /// A token of the emulator's OIDC provider, which the `web` role trusts.
    pub web_identity_token: String,
    pub alice: User,
    pub bob: User,
    /// The users whose policies `-l` reads (emulator.py's seed_discovery).
    pub carol: User,
    pub dave: User,
    /// Closing this (when the test process exits) stops the emulator.
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

impl Emulator {
    /// Starts a new emulator (most tests share [`emulator()`] instead; a test that counts
    /// requests needs its own).
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    /// Starts a new emulator with extra environment (e.g. `EMULATOR_MIN_DURATION`).
    pub fn start_with(env: &[(&str, &str)]) -> Emulator {
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
            .envs(env.iter().copied())
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
                mfa_serial: text(&u["mfa_serial"]),
                mfa_seed: text(&u["mfa_seed"]),
            }
        };
        Emulator {
            endpoint: text(&ready["endpoint"]),
            external_id: text(&ready["external_id"]),
            web_identity_token: text(&ready["web_identity_token"]),
            alice: user("alice"),
            bob: user("bob"),
            carol: user("carol"),
            dave: user("dave"),
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

/// Profiles for each seeded role, sourced from `dev`.
pub fn standard_config() -> String {
    standard_config_for(emulator())
}

/// Profiles for each seeded role of `e`.
pub fn standard_config_for(e: &Emulator) -> String {
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

[profile mfauser]
mfa_serial = {serial}

[profile mfa-admin]
role_arn = arn:aws:iam::{ACCOUNT}:role/mfa-admin
source_profile = mfauser

[profile mfa-ops]
role_arn = arn:aws:iam::{ACCOUNT}:role/mfa-ops
source_profile = mfauser
",
        ext = e.external_id,
        serial = e.alice.mfa_serial
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

/// Seconds from now until the `AWS_CREDENTIAL_EXPIRATION` in `exports`.
pub fn seconds_left(exports: &str) -> i64 {
    let expiration = export_value(exports, "AWS_CREDENTIAL_EXPIRATION").expect("an expiration");
    let out = Command::new("date")
        .args(["-u", "+%s", "-d", &expiration])
        .output()
        .unwrap();
    let expires: i64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    expires - now
}

/// The value of `export NAME='...'` in exports (no quote inside, as for keys and tokens).
pub fn export_value(exports: &str, name: &str) -> Option<String> {
    let prefix = format!("export {name}='");
    exports
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim_end_matches('\'').to_string())
}

/// What a run on a pseudo-terminal showed.
#[derive(Debug)]
pub struct TerminalRun {
    pub status: i32,
    /// Everything written to the terminal (/dev/tty).
    pub tty: String,
    pub stdout: String,
    pub stderr: String,
    /// How many MFA prompts appeared.
    pub prompts: usize,
    /// Whether the terminal echoes input once the program has ended.
    pub echo: bool,
}

/// An answer to an MFA prompt.
pub enum Answer<'a> {
    /// Types this text.
    Text(&'a str),
    /// Types the current code of this device seed.
    Totp(&'a str),
    /// Presses Ctrl-C.
    Interrupt,
}

impl Home {
    /// Runs `aws-runas args...` on a new pseudo-terminal, answering its MFA prompts.
    pub fn run_on_terminal(
        &self,
        args: &[&str],
        answers: &[Answer<'_>],
        extra_env: &[(&str, &str)],
    ) -> TerminalRun {
        self.run_program_on_terminal(BIN, args, answers, extra_env)
    }

    fn run_program_on_terminal(
        &self,
        program: &str,
        args: &[&str],
        answers: &[Answer<'_>],
        extra_env: &[(&str, &str)],
    ) -> TerminalRun {
        let answers: Vec<serde_json::Value> = answers
            .iter()
            .map(|a| match a {
                Answer::Text(t) => serde_json::Value::from(*t),
                Answer::Totp(seed) => serde_json::json!({ "totp": seed }),
                Answer::Interrupt => serde_json::json!({ "interrupt": true }),
            })
            .collect();
        let mut cmd = Command::new(venv_bin().join("python"));
        cmd.arg(Path::new(ROOT).join("tests/util/pty_run.py"))
            .arg(serde_json::Value::from(answers).to_string())
            .arg(program)
            .args(args);
        self.isolate(&mut cmd);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run on a terminal");
        let text = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "pty_run output {text:?}: {e}; stderr {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        TerminalRun {
            status: v["status"].as_i64().unwrap_or(-1) as i32,
            tty: s("tty"),
            stdout: s("stdout"),
            stderr: s("stderr"),
            prompts: v["prompts"].as_u64().unwrap_or(0) as usize,
            echo: v["echo"].as_bool().unwrap_or(false),
        }
    }

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

/// The current TOTP code of a device seed, `offset` seconds from now.
pub fn totp(seed: &str, offset: i64) -> String {
    let out = Command::new(venv_bin().join("python"))
        .arg(Path::new(ROOT).join("tests/emulator/emulator.py"))
        .args(["totp", seed, &offset.to_string()])
        .output()
        .expect("compute a TOTP code");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Emulator {
    /// Requests by action and connections since the last reset.
    pub fn stats(&self) -> (std::collections::BTreeMap<String, u64>, u64) {
        let body = http(&self.endpoint, "GET", "/_emulator/stats");
        let v: serde_json::Value = serde_json::from_str(&body).expect("stats JSON");
        let requests = v["requests"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        (requests, v["connections"].as_u64().unwrap_or(0))
    }

    /// Requests of one action since the last reset.
    pub fn count(&self, action: &str) -> u64 {
        self.stats().0.get(action).copied().unwrap_or(0)
    }

    pub fn reset_stats(&self) {
        http(&self.endpoint, "POST", "/_emulator/stats");
    }
}

/// A minimal HTTP/1.0 exchange with the emulator (no client crate needed for two test calls).
fn http(endpoint: &str, method: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let addr = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the emulator");
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

impl Home {
    /// Runs any command on a new pseudo-terminal, answering MFA prompts.
    pub fn run_command_on_terminal(&self, argv: &[&str], answers: &[Answer<'_>]) -> TerminalRun {
        let (program, args) = argv.split_first().expect("a command");
        self.run_program_on_terminal(program, args, answers, &[])
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

/// A helper server of the tests (a Python script in tests/util/) that prints its URL on its
/// first line and serves until its stdin closes. Stopped when dropped.
pub struct Helper {
    pub url: String,
    child: Child,
}

impl Helper {
    pub fn start(script: &str, args: &[&str]) -> Helper {
        let mut child = Command::new(venv_bin().join("python"))
            .arg(Path::new(ROOT).join("tests/util").join(script))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {script}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(!line.is_empty(), "{script} did not start");
        Helper {
            url: line.trim().to_string(),
            child,
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One raw HTTP request (written as given) to `authority`; the answer's status and body.
pub fn raw_http(authority: &str, request: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, body.to_string())
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

/// The ARN of alice's session in `role`.
pub fn session_arn(role: &str) -> String {
    format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/alice")
}

/// tests/util/tls_proxy.py in front of the shared emulator: TLS with a private CA. Stopped when
/// dropped (its stdin closes).
pub struct TlsProxy {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// The private CA, as a PEM bundle.
    pub ca: PathBuf,
    _dir: TempDir,
    child: Child,
}

impl TlsProxy {
    pub fn start(emulator_endpoint: &str) -> TlsProxy {
        let dir = TempDir::new();
        let target = emulator_endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let mut child = Command::new(venv_bin().join("python"))
            .arg(Path::new(ROOT).join("tests/util/tls_proxy.py"))
            .arg(dir.path())
            .arg(target)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the TLS proxy");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let ready: serde_json::Value = serde_json::from_str(&line).expect("the proxy's ready line");
        TlsProxy {
            url: ready["url"].as_str().unwrap().to_string(),
            ca: PathBuf::from(ready["ca"].as_str().unwrap()),
            _dir: dir,
            child,
        }
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// A loopback port that was free a moment ago: nothing listens there (an unreachable endpoint,
/// a proxy that is not there).
pub fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The per-process token in the `--ec2` console's page (`<meta name="aws-runas-token">`).
pub fn console_token(page: &str) -> String {
    page.split("name=\"aws-runas-token\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the console page carries its token")
        .to_string()
}
