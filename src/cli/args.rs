//! Parses argv into [`Args`] with lexopt. Pure: reads nothing but the arguments.
//!
//! Flags come first. The first positional argument ends flag parsing: it and everything after it
//! are kept untouched (`aws-runas prof aws s3 ls --recursive`), because whether it is the profile
//! or the command's first word depends on `AWS_PROFILE`, which is decided in resolution.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use crate::duration;

/// What the user asked for on the command line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Args {
    /// `-h`, `--help`, `--help-long`.
    pub help: bool,
    /// `-V`, `--version`.
    pub version: bool,
    /// `-v`, `--verbose`.
    pub verbose: bool,
    /// `-a`, `--role-duration`: lifetime of the role credentials.
    pub role_duration: Option<Duration>,
    /// The profile (unless `AWS_PROFILE` is set) and the command, as given.
    pub positionals: Vec<OsString>,
}

/// A command line that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    UnknownFlag(String),
    MissingValue(String),
    UnexpectedValue(String),
    BadDuration(String, duration::DurationError),
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
        match arg {
            Short('h') | Long("help") | Long("help-long") => args.help = true,
            Short('V') | Long("version") => args.version = true,
            Short('v') | Long("verbose") => args.verbose = true,
            Short('a') | Long("role-duration") => {
                let flag = "--role-duration";
                let value = parser
                    .value()
                    .map_err(|_| ArgsError::MissingValue(flag.into()))?;
                let value = value
                    .into_string()
                    .map_err(|_| ArgsError::NotUnicode(flag.into()))?;
                let d =
                    duration::parse(&value).map_err(|e| ArgsError::BadDuration(flag.into(), e))?;
                args.role_duration = Some(d);
            }
            Value(first) => {
                args.positionals.push(first);
                args.positionals.extend(parser.raw_args().map_err(convert)?);
                break;
            }
            other => return Err(convert(other.unexpected())),
        }
    }
    Ok(args)
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

    fn p(args: &[&str]) -> Result<Args, ArgsError> {
        parse(args.iter().copied())
    }

    fn pos(a: &Args) -> Vec<&str> {
        a.positionals.iter().map(|s| s.to_str().unwrap()).collect()
    }

    #[test]
    fn profile_then_command_untouched() {
        let a = p(&["-v", "prof", "aws", "s3", "ls", "--recursive", "-h"]).unwrap();
        assert!(a.verbose && !a.help);
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
    fn combined_short_flags() {
        let a = p(&["-vV"]).unwrap();
        assert!(a.verbose && a.version);
        let a = p(&["-hv", "p"]).unwrap();
        assert!(a.help && a.verbose);
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
}
