//! Test support, by what it helps with: `emulator` (the STS/IAM emulator and its world),
//! `home` (an isolated user and running the binary), `terminal` (a pseudo-terminal), `net`
//! (loopback servers and raw HTTP); here, what every test reads: the paths, and the checks of an
//! output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod emulator;
mod home;
mod net;
mod terminal;

pub use emulator::*;
pub use home::*;
pub use net::*;
pub use terminal::*;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
pub const BIN: &str = env!("CARGO_BIN_EXE_aws-runas");
pub const ACCOUNT: &str = "123456789012";

/// The project's virtualenv (made by `make test`), holding moto, boto3 and the aws CLI.
pub fn venv_bin() -> PathBuf {
    Path::new(ROOT).join(".venv").join("bin")
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
