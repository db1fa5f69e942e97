//! Every kind of bad input gives one clear `aws-runas: ` line and exit 1.

use std::time::{Duration, Instant};

use crate::util::*;

#[test]
fn unknown_profile_names_both_files_the_count_and_the_closest_name() {
    let home = Home::standard();
    let config = home.path().join(".aws/config");
    let credentials = home.path().join(".aws/credentials");
    let out = home.run(["nope"]);
    assert_one_line_error(
        &out,
        &[&format!(
            "profile 'nope' not found in {} or {} (11 profiles)",
            config.display(),
            credentials.display()
        )],
    );
    let out = home.run(["admni", "aws", "s3", "ls"]);
    assert_one_line_error(
        &out,
        &["profile 'admni' not found", "; did you mean 'admin'?)"],
    );
    // A typo in a source_profile too.
    let typo = Home::new(
        &format!("{}\n[profile typo]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = mfauzer\n", standard_config()),
        "",
    );
    let out = typo.run(["typo"]);
    assert_one_line_error(
        &out,
        &[
            "source_profile 'mfauzer' of profile 'typo' not found",
            "did you mean 'mfauser'?",
        ],
    );
}

#[test]
fn without_any_file_it_says_how_to_make_one() {
    let home = Home::new("", "");
    std::fs::remove_file(home.path().join(".aws/config")).unwrap();
    std::fs::remove_file(home.path().join(".aws/credentials")).unwrap();
    let out = home.run(["dev"]);
    assert_one_line_error(
        &out,
        &[
            "profile 'dev' not found: neither",
            "exists; create them with `aws configure`",
        ],
    );
}

