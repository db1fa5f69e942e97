//! The static binary of the release tarball in an image with nothing else (as `FROM scratch`):
//! an empty root holding the binary and the AWS files, entered with chroot (so it needs root: ignored otherwise, and run
//! by make test as root),
//! against the emulator by IP and by name.

use std::process::Command;

use crate::util::*;

#[test]
#[ignore = "needs root, for chroot (make test runs it as root)"]
fn the_static_binary_runs_in_an_empty_root() {
    let e = emulator();
    let root = TempDir::new();
    let aws = root.path().join("home/.aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(aws.join("config"), standard_config()).unwrap();
    std::fs::write(aws.join("credentials"), keys(&[("dev", &e.alice)])).unwrap();
    // The release tarball's binary (make dist), unpacked into the empty root.
    let binary = crate::dist::tarball_binary(root.path());
    assert_eq!(binary, root.path().join("aws-runas"));
    for extra in [
        "LICENSE",
        "README.md",
        "_aws-runas",
        "aws-runas.1",
        "aws-runas.bash",
        "aws-runas.fish",
        "config.sample",
    ] {
        std::fs::remove_file(root.path().join(extra)).unwrap();
    }
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
