//! Parses argv into [`Args`] with lexopt. Pure: reads nothing but the arguments. Each flag is
//! looked up in the one table (`flags.rs`), so a flag parses exactly when it is documented.
//!
//! Flags come first. The first positional argument ends flag parsing: it and everything after it
//! are kept untouched (`aws-runas prof aws s3 ls --recursive`), because whether it is the profile
//! or the command's first word depends on `AWS_PROFILE`, which is decided in resolution.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use super::flags::{self, Flag, Id};
use super::mode::Mode;
use crate::config::resolve::Positionals;
use crate::credentials::MfaCode;
use crate::duration;
use crate::shell::Shell;

/// What the user asked for on the command line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Args {
    /// What the run does, decided while parsing: of the modes the flags ask for, the first in
    /// [`Mode`]'s order (none: the credentials mode).
    pub mode: Mode,
    /// `-v`, `--verbose`.
    pub verbose: bool,
    /// `-a`, `--role-duration`: lifetime of the role credentials.
    pub role_duration: Option<Duration>,
    /// `-d`, `--duration`: lifetime of the session token.
    pub session_duration: Option<Duration>,
    /// `-s`, `--session`: the session-token credentials are the result.
    pub session: bool,
    /// `-r`, `--refresh`: discard the cached credentials this run would use.
    pub refresh: bool,
    /// `-e`, `--expiration`: say when the credentials expire.
    pub expiration: bool,
    /// `--open`: open the `-w` URL.
    pub open: bool,
    /// `--use-device-code`: an Identity Center login with the device grant.
    pub use_device_code: bool,
    /// `--no-browser`: do not open the Identity Center login page.
    pub no_browser: bool,
    /// `--shell`: the exports' syntax.
    pub shell: Option<Shell>,
    /// `-j`, `--json`: the credentials as `credential_process` JSON.
    pub json: bool,
    /// `-M`, `--mfa-arn`: the MFA device to use.
    pub mfa_serial: Option<String>,
    /// `-o`, `--otp`: the MFA code (six digits).
    pub otp: Option<MfaCode>,
    /// The profile (unless `AWS_PROFILE` is set) and the command, as given.
    pub positionals: Vec<OsString>,
}

impl Args {
    /// How the mode reads the positional arguments: a mode that runs no command takes at most a
    /// profile, over `AWS_PROFILE`; its flag, as the table spells it, names it in the error.
    pub fn positionals_kind(&self) -> Positionals {
        let id = match self.mode {
            Mode::ListMfa
            | Mode::ListRoles
            | Mode::MakeConf
            | Mode::Diagnose
            | Mode::Ec2
            | Mode::SsoLogin
            | Mode::SsoLogout => Id::Mode(self.mode),
            Mode::Credentials if self.json => Id::Json,
            _ => return Positionals::ProfileAndCommand,
        };
        // Every id here has its row: a mode, or `-j`, is only ever asked for by its flag.
        flags::by_id(id).map_or(Positionals::ProfileAndCommand, |flag| {
            Positionals::ProfileOnly(flag.spelling())
        })
    }
}

/// A command line that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    UnknownFlag(String),
    MissingValue(String),
    UnexpectedValue(String),
    BadDuration(String, duration::DurationError),
    BadOtp,
    BadShell(String),
    NotUnicode(String),
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgsError::UnknownFlag(flag) => {
                write!(f, "unknown flag '{flag}' (see aws-runas --help)")
            }
            ArgsError::MissingValue(flag) => write!(f, "flag '{flag}' needs a value"),
            ArgsError::UnexpectedValue(flag) => write!(f, "flag '{flag}' takes no value"),
            ArgsError::BadDuration(flag, e) => write!(f, "{flag}: {e}"),
            ArgsError::BadOtp => write!(f, "--otp: an MFA code is 6 digits"),
            ArgsError::BadShell(name) => write!(
                f,
                "--shell: unknown shell '{name}' (posix, fish, powershell or cmd)"
            ),
            ArgsError::NotUnicode(flag) => {
                write!(f, "flag '{flag}' has a value that is not valid UTF-8")
            }
        }
    }
}

impl std::error::Error for ArgsError {}

/// Parses the arguments after the program name.
pub fn parse<I>(argv: I) -> Result<Args, ArgsError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    use lexopt::prelude::*;

    let mut args = Args::default();
    let mut parser = lexopt::Parser::from_args(argv);
    loop {
        let arg = match parser.next() {
            Ok(Some(arg)) => arg,
            Ok(None) => break,
            Err(e) => return Err(convert(e)),
        };
        let flag = match arg {
            Short(c) => {
                flags::by_short(c).ok_or_else(|| ArgsError::UnknownFlag(format!("-{c}")))?
            }
            Long(name) => {
                flags::by_long(name).ok_or_else(|| ArgsError::UnknownFlag(format!("--{name}")))?
            }
            Value(first) => {
                args.positionals.push(first);
                args.positionals.extend(parser.raw_args().map_err(convert)?);
                break;
            }
        };
        apply(flag, &mut parser, &mut args)?;
    }
    Ok(args)
}

