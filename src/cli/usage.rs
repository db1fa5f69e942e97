//! The texts printed for `-h`, `--help-man` and `-V` (the completion scripts are in
//! `completion.rs`). They need no
//! configuration, so they work even when `~/.aws/config` is broken. The help, the man page and
//! the completion scripts are rendered from the one flag table (`flags.rs`), so they cannot
//! disagree with each other or with what parses.

use super::flags::{Flag, FLAGS};

/// `aws-runas <version>`.
pub fn version() -> String {
    version_of(
        option_env!("AWS_RUNAS_COMMIT"),
        option_env!("SOURCE_DATE_EPOCH"),
    )
}

/// The version line of a build from `commit` whose sources are dated `epoch` (unix seconds, as
/// `SOURCE_DATE_EPOCH`): both set by the Makefile (a plain `cargo build` knows neither), so that
/// a bug report names the exact build.
fn version_of(commit: Option<&str>, epoch: Option<&str>) -> String {
    let mut build = Vec::new();
    if let Some(commit) = commit.filter(|c| !c.is_empty()) {
        build.push(format!("commit {commit}"));
    }
    if let Some(epoch) = epoch.and_then(|e| e.trim().parse::<i64>().ok()) {
        let date = crate::time::rfc3339::format(epoch);
        build.push(format!("built {}", &date[..10]));
    }
    if build.is_empty() {
        return format!("aws-runas {}\n", env!("CARGO_PKG_VERSION"));
    }
    format!(
        "aws-runas {} ({})\n",
        env!("CARGO_PKG_VERSION"),
        build.join(", ")
    )
}

const SUMMARY: &str = "Run a command with the credentials of an assumed IAM role, or print them as eval-able shell exports when no command is given.";

const ARGUMENTS: &[(&str, &str)] = &[
    ("<profile>", "A profile from ~/.aws/config, or a role ARN (its source is the default profile). Without one: AWS_DEFAULT_PROFILE, else 'default'. When AWS_PROFILE is set, the modes that run a command take no profile argument; -j, --ec2, -l, -m, -c, -D, --sso-login, --sso-logout, --login and --logout take one over it."),
    ("<cmd>...", "The command to run, with its arguments, untouched. Without one, aws-runas prints export lines for eval."),
];

const CACHE: &str = "Credentials are cached next to the config file (~/.aws/.aws_session_token_<source profile>, ~/.aws/.aws_assume_role_<profile>): the MFA code is asked once per session token, for every role that shares its source profile.";

const EXAMPLES: &[&str] = &[
    "aws-runas admin aws s3 ls --recursive",
    "eval \"$(aws-runas admin)\"",
    "AWS_PROFILE=admin aws-runas terraform plan",
];

