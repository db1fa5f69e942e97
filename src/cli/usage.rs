//! The texts printed for `-h`, `--help-man` and `-V`. They need no configuration, so they work
//! even when `~/.aws/config` is broken. A flag appears here only once it works; the help and the
//! man page are rendered from the one table below, so they cannot disagree.

/// `aws-runas <version>`.
pub fn version() -> String {
    format!("aws-runas {}\n", env!("CARGO_PKG_VERSION"))
}

/// A documented flag.
struct Flag {
    short: char,
    long: &'static str,
    /// The value's name, for flags that take one.
    value: Option<&'static str>,
    /// One or more sentences; wrapped when rendered.
    help: &'static str,
}

const FLAGS: &[Flag] = &[
    Flag { short: 'h', long: "help", value: None, help: "Show this help and exit (--help-man: as a man page)." },
    Flag { short: 'V', long: "version", value: None, help: "Show the version and exit." },
    Flag { short: 'v', long: "verbose", value: None, help: "Debug messages on stderr: where each setting came from, the cache decisions, each STS call. Never secrets." },
    Flag { short: 'a', long: "role-duration", value: Some("DURATION"), help: "Lifetime of the role credentials, 15m to 12h (default 1h; Go syntax: 1h, 90m, 1h30m). Over 1h, the role is assumed directly with the long-term keys and the MFA code." },
    Flag { short: 'd', long: "duration", value: Some("DURATION"), help: "Lifetime of the session token, 15m to 36h (default 12h): how long one MFA code lasts." },
    Flag { short: 's', long: "session", value: None, help: "Use the session-token credentials instead of the role's." },
    Flag { short: 'r', long: "refresh", value: None, help: "Discard the cached credentials this run would use and fetch new ones." },
    Flag { short: 'e', long: "expiration", value: None, help: "Say on stderr when the credentials expire." },
    Flag { short: 'M', long: "mfa-arn", value: Some("ARN"), help: "The MFA device to use (else mfa_serial, or MFA_SERIAL)." },
    Flag { short: 'o', long: "otp", value: Some("CODE"), help: "The MFA code, instead of asking on the terminal." },
];

const SUMMARY: &str = "Run a command with the credentials of an assumed IAM role, or print them as eval-able shell exports when no command is given.";

const ARGUMENTS: &[(&str, &str)] = &[
    ("<profile>", "A profile from ~/.aws/config, or a role ARN (its source is the default profile). Without one: AWS_DEFAULT_PROFILE, else 'default'. When AWS_PROFILE is set, there is no profile argument."),
    ("<cmd>...", "The command to run, with its arguments, untouched. Without one, aws-runas prints export lines for eval."),
];

const CACHE: &str = "Credentials are cached next to the config file (~/.aws/.aws_session_token_<source profile>, ~/.aws/.aws_assume_role_<profile>): the MFA code is asked once per session token, for every role that shares its source profile.";

const EXAMPLES: &[&str] = &[
    "aws-runas admin aws s3 ls --recursive",
    "eval \"$(aws-runas admin)\"",
    "AWS_PROFILE=admin aws-runas terraform plan",
];

const ENVIRONMENT: &str = "AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, EXTERNAL_ID, MFA_SERIAL, SESSION_TOKEN_DURATION, CREDENTIALS_DURATION, AWS_ROLE_SESSION_NAME, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS, AWS_STS_REGIONAL_ENDPOINTS, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

/// Wraps `text`, which starts at column `indent`, to `width` columns, indenting every further
/// line by `indent`.
fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut column = indent;
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 && column + 1 + word.len() > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            column = indent;
        } else if i > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += word.len();
    }
    out
}

fn flag_name(f: &Flag) -> String {
    match f.value {
        Some(v) => format!("-{}, --{}={v}", f.short, f.long),
        None => format!("-{}, --{}", f.short, f.long),
    }
}

