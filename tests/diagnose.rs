//! `-D` against the emulator: each check a line, `OK|WARN|ERROR <what>`, then the resolved
//! profile; exit 1 exactly when a check is an ERROR; never a secret, never a crash.

use std::os::unix::fs::PermissionsExt;

use crate::util::*;

/// The lines of a `-D` run, and its exit code.
fn diagnose(home: &Home, args: &[&str]) -> (String, i32) {
    let out = home.cmd(["-D"].iter().chain(args)).output().unwrap();
    assert_eq!(stderr(&out), "", "-D says everything on stdout");
    (stdout(&out), out.status.code().unwrap())
}

/// The lines tagged `tag`.
fn tagged<'a>(text: &'a str, tag: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{tag} ")))
        .collect()
}

#[test]
fn a_good_profile_is_all_ok_with_each_values_origin() {
    let e = emulator();
    let home = Home::standard();
    let (text, code) = diagnose(&home, &["ext"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        tagged(&text, "WARN").is_empty() && tagged(&text, "ERROR").is_empty(),
        "{text}"
    );
    for wanted in [
        "OK profile 'ext' found and resolved",
        &format!(
            "OK the source credentials ({}) are valid: {}",
            e.alice.access_key_id, e.alice.arn
        ),
        "OK the clock is ",
        "PROFILE: ext\n",
        "REGION: us-east-1 (from profile 'default')\n",
        "SOURCE PROFILE: dev\n",
        "SESSION TOKEN DURATION: 12h0m0s (default)\n",
        "MFA SERIAL: (not set)\n",
        &format!("ROLE ARN: arn:aws:iam::{ACCOUNT}:role/ext (from profile 'ext')\n"),
        &format!("EXTERNAL ID: {}\n", e.external_id),
        "ASSUME ROLE CREDENTIAL DURATION: 1h0m0s (default)\n",
    ] {
        assert!(text.contains(wanted), "{wanted:?} in\n{text}");
    }
    assert!(!text.contains(&e.alice.secret_access_key));
    // Nothing was fetched for the cache, nor prompted.
    assert!(!home.cache_file(".aws_session_token_dev").exists());
}

#[test]
fn a_role_without_its_source_is_an_error() {
    let config = format!(
        "{}\n[profile orphan]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\n",
        standard_config()
    );
    let home = Home::new(&config, &keys(&[("dev", &emulator().alice)]));
    let (text, code) = diagnose(&home, &["orphan"]);
    assert_eq!(code, 1, "{text}");
    let errors = tagged(&text, "ERROR");
    assert_eq!(errors.len(), 1, "{text}");
    assert!(
        errors[0].contains("orphan") && errors[0].contains("source_profile"),
        "{text}"
    );
    // The checks that do not need the profile still ran.
    assert!(
        text.contains("OK config file") && text.contains("OK no conflicting"),
        "{text}"
    );
}

#[test]
fn an_unparseable_file_is_an_error_and_the_rest_still_runs() {
    let home = Home::new("[default\nregion = us-east-1\n", "");
    let (text, code) = diagnose(&home, &["default"]);
    assert_eq!(code, 1, "{text}");
    let errors = tagged(&text, "ERROR");
    assert_eq!(errors.len(), 1, "{text}");
    assert!(
        errors[0].contains(".aws/config") && errors[0].contains("line 1"),
        "{text}"
    );
    assert!(
        text.contains("OK credentials file") && text.contains("OK no conflicting"),
        "{text}"
    );
}

#[test]
fn a_section_or_key_written_twice_is_a_warning_naming_it_and_both_lines_as_the_aws_cli_refuses_the_file(
) {
    let e = emulator();
    let keys = keys(&[("dup", &e.alice)]);
    let config = "[profile dup]\nregion = us-east-1\n\n[profile dup]\noutput = json\n";
    let twice_in_credentials =
        format!("{keys}[other]\nregion = us-east-1\n[dup]\nregion = us-east-1\n");
    let key_twice = "[profile dup]\nregion = us-east-1\nRegion = us-west-2\n";
    for (config, credentials, file, what) in [
        (
            config,
            keys.as_str(),
            "config",
            "section [profile dup] at line 1 and again at line 4",
        ),
        (
            "[profile dup]\nregion = us-east-1\n",
            twice_in_credentials.as_str(),
            "credentials",
            "section [dup] at line 1 and again at line 7",
        ),
        (
            key_twice,
            keys.as_str(),
            "config",
            "key 'region' of section [profile dup] at line 2 and again at line 3",
        ),
    ] {
        let home = Home::new(config, credentials);
        let (text, code) = diagnose(&home, &["dup"]);
        // We read the two as one: the profile still works.
        assert_eq!(code, 0, "{text}");
        let warnings = tagged(&text, "WARN");
        assert_eq!(warnings.len(), 1, "{text}");
        let path = home.path().join(".aws").join(file);
        for wanted in [
            &format!("WARN {file} file {}: {what}", path.display()),
            "the AWS CLI and boto3 refuse the whole file",
            "keep one of them",
        ] {
            assert!(warnings[0].contains(wanted), "{wanted:?} in {text}");
        }
        // As the warning says: the aws CLI refuses the file, even for another profile.
        let out = home.run_command(&["aws", "configure", "list", "--profile", "default"]);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains(&format!("Unable to parse config file: {}", path.display())),
            "{}",
            stderr(&out)
        );
    }
    // A file with each section once: no warning, and the aws CLI reads it.
    let home = Home::new("[profile dup]\nregion = us-east-1\n", &keys);
    let (text, _) = diagnose(&home, &["dup"]);
    assert!(tagged(&text, "WARN").is_empty(), "{text}");
    let out = home.run_command(&["aws", "configure", "list", "--profile", "dup"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn refused_credentials_are_reported_not_crashed_on() {
    let e = emulator();
    let wrong_secret = format!(
        "[default]\naws_access_key_id = {}\naws_secret_access_key = {}x\n",
        e.alice.access_key_id, e.alice.secret_access_key
    );
    let unknown_key = "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    for (credentials, code) in [
        (wrong_secret.as_str(), "SignatureDoesNotMatch"),
        (unknown_key, "InvalidClientTokenId"),
    ] {
        let home = Home::new("[default]\nregion = us-east-1\n", credentials);
        let (text, exit) = diagnose(&home, &[]);
        assert_eq!(exit, 1, "{text}");
        let errors = tagged(&text, "ERROR");
        assert_eq!(errors.len(), 1, "{text}");
        assert!(
            errors[0].contains("are refused") && errors[0].contains(code),
            "{code}: {text}"
        );
        assert!(!text.contains("wJalrXUtnFEMI") && !text.contains(&e.alice.secret_access_key));
        assert!(text.contains("PROFILE: default\n"), "{text}");
    }
}

#[test]
fn a_cache_file_others_can_read_is_a_warning() {
    let home = Home::standard();
    assert!(home.run(["admin"]).status.success());
    let file = home.cache_file(".aws_assume_role_admin");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (text, code) = diagnose(&home, &["admin"]);
    assert_eq!(code, 0, "{text}");
    let warnings = tagged(&text, "WARN");
    assert_eq!(warnings.len(), 1, "{text}");
    assert!(
        warnings[0].contains(".aws_assume_role_admin")
            && warnings[0].contains("readable by other users (mode 644)"),
        "{text}"
    );
}

#[test]
fn conflicting_environment_variables_are_named() {
    let home = Home::standard();
    let out = home
        .cmd(["-D", "admin"])
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_SESSION_TOKEN", "token")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        tagged(&text, "ERROR")
            .iter()
            .any(|l| l.contains("long-term key") && l.contains("AWS_SESSION_TOKEN")),
        "{text}"
    );
    let warnings = tagged(&text, "WARN");
    assert!(
        warnings.iter().any(|l| l.contains("beside a profile")),
        "{text}"
    );
    assert!(
        warnings
            .iter()
            .any(|l| l.contains("AWS_REGION (eu-west-1) and AWS_DEFAULT_REGION")),
        "{text}"
    );
    assert!(!text.contains("wJalrXUtnFEMI") && !text.contains("token\n"));
}

#[test]
fn a_clock_more_than_five_minutes_off_is_an_error() {
    let e = Emulator::start_with(&[("EMULATOR_DATE_OFFSET", "-400")]);
    let home = Home::standard_on(&e);
    let (text, code) = diagnose(&home, &["dev"]);
    assert_eq!(code, 1, "{text}");
    let errors = tagged(&text, "ERROR");
    assert_eq!(errors.len(), 1, "{text}");
    assert!(
        errors[0].starts_with("ERROR the clock is 40") && errors[0].contains("ahead of AWS's"),
        "{text}"
    );
}