/// Every variable aws-runas reads (tests/extras.rs checks the sources against this table), and
/// what it does.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("AWS_PROFILE", "The profile. When it is set (even empty), the modes that run a command take no profile argument: every argument is the command. -j, --ec2, -l, -m, -c, -D and the login modes take a profile argument over it."),
    ("AWS_RUNAS_PROCESS_CHAIN", "Set by aws-runas for the credential_process and mfa_process it runs: the profiles and commands a nested aws-runas runs in, so that one that would run the same again stops the loop."),
    ("AWS_DEFAULT_PROFILE", "The profile when none is named (else 'default')."),
    ("AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "The config and credentials files (~/.aws/config, ~/.aws/credentials). The cache lives beside the config file."),
    ("HOME, USERPROFILE", "Where ~/.aws is (USERPROFILE on Windows)."),
    ("AWS_REGION, AWS_DEFAULT_REGION", "The region, over the profile's (--region wins)."),
    ("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN", "Keys for a profile with none of its own, or with credential_source = Environment; -D checks them for conflicts. They, AWS_SECURITY_TOKEN and AWS_CREDENTIAL_EXPIRATION are replaced in the command's environment."),
    ("MFA_SERIAL", "The MFA device, over mfa_serial (-M wins)."),
    ("AWS_RUNAS_MFA_PROCESS", "A command that prints the MFA code (run without a shell; the first line of its output), over mfa_process; -o wins."),
    ("AWS_RUNAS_MFA_TIMEOUT", "How long that command may take (a Go duration; default 1m, for a YubiKey's touch)."),
    ("EXTERNAL_ID", "The external id AssumeRole sends, over external_id."),
    ("AWS_ROLE_SESSION_NAME", "The role session name, over role_session_name."),
    ("SESSION_TOKEN_DURATION, CREDENTIALS_DURATION", "The two lifetimes (Go durations), over the config's session_token_duration and credentials_duration."),
    ("AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_IAM", "The STS and IAM endpoints, over the profile's endpoint_url."),
    ("AWS_ENDPOINT_URL_SIGNIN", "AWS Sign-In's endpoint for --login and the refresh of an aws login session, over the [services] section's signin key and endpoint_url (AWS_ENDPOINT_URL applies too)."),
    ("AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SSO", "The IAM Identity Center OIDC and portal endpoints, over the [services] section's sso_oidc and sso keys and endpoint_url (AWS_ENDPOINT_URL applies too)."),
    ("BROWSER, DISPLAY, WAYLAND_DISPLAY", "What opens a page in the browser (an IAM Identity Center login, --login, -w --open): BROWSER (commands separated by ':', tried in turn; %s stands for the URL), else xdg-open when there is a display (for a login, none with --no-browser)."),
    ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true: ignore every configured endpoint URL."),
    ("AWS_STS_REGIONAL_ENDPOINTS", "legacy: the global STS endpoint instead of the region's."),
    ("AWS_CA_BUNDLE", "A PEM file of the certificate authorities to trust, instead of the built-in ones."),
    ("HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY", "The proxy to reach AWS through, and the hosts reached directly."),
    ("AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT", "For credential_source = Ec2InstanceMetadata: true disables it; the service's URL."),
    ("AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "For credential_source = EcsContainer: the endpoint and its token."),
    ("AWS_LOGIN_CACHE_DIRECTORY", "Where the aws login sessions of the profiles with login_session are kept (~/.aws/login/cache), as the AWS CLI and the SDKs read it."),
    ("AWS_RUNAS_LOCK_TIMEOUT", "How long a run waits for another run fetching the same credentials (a Go duration; default 2m)."),
    ("AWS_RUNAS_EC2_ADDR", "Where --ec2 listens (default 127.0.0.1:12319): a loopback address, or 169.254.169.254."),
    ("AWS_RUNAS_EC2_REQUIRE_TOKEN", "true: --ec2 answers only IMDSv2 requests (with a session token)."),
    ("AWS_RUNAS_ECS_ADDR", "Where --ecs listens (default 127.0.0.1:0, any free port): a loopback address."),
    ("AWS_RUNAS_SIGNIN_URL", "The federation endpoint -w asks for a sign-in token (default: the partition's, https://signin.aws.amazon.com/federation)."),
    ("AWS_RUNAS_UPDATE_URL", "The releases' \"latest\" URL that -u asks."),
    ("TZ", "The time zone of the -e line."),
    ("SHELL", "The exports' syntax without --shell: fish and pwsh by their base names, anything else POSIX (on Windows, without SHELL: cmd)."),
];

/// The files a run reads and writes, for the man page.
const FILES: &[(&str, &str)] = &[
    ("~/.aws/config, ~/.aws/credentials", "The AWS CLI's files, read with its rules (plus session_token_duration and credentials_duration)."),
    ("~/.aws/.aws_session_token_<source profile>", "The cached session token of a source profile (0600), shared by every role using it: one MFA code per session token."),
    ("~/.aws/.aws_assume_role_<profile>", "The cached role credentials of a profile (0600); for a role ARN, <account>-<role>."),
    ("~/.aws/.aws_sso_<profile>", "The cached role credentials of an IAM Identity Center profile (0600), from the portal's GetRoleCredentials."),
    ("~/.aws/sso/cache/<sha1>.json", "IAM Identity Center logins, shared with the AWS CLI v2 and the SDKs: the token of an sso-session (SHA-1 of its name, or of a legacy profile's start URL), and the cached client registration; 0600, locked and written atomically (locks in ~/.aws/sso/cache/.aws-runas/)."),
    ("~/.aws/login/cache/<sha256>.json", "aws login sessions, shared with the AWS CLI v2 and the SDKs (SHA-256 of the login_session ARN): written by --login, refreshed within 5 minutes of expiry, removed by --logout; 0600, locked and written atomically (locks in ~/.aws/login/cache/.aws-runas/)."),
    ("~/.aws/.aws-runas/", "A private directory (0700): the lock files (<cache file>.lock) that let one run fetch while others wait, and the temporary files written before a cache file is replaced."),
];

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
    let short = f.short.map(|c| format!("-{c}, ")).unwrap_or_default();
    match f.value {
        Some(v) => format!("{short}--{}={}", f.long, v.placeholder()),
        None => format!("{short}--{}", f.long),
    }
}

