//! The documented `credential_process = aws-runas -j <profile>` set-up used by the SDKs with
//! `AWS_PROFILE` naming the process's own profile (the aws CLI and boto3 pass their environment
//! to the process): the positional profile wins, so it works; and a configuration that does run
//! itself again is stopped at the second level with one line naming the profile and the command.
//! Every process goes through tests/util/depth_guard.sh, so a regression ends at depth 5 instead
//! of filling the process table.

use std::path::Path;

use crate::util::*;

/// `aws sts get-caller-identity` and boto3's, run with `AWS_PROFILE=profile`; their outputs.
fn sdk_whoami(home: &Home, profile: &str) -> Vec<std::process::Output> {
    let python = venv_bin().join("python");
    let boto3 = "import boto3; print(boto3.Session().client('sts').get_caller_identity()['Arn'])";
    let runs: [Vec<&str>; 2] = [whoami(&[]), vec![python.to_str().unwrap(), "-c", boto3]];
    runs.iter()
        .map(|argv| {
            let mut cmd = std::process::Command::new(argv[0]);
            cmd.args(&argv[1..]);
            home.isolate(&mut cmd);
            cmd.env("AWS_PROFILE", profile)
                .env("AWS_DEFAULT_REGION", "us-east-1");
            cmd.output().unwrap()
        })
        .collect()
}

fn guard() -> String {
    Path::new(ROOT)
        .join("tests/util/depth_guard.sh")
        .display()
        .to_string()
}

#[test]
fn credential_process_with_its_own_profile_in_aws_profile_uses_the_named_profile() {
    let e = emulator();
    let config = format!(
        "{}\n[profile admin-cp]\nregion = us-east-1\ncredential_process = {} {BIN} -j admin\n",
        standard_config(),
        guard()
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    for out in sdk_whoami(&home, "admin-cp") {
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out).trim(), session_arn("admin"));
        assert!(!stderr(&out).contains("depth guard"), "{}", stderr(&out));
    }
}

#[test]
fn a_credential_process_that_runs_itself_again_is_stopped_at_the_second_level() {
    let e = emulator();
    let config = format!(
        "{}\n[profile itself]\nregion = us-east-1\ncredential_process = {} {BIN} -j itself\n",
        standard_config(),
        guard()
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    // Run directly: the one line names the profile and the command.
    let out = home.run(["-j", "itself"]);
    let line = assert_one_line_error(
        &out,
        &["'itself'", "credential_process", "-j itself", "loop"],
    );
    assert!(!line.contains("depth guard"), "{line}");
    // Through the SDKs: they fail, with our line, and nothing nested deeper than twice.
    for out in sdk_whoami(&home, "itself") {
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("runs itself again"), "{err}");
        assert!(!err.contains("depth guard"), "{err}");
    }
}

#[test]
fn an_mfa_process_that_runs_itself_again_is_stopped_and_a_chain_that_does_not_repeat_works() {
    let e = emulator();
    // mfa-admin's code comes from aws-runas -j mfa-admin: the same profile, the same process.
    let config = format!(
        "{}\n[profile mfa-loop]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/mfa-admin\nsource_profile = mfauser\nmfa_process = {} {BIN} -j mfa-loop\n\n[profile chained-cp]\ncredential_process = {} {BIN} -j admin-cp\n\n[profile admin-cp]\ncredential_process = {} {BIN} -j admin\n",
        standard_config(),
        guard(),
        guard(),
        guard()
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice), ("mfauser", &e.alice)]));
    let out = home.run_without_terminal(&["-j", "mfa-loop"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("mfa_process of profile 'mfa-loop'") && err.contains("runs itself again"),
        "{err}"
    );
    assert!(!err.contains("depth guard"), "{err}");
    // Two processes deep, no repetition: it works.
    let out = home.run(whoami(&["chained-cp"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
}
