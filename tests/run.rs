//! The everyday path: assume a role and hand the credentials to a shell or a command.

use std::process::Command;

use crate::util::*;

/// `aws sts get-caller-identity --query Arn --output text` through a shell that evals our exports.
#[test]
fn exports_evald_in_sh_give_the_role_to_the_aws_cli() {
    let home = Home::standard();
    let mut sh = Command::new("sh");
    sh.arg("-c").arg(format!(
        "eval \"$('{BIN}' admin)\" && aws sts get-caller-identity --query Arn --output text"
    ));
    home.isolate(&mut sh);
    let out = sh.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
}

#[test]
fn exports_are_complete_and_in_order() {
    let home = Home::standard();
    let out = home.run(["admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let names: Vec<&str> = text
        .lines()
        .map(|l| {
            l.strip_prefix("export ")
                .unwrap()
                .split('=')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
            "AWSRUNAS_PROFILE",
            "AWS_CREDENTIAL_EXPIRATION"
        ]
    );
    assert!(export_value(&text, "AWS_ACCESS_KEY_ID")
        .unwrap()
        .starts_with("ASIA"));
    assert_eq!(
        export_value(&text, "AWSRUNAS_PROFILE").as_deref(),
        Some("admin")
    );
    let expiration = export_value(&text, "AWS_CREDENTIAL_EXPIRATION").unwrap();
    assert!(
        expiration.ends_with('Z') && expiration.len() == 20,
        "{expiration}"
    );
}

#[test]
fn aws_cli_as_the_wrapped_command() {
    let home = Home::standard();
    let out = home.run(whoami(&["admin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
}

#[test]
fn the_commands_exit_status_passes_through() {
    let home = Home::standard();
    let out = home.run(["admin", "sh", "-c", "exit 7"]);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
}

#[test]
fn arguments_after_the_profile_belong_to_the_command() {
    let home = Home::standard();
    let out = home.run([
        "admin",
        "sh",
        "-c",
        "printf '%s,' \"$@\"",
        "x",
        "--recursive",
        "-v",
        "--",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "--recursive,-v,--,");
}

/// `--region` is the run's region, as the aws CLI's: over the profile's own and `AWS_REGION`
/// (and `AWS_DEFAULT_REGION`), in the exports and in the wrapped command's environment.
#[test]
fn the_region_flag_wins_over_the_profile_and_the_environment() {
    let e = emulator();
    let config = format!(
        "{}\n[profile here]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = dev\nregion = ap-south-1\n",
        standard_config()
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    let run = |args: &[&str]| {
        home.cmd(args)
            .env("AWS_REGION", "us-west-2")
            .env("AWS_DEFAULT_REGION", "ca-central-1")
            .output()
            .unwrap()
    };
    let region = |out: &std::process::Output| {
        assert!(out.status.success(), "{}", stderr(out));
        let text = stdout(out);
        (
            export_value(&text, "AWS_REGION"),
            export_value(&text, "AWS_DEFAULT_REGION"),
        )
    };
    let eu = Some("eu-west-3".to_string());
    assert_eq!(
        region(&run(&["--region", "eu-west-3", "here"])),
        (eu.clone(), eu.clone())
    );
    // The negative control: without the flag, AWS_REGION wins over the profile.
    let west = Some("us-west-2".to_string());
    assert_eq!(region(&run(&["here"])), (west.clone(), west));
    // -v says where it came from; the wrapped command gets it too.
    let echo = "echo $AWS_REGION $AWS_DEFAULT_REGION";
    let out = run(&["-v", "--region=eu-west-3", "here", "sh", "-c", echo]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "eu-west-3 eu-west-3");
    assert!(
        stderr(&out).contains("region = eu-west-3 (from flag --region)"),
        "{}",
        stderr(&out)
    );
    // A value that is no region name is one error line naming it, before anything is read.
    let out = run(&["--region", "eu-west-3;x", "here"]);
    assert_one_line_error(&out, &["--region: 'eu-west-3;x' is not a region name"]);
    let out = run(&["--region", "eu-west-1", "--region", "eu-west-3", "here"]);
    assert_one_line_error(&out, &["--region given 2 times", "only -c"]);
}

#[test]
fn aws_profile_names_the_profile_and_does_not_reach_the_child() {
    let home = Home::standard();
    let out = home
        .cmd([
            "sh",
            "-c",
            "echo \"${AWS_PROFILE-unset} $AWSRUNAS_PROFILE\"",
        ])
        .env("AWS_PROFILE", "admin")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "unset admin");
}

#[test]
fn stale_keys_in_the_environment_neither_break_the_run_nor_reach_the_child() {
    let home = Home::standard();
    let out = home
        .cmd([
            "admin",
            "sh",
            "-c",
            "echo $AWS_ACCESS_KEY_ID; aws sts get-caller-identity --query Arn --output text",
        ])
        .env("AWS_ACCESS_KEY_ID", "AKIAGARBAGEGARBAGE00")
        .env("AWS_SECRET_ACCESS_KEY", "garbage")
        .env("AWS_SESSION_TOKEN", "garbage")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    let key = lines.next().unwrap();
    assert!(key.starts_with("ASIA"), "{key}");
    assert_eq!(lines.next(), Some(session_arn("admin").as_str()));
}

#[test]
fn a_role_arn_stands_in_for_the_profile() {
    let home = Home::standard();
    let arn = format!("arn:aws:iam::{ACCOUNT}:role/admin");
    let out = home.run(whoami(&[arn.as_str()]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    // No AWSRUNAS_PROFILE for a role ARN.
    let out = home.run([arn.as_str()]);
    assert_eq!(export_value(&stdout(&out), "AWSRUNAS_PROFILE"), None);
}

#[test]
fn role_chaining_assumes_each_role_in_turn() {
    let home = Home::standard();
    let out = home.run(whoami(&["chained"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("chained"));
}

#[test]
fn external_id_is_sent() {
    let home = Home::standard();
    let out = home.run(whoami(&["ext"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("ext"));
    // From the environment too.
    let out = home
        .cmd(["ext-missing", "true"])
        .env("EXTERNAL_ID", &emulator().external_id)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn role_session_name_from_the_config() {
    let e = emulator();
    let config = format!(
        "[default]\nregion = us-east-1\n[profile named]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = dev\nrole_session_name = ci job#1\n"
    );
    let home = Home::new(&config, &keys(&[("dev", &e.alice)]));
    let out = home.run(whoami(&["named"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/admin/cijob1")
    );
}

#[test]
fn role_duration_sets_the_expiration() {
    let home = Home::standard();
    let out = home.run(["-a", "2h", "admin"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let left = seconds_left(&stdout(&out));
    assert!((7000..=7200).contains(&left), "{left}s left");
}

#[test]
fn a_profile_without_a_role_gets_a_session_token() {
    let home = Home::standard();
    let out = home.run(whoami(&["dev"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), emulator().alice.arn);
    let out = home.run(["dev"]);
    assert!(export_value(&stdout(&out), "AWS_ACCESS_KEY_ID")
        .unwrap()
        .starts_with("ASIA"));
}

#[test]
fn command_not_found_is_127_and_not_executable_is_126() {
    let home = Home::standard();
    let out = home.run(["admin", "no-such-command-anywhere"]);
    assert_eq!(out.status.code(), Some(127));
    assert!(
        stderr(&out).contains("no-such-command-anywhere: command not found"),
        "{}",
        stderr(&out)
    );
    let script = home.path().join("script.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
    let out = home.run(["admin".as_ref(), script.as_os_str()]);
    assert_eq!(out.status.code(), Some(126), "{}", stderr(&out));
}

#[test]
fn verbose_output_never_shows_secrets() {
    let home = Home::standard();
    let out = home.run(["-v", "chained"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let exports = stdout(&out);
    let log = stderr(&out);
    assert!(log.contains("AssumeRole"), "{log}");
    let secret = export_value(&exports, "AWS_SECRET_ACCESS_KEY").unwrap();
    let token = export_value(&exports, "AWS_SESSION_TOKEN").unwrap();
    for hidden in [
        secret.as_str(),
        token.as_str(),
        emulator().alice.secret_access_key.as_str(),
    ] {
        assert!(!log.contains(hidden), "a secret in the -v output");
    }
}

#[test]
fn temporary_keys_from_the_environment_assume_the_role_directly() {
    let home = Home::standard();
    // Session-token credentials, as another tool (or an earlier aws-runas -s) would leave them.
    let session = home.run(["-s", "dev"]);
    assert!(session.status.success(), "{}", stderr(&session));
    let exports = stdout(&session);
    let config = format!(
        "[default]\nregion = us-east-1\n[profile envrole]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\ncredential_source = Environment\n"
    );
    let home = Home::new(&config, "");
    let out = home
        .cmd(whoami(&["-v", "envrole"]))
        .env(
            "AWS_ACCESS_KEY_ID",
            export_value(&exports, "AWS_ACCESS_KEY_ID").unwrap(),
        )
        .env(
            "AWS_SECRET_ACCESS_KEY",
            export_value(&exports, "AWS_SECRET_ACCESS_KEY").unwrap(),
        )
        .env(
            "AWS_SESSION_TOKEN",
            export_value(&exports, "AWS_SESSION_TOKEN").unwrap(),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("admin"));
    assert!(
        stderr(&out).contains("temporary: AssumeRole directly"),
        "{}",
        stderr(&out)
    );
}