/// Sets what `flag` says in `args`, reading its value when it takes one.
fn apply(flag: &Flag, parser: &mut lexopt::Parser, args: &mut Args) -> Result<(), ArgsError> {
    match flag.id {
        Id::Mode(mode) => args.mode = args.mode.min(mode),
        Id::Verbose => args.verbose = true,
        Id::Session => args.session = true,
        Id::Refresh => args.refresh = true,
        Id::Expiration => args.expiration = true,
        Id::Json => args.json = true,
        Id::Open => args.open = true,
        Id::UseDeviceCode => args.use_device_code = true,
        Id::NoBrowser => args.no_browser = true,
        Id::Shell => {
            let name = string_value(parser, flag)?;
            args.shell = Some(Shell::from_name(&name).ok_or(ArgsError::BadShell(name))?);
        }
        Id::RoleDuration => args.role_duration = Some(duration_value(parser, flag)?),
        Id::Duration => args.session_duration = Some(duration_value(parser, flag)?),
        Id::MfaArn => args.mfa_serial = Some(string_value(parser, flag)?),
        Id::Otp => {
            let code = string_value(parser, flag)?;
            args.otp = Some(MfaCode::parse(&code).ok_or(ArgsError::BadOtp)?);
        }
    }
    Ok(())
}

/// The value of `flag`, as UTF-8.
fn string_value(parser: &mut lexopt::Parser, flag: &Flag) -> Result<String, ArgsError> {
    let name = || format!("--{}", flag.long);
    parser
        .value()
        .map_err(|_| ArgsError::MissingValue(name()))?
        .into_string()
        .map_err(|_| ArgsError::NotUnicode(name()))
}

/// The value of `flag`, as a Go duration.
fn duration_value(parser: &mut lexopt::Parser, flag: &Flag) -> Result<Duration, ArgsError> {
    let value = string_value(parser, flag)?;
    duration::parse(&value).map_err(|e| ArgsError::BadDuration(format!("--{}", flag.long), e))
}