/// The usage text for `-h`.
pub fn help() -> String {
    const COLUMN: usize = 30;
    let mut out = format!(
        "usage: aws-runas [<flags>] [<profile>] [<cmd>...]\n\n{}\n\nFlags:\n",
        wrap(SUMMARY, 78, 0)
    );
    for f in FLAGS {
        let name = flag_name(f);
        if name.len() + 2 < COLUMN {
            out.push_str(&format!("  {name:<width$}", width = COLUMN - 2));
        } else {
            out.push_str(&format!("  {name}\n{}", " ".repeat(COLUMN)));
        }
        out.push_str(&wrap(f.help, 78, COLUMN));
        out.push('\n');
    }
    out.push_str("\nArguments:\n");
    for (name, text) in ARGUMENTS {
        out.push_str(&format!("  {name:<12}{}\n", wrap(text, 78, 14)));
    }
    out.push_str(&format!("\n{}\n\nExamples:\n", wrap(CACHE, 78, 0)));
    for e in EXAMPLES {
        out.push_str(&format!("  {e}\n"));
    }
    out.push_str(&format!("\nEnvironment:\n  {}\n", wrap(ENVIRONMENT, 78, 2)));
    out
}

/// Escapes text for roff: backslashes, and a leading dot or quote.
fn roff(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with('.') || text.starts_with('\'') {
        format!("\\&{text}")
    } else {
        text
    }
}

/// The man page for `--help-man` (roff, section 1).
pub fn man() -> String {
    let mut out = format!(
        ".TH AWS\\-RUNAS 1 \"\" \"aws-runas {}\" \"User Commands\"\n.SH NAME\naws\\-runas \\- {}\n",
        env!("CARGO_PKG_VERSION"),
        roff("run a command under an assumed AWS IAM role")
    );
    out.push_str(
        ".SH SYNOPSIS\n.B aws\\-runas\n[\\fIflags\\fR] [\\fIprofile\\fR] [\\fIcmd\\fR ...]\n",
    );
    out.push_str(&format!(
        ".SH DESCRIPTION\n{}\n.PP\n{}\n.SH OPTIONS\n",
        roff(SUMMARY),
        roff(CACHE)
    ));
    for f in FLAGS {
        let value = f.value.map(|v| format!("=\\fI{v}\\fR")).unwrap_or_default();
        out.push_str(&format!(
            ".TP\n.BR \\-{} \", \" \\-\\-{}{value}\n{}\n",
            f.short,
            roff(f.long),
            roff(f.help)
        ));
    }
    out.push_str(".SH ARGUMENTS\n");
    for (name, text) in ARGUMENTS {
        out.push_str(&format!(".TP\n.I {}\n{}\n", roff(name), roff(text)));
    }
    out.push_str(".SH EXAMPLES\n");
    for e in EXAMPLES {
        out.push_str(&format!(".PP\n.nf\n{}\n.fi\n", roff(e)));
    }
    out.push_str(&format!(".SH ENVIRONMENT\n{}\n", roff(ENVIRONMENT)));
    out.push_str(".SH EXIT STATUS\nThe command's own status when one is run; 127 when it is not found, 126 when it cannot be executed; 1 for any aws\\-runas error, reported as one line on stderr.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_flag_within_80_columns() {
        let text = help();
        for f in FLAGS {
            assert!(
                text.contains(&format!("-{}, --{}", f.short, f.long)),
                "{}",
                f.long
            );
        }
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "too wide: {line:?}");
        }
    }

    #[test]
    fn man_page_is_roff() {
        let page = man();
        assert!(page.starts_with(".TH AWS\\-RUNAS 1"));
        assert!(page.contains(".SH OPTIONS") && page.contains("\\-\\-role\\-duration"));
        assert!(!page.lines().any(|l| l.starts_with('\'')));
    }

    #[test]
    fn the_shipped_man_page_is_current() {
        // extras/aws-runas.1 is this output; `make extras` writes it again.
        assert_eq!(include_str!("../../extras/aws-runas.1"), man());
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("a b c", 3, 0), "a b\nc");
        assert_eq!(wrap("one two", 80, 4), "one two");
        assert_eq!(wrap("one two three", 12, 4), "one two\n    three");
    }
}
