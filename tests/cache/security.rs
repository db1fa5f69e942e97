//! The cache when its directory is shared with someone who means harm (a CI workspace, a
//! repository, `AWS_CONFIG_FILE=/tmp/...`): planted links, FIFOs, devices, other users' files,
//! leftovers. "Another user" is played by `nobody`, which needs root: that test is ignored
//! unless the tests run as root (make test includes it then).

use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

const NOBODY: u32 = 65534;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o777
}

fn key_id(exports: &str) -> String {
    exports
        .lines()
        .find_map(|l| l.strip_prefix("export AWS_ACCESS_KEY_ID="))
        .unwrap_or_default()
        .trim_matches('\'')
        .to_string()
}

/// A valid-looking entry for the `admin` role that nobody fetched: credentials an attacker
/// wants the user to run with.
fn planted_entry() -> String {
    format!(
        r#"{{"AccessKeyID":"ASIAPLANTEDBYATTACKER","SecretAccessKey":"s","SessionToken":"t","ProviderName":"AssumeRoleProvider","Expiration":4102444800,"RoleArn":"arn:aws:iam::{ACCOUNT}:role/admin","ExternalId":"","MfaSerial":""}}"#
    )
}

#[test]
fn planted_links_at_predictable_temp_names_are_never_followed() {
    let home = Home::standard();
    let aws = home.path().join(".aws");
    let victim = home.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    // The temp names a pid-based scheme would use for the next few hundred processes.
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    for pid in last + 1..last + 400 {
        for name in [".aws_session_token_dev", ".aws_assume_role_admin"] {
            symlink(&victim, aws.join(format!(".{name}.{pid}.tmp"))).unwrap();
        }
    }
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(mode(&victim), 0o644);
    for name in [".aws_session_token_dev", ".aws_assume_role_admin"] {
        let meta = std::fs::symlink_metadata(aws.join(name)).unwrap();
        assert!(meta.file_type().is_file(), "{name}");
        assert_eq!(meta.mode() & 0o777, 0o600, "{name}");
    }
}

#[test]
#[ignore = "needs root, to play another user (make test runs it as root)"]
fn a_cache_file_planted_by_another_user_is_ignored_with_a_warning() {
    let home = Home::standard();
    let file = home.cache_file(".aws_assume_role_admin");
    std::fs::write(&file, planted_entry()).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::lchown(&file, Some(NOBODY), Some(NOBODY)).unwrap();
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(key_id(&stdout(&out)), "ASIAPLANTEDBYATTACKER");
    let err = stderr(&out);
    assert!(
        err.contains("warning: ignoring the cache file") && err.contains("owned by another user"),
        "{err}"
    );
    // Replaced by our own file.
    let meta = std::fs::metadata(&file).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o777), (0, 0o600));
}

#[test]
fn a_world_writable_cache_file_is_ignored_and_a_shared_directory_is_named() {
    let home = Home::standard();
    let file = home.cache_file(".aws_assume_role_admin");
    std::fs::write(&file, planted_entry()).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(key_id(&stdout(&out)), "ASIAPLANTEDBYATTACKER");
    assert!(
        stderr(&out).contains("writable by other users (mode 666)"),
        "{}",
        stderr(&out)
    );
    // Once, though the file is read before the lock and again after it.
    assert_eq!(
        stderr(&out).matches("ignoring the cache file").count(),
        1,
        "{}",
        stderr(&out)
    );
    // A cached run from a directory anyone may write to says so.
    let aws = home.path().join(".aws");
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "warning: {} is writable by other users",
            aws.display()
        )),
        "{err}"
    );
}

#[test]
fn fifos_and_devices_as_cache_files_neither_hang_nor_exhaust_memory() {
    let home = Home::standard();
    let fifo = home.cache_file(".aws_assume_role_admin");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    symlink("/dev/zero", home.cache_file(".aws_session_token_dev")).unwrap();
    let mut child = home
        .cmd(["admin"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("aws-runas hangs on a FIFO or /dev/zero as its cache file");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("not a regular file"), "{err}");
    assert!(err.contains("a symbolic link"), "{err}");
}

#[test]
fn planted_lock_links_create_nothing() {
    let home = Home::standard();
    let aws = home.path().join(".aws");
    // The old layout's lock name, pointing where the attacker wants a file made.
    let wanted = home.path().join("made-by-the-lock");
    symlink(&wanted, aws.join(".aws_assume_role_admin.lock")).unwrap();
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!wanted.exists(), "the lock link was followed");
    // Our private directory, planted as a link to the attacker's directory: refused, with a
    // warning, and nothing lands there.
    let home = Home::standard();
    let theirs = home.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    symlink(&theirs, home.path().join(".aws/.aws-runas")).unwrap();
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing will be cached"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 0);
}

#[test]
fn leftover_temp_files_are_removed_under_the_lock() {
    let home = Home::standard();
    assert!(home.run(["admin"]).status.success());
    let aws = home.path().join(".aws");
    let private = aws.join(".aws-runas");
    let leftovers = [
        private.join(".aws_assume_role_admin.0123456789abcdef.tmp"),
        private.join(".aws_session_token_dev.fedcba9876543210.tmp"),
    ];
    for f in &leftovers {
        std::fs::write(f, "{\"SecretAccessKey\":\"left-behind\"}").unwrap();
    }
    // -r fetches every cached step again, under its lock: the leftovers go.
    let out = home.run(["-r", "admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in &leftovers {
        assert!(!f.exists(), "{} is still there", f.display());
    }
}