/// The flags the help and the man page list.
fn listed() -> impl Iterator<Item = &'static Flag> {
    FLAGS.iter().filter(|f| f.listed())
}

/// The usage text for `-h`.
pub fn help() -> String {
    const COLUMN: usize = 30;
    let mut out = format!(
        "usage: aws-runas [<flags>] [<profile>] [<cmd>...]\n\n{}\n\nFlags:\n",
        wrap(SUMMARY, 78, 0)
    );
    for f in listed() {
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
    let names: Vec<&str> = ENVIRONMENT.iter().map(|(names, _)| *names).collect();
    out.push_str(&format!(
        "\nEnvironment (see the man page, aws-runas --help-man):\n  {}\n",
        wrap(&names.join(", "), 78, 2)
    ));
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
    for f in listed() {
        let value = f
            .value
            .map(|v| format!("=\\fI{}\\fR", v.placeholder()))
            .unwrap_or_default();
        let short = f
            .short
            .map(|c| format!("\\-{c} \", \" "))
            .unwrap_or_default();
        out.push_str(&format!(
            ".TP\n.BR {short}\\-\\-{}{value}\n{}\n",
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
    out.push_str(".SH FILES\n");
    for (name, text) in FILES {
        out.push_str(&format!(".TP\n.I {}\n{}\n", roff(name), roff(text)));
    }
    out.push_str(".SH ENVIRONMENT\n");
    for (names, text) in ENVIRONMENT {
        out.push_str(&format!(".TP\n.B {}\n{}\n", roff(names), roff(text)));
    }
    out.push_str(".SH EXIT STATUS\nThe command's own status when one is run; 127 when it is not found, 126 when it cannot be executed; 1 for any aws\\-runas error, reported as one line on stderr.\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_names_the_commit_and_the_build_date_when_the_makefile_gives_them() {
        let v = env!("CARGO_PKG_VERSION");
        assert_eq!(version_of(None, None), format!("aws-runas {v}\n"));
        assert_eq!(
            version_of(Some("0123456789ab"), Some("1764806400")),
            format!("aws-runas {v} (commit 0123456789ab, built 2025-12-04)\n")
        );
        assert_eq!(version_of(Some(""), Some("x")), format!("aws-runas {v}\n"));
    }

    use super::*;

    #[test]
    fn help_lists_every_flag_within_80_columns() {
        let text = help();
        for f in listed() {
            assert!(text.contains(&flag_name(f)), "{}", f.long);
        }
        // The unlisted ones are for tools, and named in a listed flag's help or here.
        assert!(text.contains("--help-man"));
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "too wide: {line:?}");
        }
    }

    #[test]
    fn l_and_c_say_what_they_do_for_an_identity_center_profile() {
        // An entry: its flag's line and the indented lines under it, their words joined.
        let text = help();
        let entry = |flag: &str| {
            let mut lines = text.lines().skip_while(|l| !l.starts_with(flag));
            let first = lines.next().unwrap_or_default();
            let rest = lines.take_while(|l| l.starts_with("      "));
            let words: Vec<&str> = [first]
                .into_iter()
                .chain(rest)
                .flat_map(str::split_whitespace)
                .collect();
            words.join(" ")
        };
        for (flag, says) in [
            ("-l, --list-roles", "For an IAM Identity Center profile: the accounts and roles its login reaches in the portal, a line each: account id, account name, role name."),
            ("-c, --make-conf", "For an IAM Identity Center profile: a [profile NAME] section to paste into ~/.aws/config for each account and role of -l that no profile has yet"),
        ] {
            let entry = entry(&format!("  {flag}"));
            assert!(entry.contains(says), "{flag}: {entry}");
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
