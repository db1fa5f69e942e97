//! Parses argv into [`Args`] with lexopt. Pure: reads nothing but the arguments. Each flag is
//! looked up in the one table (`flags.rs`), so a flag parses exactly when it is documented.
//!
//! Flags come first. The first positional argument ends flag parsing: it and everything after it
//! are kept untouched (`aws-runas prof aws s3 ls --recursive`), because whether it is the profile
//! or the command's first word depends on `AWS_PROFILE`, which is decided in resolution.
//!
//! Once every flag is read, [`check`] holds them to the modes the table says they belong to:
//! flags of two modes, or a flag the run's mode does not read, are an error before anything is
//! read or asked, never a flag silently ignored.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use super::flags::{self, Flag, Id, Modes};
use super::mode::Mode;
use crate::aws::endpoint::valid_region;
use crate::config::resolve::Positionals;
use crate::credentials::MfaCode;
use crate::duration;
use crate::glob::{Glob, GlobError};
use crate::name_format::{FormatError, NameFormat};
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
    /// `--remote`: an `aws login` from another device, its code pasted.
    pub remote: bool,
    /// `--all`: every Identity Center login (of the config, or of the token cache), and no
    /// profile.
    pub all: bool,
    /// `--shell`: the exports' syntax.
    pub shell: Option<Shell>,
    /// `-j`, `--json`: the credentials as `credential_process` JSON.
    pub json: bool,
    /// `-M`, `--mfa-arn`: the MFA device to use.
    pub mfa_serial: Option<String>,
    /// `-o`, `--otp`: the MFA code (six digits).
    pub otp: Option<MfaCode>,
    /// `--region`: the run's region, each given once, in order; several only with `-c` (a
    /// section for each, on an Identity Center profile).
    pub regions: Vec<String>,
    /// `--filter`: the roles `-l` and `-c` keep.
    pub filter: Option<Glob>,
    /// `--profile-name`: how `-c` names an Identity Center profile's sections.
    pub profile_name: Option<NameFormat>,
    /// The profile (unless `AWS_PROFILE` is set) and the command, as given.
    pub positionals: Vec<OsString>,
}

impl Args {
    /// The login flag given (`--use-device-code`, else `--no-browser`), as the table spells it.
    pub fn login_flag(&self) -> Option<String> {
        let id = if self.use_device_code {
            Id::UseDeviceCode
        } else if self.no_browser {
            Id::NoBrowser
        } else {
            return None;
        };
        flags::by_id(id).map(Flag::spelling)
    }

    /// The run's region (`--region`), when given: the first, as several are only `-c`'s.
    pub fn region(&self) -> Option<&str> {
        self.regions.first().map(String::as_str)
    }

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
            | Mode::SsoLogout
            | Mode::Login
            | Mode::Logout => Id::Mode(self.mode),
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
    /// A flag whose one value was given twice (`--filter a --filter b`).
    Twice(String),
    /// A login's flag (`--use-device-code`, `--no-browser`) for a profile that logs in nowhere.
    NoLogin {
        flag: String,
        profile: String,
    },
    BadDuration(String, duration::DurationError),
    BadOtp,
    BadShell(String),
    NotUnicode(String),
    /// Two flags asking for two modes, as the table spells them, in the order given.
    TwoModes(String, String),
    /// A flag its mode does not read: the flag, the modes that read it (as [`flags::name_of`]
    /// names them), and the flag that asked for the run's mode (none: the credentials mode).
    Unused {
        flag: String,
        used_with: Vec<String>,
        mode: Option<String>,
    },
    BadRegion(String),
    /// `--region` more than once, outside `-c`.
    Regions(Vec<String>),
    BadGlob(GlobError),
    BadFormat(FormatError),
    /// A positional argument with `--all`, which means every login, no profile.
    AllWithProfile(String),
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgsError::UnknownFlag(flag) => {
                write!(f, "unknown flag '{flag}' (see aws-runas --help)")
            }
            ArgsError::MissingValue(flag) => write!(f, "flag '{flag}' needs a value"),
            ArgsError::UnexpectedValue(flag) => write!(f, "flag '{flag}' takes no value"),
            ArgsError::NoLogin { flag, profile } => write!(
                f,
                "{flag} is for an IAM Identity Center login, and profile '{profile}' does not use one: leave {flag} out"
            ),
            ArgsError::Twice(flag) => {
                write!(f, "flag '{flag}' takes one value but was given twice: keep one")
            }
            ArgsError::BadDuration(flag, e) => write!(f, "{flag}: {e}"),
            ArgsError::BadOtp => write!(f, "--otp: an MFA code is 6 digits"),
            ArgsError::BadShell(name) => write!(
                f,
                "--shell: unknown shell '{name}' (posix, fish, powershell or cmd)"
            ),
            ArgsError::NotUnicode(flag) => {
                write!(f, "flag '{flag}' has a value that is not valid UTF-8")
            }
            ArgsError::TwoModes(first, second) => write!(
                f,
                "{first} and {second} cannot be used together (two modes): run aws-runas once for each"
            ),
            ArgsError::Unused {
                flag,
                used_with,
                mode,
            } => {
                write!(f, "{flag} is only used with {}", one_of(used_with))?;
                match (mode, used_with.as_slice()) {
                    (Some(mode), _) => write!(f, ", not with {mode}: leave {flag} out"),
                    (None, [one]) => write!(f, ": add {one}, or leave {flag} out"),
                    (None, _) => write!(f, ": add one of them, or leave {flag} out"),
                }
            }
            ArgsError::BadRegion(region) => write!(
                f,
                "--region: '{region}' is not a region name (such as eu-west-1)"
            ),
            ArgsError::Regions(regions) => write!(
                f,
                "--region given {} times ({}): only -c takes several (a section for each region)",
                regions.len(),
                regions.join(", ")
            ),
            ArgsError::BadGlob(e) => write!(f, "--filter: {e}"),
            ArgsError::BadFormat(e) => write!(f, "--profile-name: {e}"),
            ArgsError::AllWithProfile(given) => write!(
                f,
                "--all means every login and takes no profile, but '{given}' was given: drop one of them"
            ),
        }
    }
}

