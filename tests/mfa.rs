//! MFA through a real pseudo-terminal: asked once per session token, on the terminal only.

use std::time::{Duration, Instant};

use crate::util::*;

fn role_arn(run: &TerminalRun) -> Option<String> {
    export_value(&run.stdout, "AWS_ACCESS_KEY_ID")
}

#[test]
fn asks_once_on_the_terminal_then_not_again_for_any_role_of_the_source_profile() {
    let e = emulator();
    let home = Home::standard();
    let first = home.run_on_terminal(&["mfa-admin"], &[Answer::Totp(&e.alice.mfa_seed)], &[]);
    assert_eq!(first.status, 0, "{first:?}");
    assert_eq!(first.prompts, 1, "{first:?}");
    // The prompt says which device and which profile it is for.
    let prompt = format!(
        "Enter MFA code for {} (profile mfa-admin): ",
        e.alice.mfa_serial
    );
    assert!(first.tty.contains(&prompt), "{first:?}");
    assert!(
        !first.stdout.contains("Enter MFA"),
        "the prompt leaked to stdout: {first:?}"
    );
    assert!(
        !first.stderr.contains("Enter MFA"),
        "the prompt leaked to stderr: {first:?}"
    );
    assert!(role_arn(&first).unwrap().starts_with("ASIA"));

    // The same role again: from the cache, nothing asked.
    let again = home.run_on_terminal(&["mfa-admin"], &[], &[]);
    assert_eq!((again.status, again.prompts), (0, 0), "{again:?}");
    assert_eq!(role_arn(&again), role_arn(&first));

    // Another role with the same source profile: the cached session token, nothing asked.
    let other = home.run_on_terminal(&whoami(&["mfa-ops"]), &[], &[]);
    assert_eq!((other.status, other.prompts), (0, 0), "{other:?}");
    assert_eq!(other.stdout.trim(), session_arn("mfa-ops"));
    assert!(!other.tty.contains("Enter MFA"), "{other:?}");
}

#[test]
fn eval_in_a_shell_prompts_on_the_terminal() {
    let e = emulator();
    let home = Home::standard();
    let script = format!(
        "eval \"$('{BIN}' mfa-admin)\" && aws sts get-caller-identity --query Arn --output text"
    );
    let run =
        home.run_command_on_terminal(&["sh", "-c", &script], &[Answer::Totp(&e.alice.mfa_seed)]);
    assert_eq!((run.status, run.prompts), (0, 1), "{run:?}");
    assert_eq!(run.stdout.trim(), session_arn("mfa-admin"));
}

#[test]
fn a_wrong_code_is_reported_and_writes_no_cache() {
    let home = Home::standard();
    let run = home.run_on_terminal(
        &["mfa-admin"],
        &[
            Answer::Text("000000"),
            Answer::Text("000000"),
            Answer::Text("000000"),
        ],
        &[],
    );
    assert_eq!(run.status, 1, "{run:?}");
    assert_eq!(run.prompts, 3, "asked again after each rejection: {run:?}");
    assert!(run.tty.contains("AWS rejected the MFA code"), "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.starts_with(
            "aws-runas: GetSessionToken failed: AccessDenied: MultiFactorAuthentication failed"
        ),
        "{run:?}"
    );
    assert!(!home.cache_file(".aws_session_token_mfauser").exists());
    assert!(!home.cache_file(".aws_assume_role_mfa-admin").exists());
}

#[test]
fn a_malformed_code_is_asked_again() {
    let e = emulator();
    let home = Home::standard();
    let run = home.run_on_terminal(
        &["mfa-admin"],
        &[Answer::Text("12ab"), Answer::Totp(&e.alice.mfa_seed)],
        &[],
    );
    assert_eq!((run.status, run.prompts), (0, 2), "{run:?}");
    assert!(run.tty.contains("6 digits"), "{run:?}");
}

