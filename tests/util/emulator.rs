//! The STS/IAM emulator (tests/emulator, moto with IAM auth enforcement on): started once per
//! test binary and stopped when the binary exits, whatever way it exits; its seeded users, its
//! request counts, the world config for it (fixtures/world.config), and TOTP codes.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use super::{venv_bin, ACCOUNT, ROOT};

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

/// Profiles for each seeded role, sourced from `dev`.
pub fn standard_config() -> String {
    standard_config_for(emulator())
}

/// Profiles for each seeded role of `e` (fixtures/world.config, filled in).
pub fn standard_config_for(e: &Emulator) -> String {
    include_str!("../../fixtures/world.config")
        .replace("{account}", ACCOUNT)
        .replace("{external_id}", &e.external_id)
        .replace("{serial}", &e.alice.mfa_serial)
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

/// The ARN of alice's session in `role`.
pub fn session_arn(role: &str) -> String {
    format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/alice")
}