impl std::error::Error for ArgsError {}

/// `a`, `a or b`, `a, b or c`.
fn one_of(names: &[String]) -> String {
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Parses the arguments after the program name.
pub fn parse<I>(argv: I) -> Result<Args, ArgsError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    use lexopt::prelude::*;

    let mut args = Args::default();
    let mut given: Vec<&'static Flag> = Vec::new();
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
        given.push(flag);
    }
    check(&given, args.mode)?;
    if args.regions.len() > 1 && args.mode != Mode::MakeConf && !args.mode.answers_alone() {
        return Err(ArgsError::Regions(args.regions));
    }
    if let Some(given) = args.positionals.first().filter(|_| args.all) {
        return Err(ArgsError::AllWithProfile(
            given.to_string_lossy().into_owned(),
        ));
    }
    Ok(args)
}

/// Holds the flags `given` to the modes the table says they belong to, `mode` being the run's:
/// two flags asking for modes that do not agree are an error, and so is a flag that `mode`
/// does not read. A text that answers alone (`-h`, ...) is printed whatever else is given.
fn check(given: &[&'static Flag], mode: Mode) -> Result<(), ArgsError> {
    if mode.answers_alone() {
        return Ok(());
    }
    let asking = given.iter().filter_map(|f| match f.modes {
        Modes::Asks(asked) => Some((f, asked)),
        _ => None,
    });
    let mut first: Option<(&&Flag, Mode)> = None;
    for (flag, asked) in asking {
        match first {
            None => first = Some((flag, asked)),
            Some((other, its)) if !its.agrees_with(asked) => {
                return Err(ArgsError::TwoModes(other.spelling(), flag.spelling()));
            }
            Some(_) => {}
        }
    }
    for flag in given {
        if let Modes::Only(modes) = flag.modes {
            if !modes.contains(&mode) {
                return Err(ArgsError::Unused {
                    flag: flag.spelling(),
                    used_with: modes.iter().map(|m| flags::name_of(*m)).collect(),
                    mode: (mode != Mode::Credentials).then(|| flags::name_of(mode)),
                });
            }
        }
    }
    Ok(())
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
        Id::All => args.all = true,
        Id::Remote => args.remote = true,
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
        Id::Region => {
            let region = string_value(parser, flag)?;
            if !valid_region(&region) {
                return Err(ArgsError::BadRegion(region));
            }
            if !args.regions.contains(&region) {
                args.regions.push(region);
            }
        }
        Id::Filter => {
            let glob = string_value(parser, flag)?;
            if args.filter.is_some() {
                return Err(ArgsError::Twice(format!("--{}", flag.long)));
            }
            // An empty glob is most likely a shell variable that was not set.
            if glob.is_empty() {
                return Err(ArgsError::MissingValue(format!("--{}", flag.long)));
            }
            args.filter = Some(Glob::parse(&glob).map_err(ArgsError::BadGlob)?);
        }
        Id::ProfileName => {
            let format = string_value(parser, flag)?;
            if args.profile_name.is_some() {
                return Err(ArgsError::Twice(format!("--{}", flag.long)));
            }
            args.profile_name = Some(NameFormat::parse(&format).map_err(ArgsError::BadFormat)?);
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

    #[test]
    fn flags_of_two_modes_are_one_error_naming_both_as_given() {
        for (argv, first, second) in [
            (&["--sso-login", "-j", "p"][..], "--sso-login", "-j"),
            (
                &["--sso-logout", "--sso-login"],
                "--sso-logout",
                "--sso-login",
            ),
            (&["--sso-login", "--ec2"], "--sso-login", "--ec2"),
            (&["--sso-login", "-w"], "--sso-login", "-w"),
            (&["--sso-logout", "-l"], "--sso-logout", "-l"),
            (&["-l", "--ec2"], "-l", "--ec2"),
            (&["-j", "--ec2"], "-j", "--ec2"),
            (&["--ecs", "-j", "p", "cmd"], "--ecs", "-j"),
            (&["-lc", "-m"], "-l", "-m"),
            (&["-D", "-u"], "-D", "-u"),
            (&["--json", "--web-console"], "-j", "-w"),
        ] {
            let e = p(argv).unwrap_err();
            assert_eq!(
                e,
                ArgsError::TwoModes(first.into(), second.into()),
                "{argv:?}"
            );
            assert_eq!(
                e.to_string(),
                format!("{first} and {second} cannot be used together (two modes): run aws-runas once for each")
            );
        }
        for argv in [
            &["-lc"][..],
            &["-c", "-l", "p"],
            &["-j", "-j"],
            &["-w", "--web-console"],
        ] {
            assert!(p(argv).is_ok(), "{argv:?}");
        }
    }

    #[test]
    fn a_flag_its_mode_does_not_read_is_an_error_saying_what_reads_it() {
        let e = |argv: &[&str]| p(argv).unwrap_err().to_string();
        assert_eq!(
            e(&["--open", "p"]),
            "--open is only used with -w: add -w, or leave --open out"
        );
        assert_eq!(
            e(&["--sso-login", "-o", "123456"]),
            "-o is only used with the credentials mode (exports, -j, a command), -w, --ec2, --ecs, -m, -l or -c, not with --sso-login: leave -o out"
        );
        assert_eq!(
            e(&["--sso-logout", "--use-device-code"]),
            "--use-device-code is only used with --sso-login, the credentials mode (exports, -j, a command), -w, --ec2, --ecs, -m, -l or -c, not with --sso-logout: leave --use-device-code out"
        );
        assert_eq!(
            e(&["-D", "--no-browser"]),
            "--no-browser is only used with --sso-login, --login, the credentials mode (exports, -j, a command), -w, --ec2, --ecs, -m, -l or -c, not with -D: leave --no-browser out"
        );
        assert_eq!(
            e(&["--shell=fish", "-w"]),
            "--shell is only used with the credentials mode (exports, -j, a command), not with -w: leave --shell out"
        );
        assert!(e(&["--ec2", "-e"]).starts_with("-e is only used with the credentials mode"));
        assert_eq!(
            e(&["--remote", "p"]),
            "--remote is only used with --login: add --login, or leave --remote out"
        );
        assert_eq!(
            e(&["--logout", "--remote"]),
            "--remote is only used with --login, not with --logout: leave --remote out"
        );
        // The first flag that does not fit is named, whatever the order.
        assert!(e(&["-r", "-l", "-s"]).starts_with("-r is only used with"));
    }

    /// Each mode, named, and the flag that asks for it.
    const MODES: &[(&str, &[&str])] = &[
        ("credentials", &[]),
        ("-w", &["-w"]),
        ("--ec2", &["--ec2"]),
        ("--ecs", &["--ecs"]),
        ("-m", &["-m"]),
        ("-l", &["-l"]),
        ("-c", &["-c"]),
        ("-D", &["-D"]),
        ("--sso-login", &["--sso-login"]),
        ("--sso-logout", &["--sso-logout"]),
        ("--login", &["--login"]),
        ("--logout", &["--logout"]),
        ("-u", &["-u"]),
    ];

    /// Which modes read each modifier, written out from what each mode's code reads of `Args`
    /// (rather than from the table the parser checks): a row of the table changed by mistake
    /// fails this.
    #[test]
    fn each_modifier_is_accepted_by_the_modes_that_read_it() {
        let modes = MODES;
        let readers: &[(&[&str], &str)] = &[
            (
                &["-v"],
                "credentials -w --ec2 --ecs -m -l -c -D --sso-login --sso-logout --login --logout -u",
            ),
            (&["-a", "1h"], "credentials -w --ec2 --ecs -D"),
            (&["-d", "1h"], "credentials -w --ec2 --ecs -m -l -c -D"),
            (
                &["-M", "arn:aws:iam::123456789012:mfa/a"],
                "credentials -w --ec2 --ecs -m -l -c -D",
            ),
            (&["-o", "123456"], "credentials -w --ec2 --ecs -m -l -c"),
            (&["-s"], "credentials -w --ec2 --ecs"),
            (&["-r"], "credentials -w --ec2 --ecs"),
            (&["-e"], "credentials"),
            (&["--shell", "fish"], "credentials"),
            (&["--open"], "-w"),
            (
                &["--use-device-code"],
                "credentials -w --ec2 --ecs -m -l -c --sso-login",
            ),
            (
                &["--no-browser"],
                "credentials -w --ec2 --ecs -m -l -c --sso-login --login",
            ),
            (&["--all"], "--sso-login --sso-logout --logout"),
            (&["--remote"], "--login"),
            (
                &["--region", "eu-west-1"],
                "credentials -w --ec2 --ecs -m -l -c -D --login",
            ),
            (&["--filter", "a*"], "-l -c"),
            (&["--profile-name", "{role_name}"], "-c"),
        ];
        for (modifier, read_by) in readers {
            let read_by: Vec<&str> = read_by.split(' ').collect();
            for (name, mode) in modes {
                let argv: Vec<&str> = mode.iter().chain(modifier.iter()).copied().collect();
                let parsed = p(&argv);
                assert_eq!(
                    parsed.is_ok(),
                    read_by.contains(name),
                    "{argv:?}: {parsed:?}"
                );
            }
        }
    }

    #[test]
    fn a_text_answers_whatever_else_is_given() {
        for argv in [
            &["-h", "--sso-login", "-j"][..],
            &["--sso-logout", "-V", "--open"],
            &["--help-man", "-l", "--ec2", "-o", "123456"],
            &["--completion-script-bash", "-e", "-w"],
            &["--completion-profiles", "--use-device-code", "-u"],
        ] {
            let mode = p(argv).unwrap().mode;
            assert!(mode.answers_alone(), "{argv:?}: {mode:?}");
        }
    }

    #[test]
    fn every_two_flags_of_the_table_asking_for_modes_are_checked() {
        let asking: Vec<(&Flag, Mode)> = flags::FLAGS
            .iter()
            .filter_map(|f| match f.modes {
                Modes::Asks(mode) if !mode.answers_alone() => Some((f, mode)),
                _ => None,
            })
            .collect();
        assert!(asking.len() >= 11, "{}", asking.len());
        for (a, mode_a) in &asking {
            for (b, mode_b) in &asking {
                let argv = [format!("--{}", a.long), format!("--{}", b.long)];
                let parsed = parse(argv.iter().map(String::as_str));
                match mode_a.agrees_with(*mode_b) {
                    true => assert!(parsed.is_ok(), "{argv:?}"),
                    false => assert_eq!(
                        parsed,
                        Err(ArgsError::TwoModes(a.spelling(), b.spelling())),
                        "{argv:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn the_region_is_a_region_name_given_once_outside_c() {
        let a = p(&[
            "-c",
            "--region",
            "eu-west-1",
            "--region=us-east-1",
            "--region",
            "eu-west-1",
        ])
        .unwrap();
        assert_eq!(a.regions, ["eu-west-1", "us-east-1"]);
        assert_eq!(a.region(), Some("eu-west-1"));
        let a = p(&["--region", "eu-west-3", "p"]).unwrap();
        assert_eq!((a.region(), pos(&a)), (Some("eu-west-3"), vec!["p"]));
        assert_eq!(Args::default().region(), None);
        for bad in ["eu-west-1#x", "", "-eu", "123", "eu west"] {
            let e = p(&["--region", bad]).unwrap_err();
            assert_eq!(e, ArgsError::BadRegion(bad.into()));
            assert!(
                e.to_string().starts_with(&format!("--region: '{bad}'")),
                "{e}"
            );
        }
        let e = p(&["-l", "--region", "eu-west-1", "--region", "us-east-1"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--region given 2 times (eu-west-1, us-east-1): only -c takes several (a section for each region)"
        );
    }

    #[test]
    fn the_filter_is_a_glob_parsed_at_the_edge() {
        let a = p(&["-l", "--filter=Adm*", "p"]).unwrap();
        assert!(a
            .filter
            .as_ref()
            .is_some_and(|g| g.matches("admin") && !g.matches("read")));
        assert_eq!(pos(&a), ["p"]);
        let e = p(&["-l", "--filter", "a[b"]).unwrap_err().to_string();
        assert!(e.starts_with("--filter: '[' without ']' in 'a[b'"), "{e}");
        assert!(p(&["-l", "--filter"]).is_err());
        let e = p(&["-l", "--filter", "a*", "--filter=b*"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "flag '--filter' takes one value but was given twice: keep one"
        );
        let e = p(&["-c", "--profile-name", "a", "--profile-name", "b"]).unwrap_err();
        assert_eq!(e, ArgsError::Twice("--profile-name".into()));
        let e = p(&["-l", "--filter", ""]).unwrap_err();
        assert_eq!(e.to_string(), "flag '--filter' needs a value");
    }

    #[test]
    fn the_profile_name_is_a_format_parsed_at_the_edge() {
        let a = p(&["-c", "--profile-name", "{account_id}-{region}", "p"]).unwrap();
        assert_eq!(
            a.profile_name,
            NameFormat::parse("{account_id}-{region}").ok()
        );
        assert_eq!(p(&["-c", "p"]).unwrap().profile_name, None);
        let e = p(&["-c", "--profile-name", "{acount}"])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--profile-name: unknown placeholder '{acount}'"),
            "{e}"
        );
        let e = p(&["-c", "--profile-name={account_id"])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "--profile-name: '{' without '}' at '{account_id'");
        let e = p(&["-c", "--profile-name", "x}"]).unwrap_err().to_string();
        assert_eq!(e, "--profile-name: '}' without '{'");
    }

    #[test]
    fn all_means_every_login_and_takes_no_profile() {
        for argv in [&["--sso-logout", "--all"][..], &["--all", "--sso-login"]] {
            let a = p(argv).unwrap();
            assert!(a.all && a.positionals.is_empty(), "{argv:?}");
        }
        let e = p(&["--sso-logout", "--all", "prof"]).unwrap_err();
        assert_eq!(e, ArgsError::AllWithProfile("prof".into()));
        assert!(e.to_string().contains("'prof'"), "{e}");
        assert!(p(&["--sso-logout", "--all", "--", "prof"]).is_err());
        assert!(
            p(&["--all"]).is_err(),
            "the credentials mode has no use for it"
        );
        assert!(!p(&["--sso-logout", "prof"]).unwrap().all);
    }

    /// A sample value for a flag that takes one.
    fn sample(flag: &Flag) -> Option<&'static str> {
        flag.value.map(|v| match v {
            Value::Duration => "1h",
            Value::Code => "123456",
            Value::Shell => "fish",
            Value::Arn => "arn:aws:iam::123456789012:mfa/alice",
            Value::Region => "eu-west-1",
            Value::Glob => "*",
            Value::Format => "{account_id}",
        })
    }

    #[test]
    fn every_flag_in_the_table_parses_by_each_of_its_names() {
        for flag in flags::FLAGS {
            let mut spellings: Vec<String> = vec![format!("--{}", flag.long)];
            spellings.extend(flag.aliases.iter().map(|a| format!("--{a}")));
            spellings.extend(flag.short.map(|c| format!("-{c}")));
            // A modifier of other modes than the credentials mode, after the flag of its first.
            let mode: Vec<String> = match flag.modes {
                Modes::Only(modes) if !modes.contains(&Mode::Credentials) => {
                    vec![flags::name_of(modes[0])]
                }
                _ => vec![],
            };
            let without = parse(mode.iter().map(String::as_str)).unwrap();
            for spelling in spellings {
                let mut argv = mode.clone();
                argv.push(spelling.clone());
                argv.extend(sample(flag).map(String::from));
                let parsed = parse(argv.iter().map(String::as_str)).unwrap();
                assert_ne!(parsed, without, "{spelling} changed nothing");
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