#[test]
fn a_profile_name_taken_as_the_command_because_of_aws_profile_is_explained() {
    let home = Home::standard();
    let why = "AWS_PROFILE is set, so 'admin' was taken as the command, not the profile";
    // AWS_PROFILE names no profile: the error says why 'admin' was not the profile.
    let out = home
        .cmd(["admin", "true"])
        .env("AWS_PROFILE", "nope")
        .output()
        .unwrap();
    assert_one_line_error(&out, &["profile 'nope' not found", why]);
    // AWS_PROFILE names a profile: 'admin' is run as a command and is not found.
    let out = home
        .cmd(["admin", "true"])
        .env("AWS_PROFILE", "dev")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    let err = stderr(&out);
    assert!(
        err.starts_with("aws-runas: admin: command not found (") && err.contains(why),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // Without AWS_PROFILE, nothing of the kind.
    let out = home.run(["dev", "admin"]);
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(stderr(&out), "aws-runas: admin: command not found\n");
}

#[test]
fn malformed_config_names_file_and_line() {
    let home = Home::new("[profile a]\nregion = us-east-1\nthis line is wrong\n", "");
    let out = home.run(["a"]);
    let config = home.path().join(".aws/config");
    assert_one_line_error(&out, &[&format!("{} line 3", config.display())]);
}

#[test]
fn help_and_version_work_with_a_malformed_config() {
    let home = Home::new("[broken\n", "garbage");
    for flag in ["-h", "--help"] {
        let out = home.run([flag]);
        assert!(out.status.success());
        assert!(
            stdout(&out).starts_with("usage: aws-runas"),
            "{}",
            stdout(&out)
        );
    }
    let out = home.run(["-V"]);
    assert!(out.status.success());
    let version = stdout(&out);
    assert!(
        version.starts_with(&format!("aws-runas {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    // Built by the Makefile (as these tests are), it names the commit.
    if let Some(commit) = option_env!("AWS_RUNAS_COMMIT").filter(|c| !c.is_empty()) {
        assert!(
            version.contains(&format!("(commit {commit}, built ")),
            "{version}"
        );
    }
    assert_eq!(version.lines().count(), 1);
}

#[test]
fn role_arn_without_source_profile() {
    let home = Home::new(
        &format!("[profile lone]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\n"),
        "",
    );
    assert_one_line_error(
        &home.run(["lone"]),
        &["'lone' has role_arn but no source_profile"],
    );
}

#[test]
fn source_profile_cycle() {
    let config = format!(
        "[profile a]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = a\n"
    );
    let home = Home::new(&config, "");
    assert_one_line_error(&home.run(["a"]), &["source_profile cycle: a -> b -> a"]);
}

#[test]
fn bad_durations() {
    let home = Home::standard();
    assert_one_line_error(
        &home.run(["-a", "1d", "admin"]),
        &["'1d'", "--role-duration"],
    );
    let config = format!(
        "[profile d]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = dev\ncredentials_duration = 1d\n"
    );
    let home = Home::new(&config, &keys(&[("dev", &emulator().alice)]));
    assert_one_line_error(
        &home.run(["d"]),
        &["credentials_duration", "'1d'", "profile 'd'"],
    );
}

#[test]
fn bad_arns() {
    let home = Home::standard();
    assert_one_line_error(
        &home.run([&format!("arn:aws:iam::{ACCOUNT}:user/alice")]),
        &["invalid role ARN", "not a role"],
    );
    let config = "[profile p]\nrole_arn = arn:aws:iam::12:role/x\nsource_profile = dev\n";
    let home = Home::new(config, &keys(&[("dev", &emulator().alice)]));
    assert_one_line_error(
        &home.run(["p"]),
        &["role_arn in profile 'p'", "'arn:aws:iam::12:role/x'"],
    );
}

#[test]
fn missing_keys() {
    let home = Home::new(
        &standard_config(),
        "[dev]\naws_access_key_id = AKIAONLYTHEID0000000\n",
    );
    assert_one_line_error(
        &home.run(["admin"]),
        &["profile 'dev' has no aws_access_key_id and aws_secret_access_key"],
    );
}

#[test]
fn unreachable_endpoint_fails_within_the_timeout() {
    // A port that was just free: nothing listens there.
    let port = unused_port();
    let e = emulator();
    let home = Home::with_endpoint(
        &standard_config(),
        &keys(&[("dev", &e.alice)]),
        &format!("http://127.0.0.1:{port}"),
    );
    let started = Instant::now();
    let out = home.run(["admin"]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "gave up only after {:?}",
        started.elapsed()
    );
    assert_one_line_error(
        &out,
        &["failed", &format!("127.0.0.1:{port}"), "cannot connect"],
    );
}

#[test]
fn bad_endpoint_url() {
    let home = Home::with_endpoint(
        &standard_config(),
        &keys(&[("dev", &emulator().alice)]),
        "localhost:5000",
    );
    assert_one_line_error(
        &home.run(["admin"]),
        &["invalid endpoint URL 'localhost:5000'", "AWS_ENDPOINT_URL"],
    );
}

#[test]
fn unknown_flag() {
    let home = Home::standard();
    assert_one_line_error(&home.run(["--bogus", "admin"]), &["unknown flag '--bogus'"]);
}

#[test]
fn control_characters_never_split_or_forge_a_line() {
    let e = emulator();
    let config = format!(
        "[default]\nregion = us-east-1\x1b[2J\n[profile esc]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/x\x1b[31m\nsource_profile = dev\n"
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    // A profile argument with a newline: still one line, the newline written as \n.
    let out = home.run(["nope\naws-runas: forged"]);
    assert_one_line_error(&out, &["profile 'nope\\naws-runas: forged' not found"]);
    // A config value with an escape sequence, in the error line and in the -v lines.
    let out = home.run(["-v", "esc"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        !err.contains('\x1b'),
        "a raw escape reached stderr: {err:?}"
    );
    assert!(err.contains("role/x\\x1b[31m"), "{err}");
    assert!(err.contains("region = us-east-1\\x1b[2J"), "{err}");
    assert!(err.lines().all(|l| l.starts_with("aws-runas: ")), "{err}");
}