fn convert(e: lexopt::Error) -> ArgsError {
    match e {
        lexopt::Error::MissingValue { option } => {
            ArgsError::MissingValue(option.unwrap_or_default())
        }
        lexopt::Error::UnexpectedOption(o) => ArgsError::UnknownFlag(o),
        lexopt::Error::UnexpectedValue { option, .. } => ArgsError::UnexpectedValue(option),
        other => ArgsError::UnknownFlag(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::flags::Value;

    fn p(args: &[&str]) -> Result<Args, ArgsError> {
        parse(args.iter().copied())
    }

    fn pos(a: &Args) -> Vec<&str> {
        a.positionals.iter().map(|s| s.to_str().unwrap()).collect()
    }

    #[test]
    fn profile_then_command_untouched() {
        let a = p(&["-v", "prof", "aws", "s3", "ls", "--recursive", "-h"]).unwrap();
        assert!(a.verbose && a.mode == Mode::Credentials);
        assert_eq!(pos(&a), ["prof", "aws", "s3", "ls", "--recursive", "-h"]);
    }

    #[test]
    fn double_dash_ends_flags() {
        let a = p(&["--", "-weird-profile", "cmd"]).unwrap();
        assert_eq!(pos(&a), ["-weird-profile", "cmd"]);
        let a = p(&["-v", "--", "prof", "--", "x"]).unwrap();
        assert_eq!(pos(&a), ["prof", "--", "x"]);
    }

    #[test]
    fn durations_attached_separate_and_long() {
        for argv in [
            &["-a2h"][..],
            &["-a", "2h"],
            &["--role-duration=2h"],
            &["--role-duration", "2h"],
            &["-va2h"],
        ] {
            let a = p(argv).unwrap();
            assert_eq!(a.role_duration, Some(Duration::from_secs(7200)), "{argv:?}");
        }
        assert!(p(&["-va2h"]).unwrap().verbose);
    }

    #[test]
    fn mfa_and_session_flags() {
        let a = p(&[
            "-sre",
            "-d10m",
            "-M",
            "arn:aws:iam::123456789012:mfa/alice",
            "--otp=012345",
            "p",
        ])
        .unwrap();
        assert!(a.session && a.refresh && a.expiration);
        assert_eq!(a.session_duration, Some(Duration::from_secs(600)));
        assert_eq!(
            a.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/alice")
        );
        assert_eq!(a.otp, MfaCode::parse("012345"));
        assert_eq!(pos(&a), ["p"]);
        assert_eq!(p(&["-o", "12345"]), Err(ArgsError::BadOtp));
        assert_eq!(p(&["-o", "12345a"]), Err(ArgsError::BadOtp));
        let e = p(&["--duration", "1d"]).unwrap_err().to_string();
        assert!(e.contains("--duration") && e.contains("'1d'"), "{e}");
    }

    #[test]
    fn combined_short_flags() {
        let a = p(&["-vV"]).unwrap();
        assert!(a.verbose && a.mode == Mode::Version);
        let a = p(&["-hv", "p"]).unwrap();
        assert!(a.mode == Mode::Help && a.verbose);
    }

    #[test]
    fn the_modes_that_run_no_command_take_only_a_profile() {
        let kind = |argv: &[&str]| p(argv).unwrap().positionals_kind();
        for (argv, flag) in [
            (&["-j", "p"][..], "-j"),
            (&["--ec2", "p"], "--ec2"),
            (&["-l", "p"], "-l"),
            (&["-c", "p"], "-c"),
            (&["-m", "p"], "-m"),
            (&["-D", "p"], "-D"),
            (&["--sso-login", "p"], "--sso-login"),
            (&["--sso-logout", "p"], "--sso-logout"),
        ] {
            assert_eq!(
                kind(argv),
                Positionals::ProfileOnly(flag.into()),
                "{argv:?}"
            );
        }
        for argv in [
            &["p", "cmd"][..],
            &["--ecs", "p"],
            &["-w", "p"],
            &["-e", "p"],
        ] {
            assert_eq!(kind(argv), Positionals::ProfileAndCommand, "{argv:?}");
        }
    }

    #[test]
    fn errors_name_the_input() {
        assert_eq!(
            p(&["--bogus"]),
            Err(ArgsError::UnknownFlag("--bogus".into()))
        );
        assert_eq!(p(&["-x"]), Err(ArgsError::UnknownFlag("-x".into())));
        assert_eq!(
            p(&["-a"]),
            Err(ArgsError::MissingValue("--role-duration".into()))
        );
        assert_eq!(
            p(&["--verbose=yes"]),
            Err(ArgsError::UnexpectedValue("--verbose".into()))
        );
        let e = p(&["-a", "1d"]).unwrap_err();
        assert!(e.to_string().contains("'1d'"), "{e}");
        assert!(p(&["--bogus"]).unwrap_err().to_string().contains("--help"));
    }

    /// A sample value for a flag that takes one.
    fn sample(flag: &Flag) -> Option<&'static str> {
        flag.value.map(|v| match v {
            Value::Duration => "1h",
            Value::Code => "123456",
            Value::Shell => "fish",
            Value::Arn => "arn:aws:iam::123456789012:mfa/alice",
        })
    }

    #[test]
    fn every_flag_in_the_table_parses_by_each_of_its_names() {
        for flag in flags::FLAGS {
            let mut spellings: Vec<String> = vec![format!("--{}", flag.long)];
            spellings.extend(flag.aliases.iter().map(|a| format!("--{a}")));
            spellings.extend(flag.short.map(|c| format!("-{c}")));
            for spelling in spellings {
                let mut argv = vec![spelling.clone()];
                argv.extend(sample(flag).map(String::from));
                let parsed = parse(argv.iter().map(String::as_str)).unwrap();
                assert_ne!(parsed, Args::default(), "{spelling} changed nothing");
                assert!(parsed.positionals.is_empty(), "{spelling} left a value");
            }
        }
    }

    #[test]
    fn the_short_flags_are_those_of_the_spec() {
        // The documented short flags (the README's Usage), written out here rather than read from the table the parser
        // uses: a flag added, dropped or renamed there fails this.
        let documented = "hdalmecsrvMouDjwV";
        let letters = ('a'..='z').chain('A'..='Z').chain('0'..='9');
        for c in letters {
            let argv = [format!("-{c}"), "1h".to_string()];
            let parses = !matches!(
                parse(argv.iter().map(String::as_str)),
                Err(ArgsError::UnknownFlag(_))
            );
            assert_eq!(parses, documented.contains(c), "-{c}");
        }
        for (long, known) in [
            ("list-roles", true),
            ("ec2", true),
            ("ecs", true),
            ("json", true),
            ("web-console", true),
            ("shell", true),
            ("bogus", false),
            ("list_roles", false),
        ] {
            let parses = !matches!(p(&[&format!("--{long}")]), Err(ArgsError::UnknownFlag(_)));
            assert_eq!(parses, known, "--{long}");
        }
    }
}
