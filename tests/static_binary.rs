//! The static binary in an image with nothing else (as `FROM scratch`): an empty root holding
//! the binary and the AWS files, entered with chroot (so it needs root: ignored otherwise, and run
//! by make test as root),
//! against the emulator by IP and by name.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::*;

/// Builds the static binary with `make static` (the one definition of its flags); its path.
fn static_binary() -> PathBuf {
    let host = String::from_utf8(Command::new("rustc").arg("-vV").output().unwrap().stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .unwrap();
    // The environment of a shell that runs `make static`, not the test's (whose CARGO_*
    // variables would make the C parts of the dependencies build again).
    let mut cmd = Command::new("make");
    cmd.args(["--no-print-directory", "-s", "static"])
        .env_clear();
    for keep in [
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
    ] {
        if let Some(value) = std::env::var_os(keep) {
            cmd.env(keep, value);
        }
    }
    let status = cmd.current_dir(ROOT).status().unwrap();
    assert!(status.success(), "the static build failed");
    Path::new(ROOT)
        .join("target")
        .join(host)
        .join("release/aws-runas")
}

#[test]
#[ignore = "needs root, for chroot (make test runs it as root)"]
fn the_static_binary_runs_in_an_empty_root() {
    let e = emulator();
    let root = TempDir::new();
    let aws = root.path().join("home/.aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(aws.join("config"), standard_config()).unwrap();
    std::fs::write(aws.join("credentials"), keys(&[("dev", &e.alice)])).unwrap();
    std::fs::copy(static_binary(), root.path().join("aws-runas")).unwrap();
    let port = e.endpoint.rsplit(':').next().unwrap().trim_end_matches('/');
    let run = |endpoint: String| {
        Command::new("/usr/sbin/chroot")
            .arg(root.path())
            .arg("/aws-runas")
            .arg("admin")
            .env_clear()
            .env("HOME", "/home")
            .env("AWS_ENDPOINT_URL", endpoint)
            .output()
            .unwrap()
    };
    // By IP: nothing else is needed (the roots are built in, no library is loaded).
    let out = run(format!("http://127.0.0.1:{port}"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(export_value(&stdout(&out), "AWS_SESSION_TOKEN").is_some());
    // By name, without /etc/hosts: the error names what is missing.
    std::fs::remove_file(aws.join(".aws_assume_role_admin")).unwrap();
    let out = run(format!("http://localhost:{port}"));
    assert_one_line_error(&out, &["there is no /etc/hosts", "FROM scratch"]);
    // With /etc/hosts, by name too.
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    std::fs::write(root.path().join("etc/hosts"), "127.0.0.1 localhost\n").unwrap();
    let out = run(format!("http://localhost:{port}"));
    assert!(out.status.success(), "{}", stderr(&out));
}