#[test]
fn without_a_terminal_or_otp_the_error_is_immediate() {
    let home = Home::standard();
    let started = Instant::now();
    let out = home.run_without_terminal(&["mfa-admin"]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_one_line_error(&out, &["no terminal", "pass the code with -o"]);
    assert!(!home.cache_file(".aws_session_token_mfauser").exists());
}

#[test]
fn otp_needs_no_terminal() {
    let e = emulator();
    let home = Home::standard();
    let code = totp(&e.alice.mfa_seed, 0);
    let out = home.run_without_terminal(&whoami(&["-o", &code, "mfa-admin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("mfa-admin"));
}

#[test]
fn a_rejected_otp_code_ends_the_run() {
    let home = Home::standard();
    let out = home.run_without_terminal(&["-o", "000000", "mfa-admin"]);
    assert_one_line_error(&out, &["MultiFactorAuthentication failed"]);
}

#[test]
fn ctrl_c_at_the_prompt_leaves_the_terminal_echoing() {
    let home = Home::standard();
    let run = home.run_on_terminal(&["mfa-admin"], &[Answer::Interrupt], &[]);
    // Ended by the SIGINT, as any program is at Ctrl-C (the shell shows 130)...
    assert_eq!((run.status, run.prompts), (-2, 1), "{run:?}");
    // ...with the terminal as it found it: typing shows again.
    assert!(run.echo, "the terminal was left with echo off: {run:?}");
    assert!(!home.cache_file(".aws_session_token_mfauser").exists());
}

/// A script that prints the current code of alice's device (as `ykman oath accounts code
/// --single` prints a YubiKey's), or misbehaves as told.
fn code_script(home: &Home, seed: &str, behaviour: &str) -> String {
    let path = home.path().join(format!("mfa-{behaviour}.sh"));
    let python = venv_bin().join("python");
    let emulator = format!("{ROOT}/tests/emulator/emulator.py");
    let body = match behaviour {
        "good" => format!("exec '{}' '{emulator}' totp {seed}", python.display()),
        "fails" => "exit 3".to_string(),
        "hangs" => "exec sleep 30".to_string(),
        "junk" => "echo 'Touch your key'; echo 123456".to_string(),
        other => panic!("{other}"),
    };
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn mfa_process_gives_the_code_without_a_terminal() {
    let e = emulator();
    let home = Home::standard();
    let script = code_script(&home, &e.alice.mfa_seed, "good");
    // From the profile's source (like mfa_serial), for a cold run with no terminal and no -o.
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    let config = config.replace(
        "[profile mfauser]\n",
        &format!("[profile mfauser]\nmfa_process = {script}\n"),
    );
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    let out = home.run_without_terminal(&whoami(&["mfa-admin"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), session_arn("mfa-admin"));
    assert!(home.cache_file(".aws_session_token_mfauser").exists());
}

#[test]
fn a_failing_hanging_or_junk_mfa_process_is_one_line_and_caches_nothing() {
    let e = emulator();
    let home = Home::standard();
    for (behaviour, wanted) in [
        ("fails", "failed (exit status: 3)"),
        ("hangs", "gave no code within 2s"),
        ("junk", "printed no 6-digit code on its first line"),
    ] {
        let script = code_script(&home, &e.alice.mfa_seed, behaviour);
        let started = Instant::now();
        let out = home
            .cmd(["mfa-admin"])
            .env("AWS_RUNAS_MFA_PROCESS", &script)
            .env("AWS_RUNAS_MFA_TIMEOUT", "2s")
            .output()
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(10), "{behaviour}");
        assert_one_line_error(&out, &[&format!("mfa_process '{script}'"), wanted]);
        assert!(
            !home.cache_file(".aws_session_token_mfauser").exists(),
            "{behaviour}"
        );
        assert!(
            !home.cache_file(".aws_assume_role_mfa-admin").exists(),
            "{behaviour}"
        );
    }
    // -o still wins over mfa_process.
    let bad = code_script(&home, &e.alice.mfa_seed, "fails");
    let out = home
        .cmd(["-o", &totp(&e.alice.mfa_seed, 0), "mfa-admin"])
        .env("AWS_RUNAS_MFA_PROCESS", &bad)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}
