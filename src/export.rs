//! The credentials as eval-able shell lines, rendered to a String (printed by the mode).
//!
//! Order and names are the 1.x tool's; POSIX form quotes every value in single quotes, a `'`
//! written as `'\''`, so any value survives `eval`. cmd.exe form for Windows without `SHELL`.

use crate::credentials::Credentials;
pub use crate::shell::Shell;
use crate::time::rfc3339;

/// The variables describing a run's credentials, in output order, each only when it has a value.
pub fn variables(
    credentials: &Credentials,
    region: Option<&str>,
    profile: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut vars = Vec::with_capacity(8);
    if let Some(region) = region {
        vars.push(("AWS_REGION", region.to_string()));
        vars.push(("AWS_DEFAULT_REGION", region.to_string()));
    }
    vars.push(("AWS_ACCESS_KEY_ID", credentials.access_key_id.clone()));
    vars.push((
        "AWS_SECRET_ACCESS_KEY",
        credentials.secret_access_key.expose().to_string(),
    ));
    if let Some(token) = &credentials.session_token {
        vars.push(("AWS_SESSION_TOKEN", token.expose().to_string()));
        // Older SDKs (boto 2) read this name.
        vars.push(("AWS_SECURITY_TOKEN", token.expose().to_string()));
    }
    if let Some(profile) = profile {
        vars.push(("AWSRUNAS_PROFILE", profile.to_string()));
    }
    if let Some(expiration) = credentials.expiration {
        vars.push(("AWS_CREDENTIAL_EXPIRATION", rfc3339::format(expiration)));
    }
    vars
}

/// The credentials as a `credential_process` answer (`-j`): version 1, and the expiration when
/// they expire, so the SDK asks again in time.
pub fn credential_process(credentials: &Credentials) -> String {
    let mut json = serde_json::json!({
        "Version": 1,
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_access_key.expose(),
    });
    if let Some(token) = &credentials.session_token {
        json["SessionToken"] = token.expose().into();
    }
    if let Some(expiration) = credentials.expiration {
        json["Expiration"] = rfc3339::format(expiration).into();
    }
    format!("{json}\n")
}

/// POSIX single-quoting.
pub fn posix_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// fish single-quoting: inside `'...'` only `\\` and `\'` are escapes.
fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// PowerShell single-quoting: a literal string, each quote doubled (the typographic single
/// quotes PowerShell also takes as quotes included).
fn powershell_quote(value: &str) -> String {
    let mut out = String::from("'");
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Renders the variables as lines for `shell`, each value quoted so that any value, whatever
/// its characters, arrives as it is.
pub fn render(vars: &[(&'static str, String)], shell: Shell) -> String {
    let mut out = String::new();
    for (name, value) in vars {
        let line = match shell {
            Shell::Posix => format!("export {name}={}", posix_quote(value)),
            Shell::Fish => format!("set -gx {name} {}", fish_quote(value)),
            Shell::Pwsh => format!("$Env:{name} = {}", powershell_quote(value)),
            // Inside cmd's quoted form, only % (expansion) is special: %% in a batch file, and
            // credentials never hold one.
            Shell::Cmd => format!("set \"{name}={value}\""),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Secret;

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("se'cret"),
            session_token: Some(Secret::new("to ken\nline")),
            expiration: Some(1_764_079_387),
        }
    }

    #[test]
    fn order_and_quoting() {
        let text = render(
            &variables(&creds(), Some("eu-west-1"), Some("admin")),
            Shell::Posix,
        );
        let names: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .map(|l| l.split('=').next().unwrap())
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
        assert!(text.contains("export AWS_SECRET_ACCESS_KEY='se'\\''cret'\n"));
        assert!(text.contains("export AWS_CREDENTIAL_EXPIRATION='2025-11-25T14:03:07Z'\n"));
    }

    #[test]
    fn every_shell_quotes_any_value() {
        // pwsh is not packaged by the distribution, so its form is checked here as a table;
        // bash, dash and fish evaluate theirs in tests/shells.rs.
        let vars = [("AWSRUNAS_PROFILE", r#"a'b $c "d" \e f’g"#.to_string())];
        let table = [
            (
                Shell::Posix,
                r#"export AWSRUNAS_PROFILE='a'\''b $c "d" \e f’g'"#,
            ),
            (
                Shell::Fish,
                r#"set -gx AWSRUNAS_PROFILE 'a\'b $c "d" \\e f’g'"#,
            ),
            (
                Shell::Pwsh,
                r#"$Env:AWSRUNAS_PROFILE = 'a''b $c "d" \e f’’g'"#,
            ),
            (Shell::Cmd, r#"set "AWSRUNAS_PROFILE=a'b $c "d" \e f’g""#),
        ];
        for (shell, line) in table {
            assert_eq!(render(&vars, shell), format!("{line}\n"), "{shell:?}");
        }
    }

    #[test]
    fn credential_process_json() {
        let mut c = Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: Secret::new("s\"e"),
            session_token: Some(Secret::new("tok")),
            expiration: Some(1_764_079_387),
        };
        let json: serde_json::Value = serde_json::from_str(&credential_process(&c)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"Version": 1, "AccessKeyId": "ASIA1", "SecretAccessKey": "s\"e",
                "SessionToken": "tok", "Expiration": "2025-11-25T14:03:07Z"})
        );
        c.session_token = None;
        c.expiration = None;
        let json: serde_json::Value = serde_json::from_str(&credential_process(&c)).unwrap();
        assert_eq!(json.as_object().unwrap().len(), 3);
    }

    #[test]
    fn optional_values_are_left_out() {
        let mut c = creds();
        c.session_token = None;
        c.expiration = None;
        let text = render(&variables(&c, None, None), Shell::Posix);
        assert_eq!(text.lines().count(), 2);
        let cmd = render(&variables(&c, None, None), Shell::Cmd);
        assert!(cmd.starts_with("set \"AWS_ACCESS_KEY_ID=ASIAEXAMPLE\"\n"));
    }

    #[test]
    fn survives_a_real_shell_eval() {
        let text = render(&variables(&creds(), None, Some("it's")), Shell::Posix);
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{text}printf '%s|%s|%s' \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\" \"$AWSRUNAS_PROFILE\""))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "se'cret|to ken\nline|it's"
        );
    }
}
