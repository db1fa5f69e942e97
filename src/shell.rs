//! Shells: which one the exports are written for (`--shell`, else `SHELL`'s base name), and
//! how a POSIX shell splits a command line into words (for `credential_process` and
//! `mfa_process`, run without one). A leaf.

/// The shell syntax to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// `export NAME='value'` (sh, bash, zsh, ksh, dash).
    Posix,
    /// `set -gx NAME 'value'`.
    Fish,
    /// `$Env:NAME = 'value'`.
    Pwsh,
    /// `set "NAME=value"`.
    Cmd,
}

impl Shell {
    /// The shell `--shell` names: `posix`, `fish`, `powershell` (or `pwsh`), `cmd`.
    pub fn from_name(name: &str) -> Option<Shell> {
        match name.to_ascii_lowercase().as_str() {
            "posix" | "sh" | "bash" | "zsh" | "ksh" | "dash" => Some(Shell::Posix),
            "fish" => Some(Shell::Fish),
            "powershell" | "pwsh" => Some(Shell::Pwsh),
            "cmd" => Some(Shell::Cmd),
            _ => None,
        }
    }

    /// The shell `SHELL` points at (its base name, `.exe` ignored): fish, PowerShell, else
    /// POSIX; without `SHELL`, cmd on Windows and POSIX elsewhere.
    pub fn from_env(shell: Option<&str>) -> Shell {
        let Some(path) = shell.filter(|s| !s.is_empty()) else {
            return if cfg!(windows) {
                Shell::Cmd
            } else {
                Shell::Posix
            };
        };
        let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let base = base.strip_suffix(".exe").unwrap_or(base);
        match Shell::from_name(base) {
            Some(Shell::Cmd) | None => Shell::Posix,
            Some(shell) => shell,
        }
    }
}

/// Splits `line` into words as a POSIX shell would (quotes, backslashes), without expanding
/// anything: what botocore does with `shlex.split`.
pub fn split(line: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("an unclosed single quote"),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("an unclosed double quote"),
                        },
                        Some(c) => w.push(c),
                        None => return Err("an unclosed double quote"),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err("a trailing backslash"),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_as_a_posix_shell_splits_them() {
        let ok = |line: &str| split(line).unwrap();
        assert_eq!(
            ok("aws-vault export --format=json dev"),
            ["aws-vault", "export", "--format=json", "dev"]
        );
        assert_eq!(
            ok(r#"/opt/my tool/get" creds" 'a b' c\ d"#),
            ["/opt/my", "tool/get creds", "a b", "c d"]
        );
        assert_eq!(ok(r#""say \"hi\" \$HOME""#), [r#"say "hi" $HOME"#]);
        assert_eq!(ok("  "), Vec::<String>::new());
        assert_eq!(ok("''"), [""]);
        assert!(split("'open").is_err() && split("\"open").is_err() && split("end\\").is_err());
    }

    #[test]
    fn names_and_shell_paths() {
        assert_eq!(Shell::from_name("PowerShell"), Some(Shell::Pwsh));
        assert_eq!(Shell::from_name("pwsh"), Some(Shell::Pwsh));
        assert_eq!(Shell::from_name("tcsh"), None);
        assert_eq!(Shell::from_env(Some("/usr/bin/fish")), Shell::Fish);
        assert_eq!(
            Shell::from_env(Some("/opt/microsoft/powershell/7/pwsh")),
            Shell::Pwsh
        );
        assert_eq!(
            Shell::from_env(Some("C:\\Program Files\\PowerShell\\7\\pwsh.exe")),
            Shell::Pwsh
        );
        assert_eq!(Shell::from_env(Some("/bin/zsh")), Shell::Posix);
        assert_eq!(
            Shell::from_env(Some("/bin/tcsh")),
            Shell::Posix,
            "unknown: POSIX"
        );
        assert_eq!(
            Shell::from_env(Some("cmd.exe")),
            Shell::Posix,
            "SHELL names no cmd"
        );
    }
}
