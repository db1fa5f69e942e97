//! The exports in each shell's own form, evaluated by the shells themselves (bash, dash and
//! fish, from the distribution; PowerShell is not packaged there, so its form is checked as a
//! table in src/export.rs): a value with ', $, ", a backslash and a space arrives as it is.

use std::process::Command;

use crate::util::*;

/// A profile whose name (exported as AWSRUNAS_PROFILE) holds every troublesome character.
const ODD: &str = r#"odd'$x "q" \ name"#;

/// The odd profile lives in the credentials file, whose section names are taken whole (in the
/// config file, botocore splits `[profile ...]` into words).
fn odd_home() -> Home {
    let credentials = format!(
        "{}\n[{ODD}]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = dev\n",
        keys(&[("dev", &emulator().alice)])
    );
    Home::new(&standard_config(), &credentials)
}

/// Evaluates `exports` in `shell` and prints the two variables the test checks.
fn evaluate(home: &Home, shell: &str, exports: &str) -> String {
    let file = home.path().join("exports");
    std::fs::write(&file, exports).unwrap();
    let script = match shell {
        "fish" => format!(
            "source '{}'; printf '%s|%s' $AWSRUNAS_PROFILE $AWS_ACCESS_KEY_ID",
            file.display()
        ),
        _ => format!(
            ". '{}'; printf '%s|%s' \"$AWSRUNAS_PROFILE\" \"$AWS_ACCESS_KEY_ID\"",
            file.display()
        ),
    };
    let mut cmd = Command::new(shell);
    if shell == "fish" {
        cmd.arg("--no-config");
    }
    cmd.arg("-c").arg(script);
    home.isolate(&mut cmd);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{shell}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn each_shell_evaluates_its_own_form_and_every_value_survives() {
    let home = odd_home();
    for (flag, shell, prefix) in [
        ("posix", "bash", "export "),
        ("posix", "dash", "export "),
        ("fish", "fish", "set -gx "),
    ] {
        let out = home.run(["--shell", flag, ODD]);
        assert!(out.status.success(), "{}", stderr(&out));
        let exports = stdout(&out);
        assert!(exports.lines().all(|l| l.starts_with(prefix)), "{exports}");
        let key = exports
            .lines()
            .find(|l| l.contains("AWS_ACCESS_KEY_ID"))
            .unwrap()
            .split('\'')
            .nth(1)
            .unwrap()
            .to_string();
        assert_eq!(
            evaluate(&home, shell, &exports),
            format!("{ODD}|{key}"),
            "{shell}"
        );
    }
}

#[test]
fn the_form_follows_shell_without_the_flag() {
    let home = odd_home();
    for (shell, prefix) in [
        ("/usr/bin/fish", "set -gx "),
        ("/opt/microsoft/powershell/7/pwsh", "$Env:"),
        ("/bin/bash", "export "),
        ("/bin/tcsh", "export "),
    ] {
        let out = home.cmd([ODD]).env("SHELL", shell).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).lines().all(|l| l.starts_with(prefix)),
            "{shell}: {}",
            stdout(&out)
        );
    }
    let out = home.run(["--shell", "tcsh", ODD]);
    assert_one_line_error(&out, &["--shell: unknown shell 'tcsh'"]);
}
