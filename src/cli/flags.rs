//! The one table of flags. The parser finds each flag here (a flag not in the table is unknown),
//! and the help, the man page and the bash completion are rendered from it, so none of them can
//! disagree with what parses. A flag appears here only once it works. Each row also says which
//! modes the flag belongs to ([`Modes`]), and the parser refuses a command line that mixes
//! modes or gives a flag its mode does not read: a flag is never ignored silently.

use super::mode::Mode;

/// What a flag does, for the parser to act on: choose a mode (the first in [`Mode`]'s order
/// wins), or set one of the arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Id {
    Mode(Mode),
    Verbose,
    RoleDuration,
    Duration,
    Session,
    Refresh,
    Expiration,
    MfaArn,
    Otp,
    Json,
    Shell,
    Open,
    UseDeviceCode,
    NoBrowser,
    Remote,
    Region,
    Filter,
    ProfileName,
    All,
}

/// What a flag's value is: the help and the man page name it ([`Value::placeholder`]), the
/// completion scripts offer what it can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A Go duration (`-a`, `-d`).
    Duration,
    /// The exports' shell (`--shell`).
    Shell,
    /// An MFA device's ARN (`-M`).
    Arn,
    /// An MFA code (`-o`).
    Code,
    /// A region name (`--region`).
    Region,
    /// A glob (`--filter`).
    Glob,
    /// A profile name's format (`--profile-name`).
    Format,
}

impl Value {
    /// The value's name in the help and the man page (`--duration=DURATION`).
    pub fn placeholder(self) -> &'static str {
        match self {
            Value::Duration => "DURATION",
            Value::Shell => "NAME",
            Value::Arn => "ARN",
            Value::Code => "CODE",
            Value::Region => "REGION",
            Value::Glob => "GLOB",
            Value::Format => "FORMAT",
        }
    }
}

/// The modes a flag belongs to. The parser checks every flag given against the run's mode (see
/// `args::check`), unless the mode is a text that answers alone (`-h`, `-V`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modes {
    /// The flag asks for this mode: a mode's own flag (`--ec2`; [`flag`] sets it from
    /// `Id::Mode`), or `-j`, which asks for the credentials mode as JSON. With a flag asking for
    /// another mode: "cannot be used together (two modes)".
    Asks(Mode),
    /// A modifier that only these modes read (checked against the code that reads its `Args`
    /// field); with any other mode: "is only used with ...".
    Only(&'static [Mode]),
    /// Read by every mode (`-v`): [`flag`]'s default for a flag that asks for no mode. A new
    /// modifier says `Only` what reads it.
    All,
}

/// The modes that get the profile's credentials and hand them on: exports, `-j` and the
/// command, `-w`, `--ec2` and `--ecs` (their plan, with its cache, `-s` and `-r`).
const FETCHING: &[Mode] = &[Mode::Credentials, Mode::WebConsole, Mode::Ec2, Mode::Ecs];
/// Those, and the IAM discovery modes, which fetch the credentials they sign IAM calls with (a
/// session token, with an MFA code, for keys with `mfa_serial`).
const SIGNING: &[Mode] = &[
    Mode::Credentials,
    Mode::WebConsole,
    Mode::Ec2,
    Mode::Ecs,
    Mode::ListMfa,
    Mode::ListRoles,
    Mode::MakeConf,
];
/// The modes whose session token is made from the resolved profile's settings, and `-D`, which
/// prints them (`-M`, `-d`).
const SESSION_SETTINGS: &[Mode] = &[
    Mode::Credentials,
    Mode::WebConsole,
    Mode::Ec2,
    Mode::Ecs,
    Mode::ListMfa,
    Mode::ListRoles,
    Mode::MakeConf,
    Mode::Diagnose,
];
/// The modes that assume the profile's role, and `-D`, which prints its lifetime (`-a`).
const ROLE_SETTINGS: &[Mode] = &[
    Mode::Credentials,
    Mode::WebConsole,
    Mode::Ec2,
    Mode::Ecs,
    Mode::Diagnose,
];
/// The modes that use the resolved profile's region (`--region`): in the exports and the
/// command's environment, for the STS and IAM endpoints, in `-c`'s sections, and `-D`, which
/// prints it.
const REGIONAL: &[Mode] = &[
    Mode::Credentials,
    Mode::WebConsole,
    Mode::Ec2,
    Mode::Ecs,
    Mode::ListMfa,
    Mode::ListRoles,
    Mode::MakeConf,
    Mode::Diagnose,
    Mode::Login,
];
/// The modes that may log in to IAM Identity Center: `--sso-login`, and every mode that gets an
/// Identity Center profile's credentials at a terminal (`-l`/`-c` ask its portal).
const LOGGING_IN: &[Mode] = &[
    Mode::SsoLogin,
    Mode::Credentials,
    Mode::WebConsole,
    Mode::Ec2,
    Mode::Ecs,
    Mode::ListMfa,
    Mode::ListRoles,
    Mode::MakeConf,
];
/// The modes that may open a login page: those, and `--login`.
const OPENING: &[Mode] = &[
    Mode::SsoLogin,
    Mode::Login,
    Mode::Credentials,
    Mode::WebConsole,
    Mode::Ec2,
    Mode::Ecs,
    Mode::ListMfa,
    Mode::ListRoles,
    Mode::MakeConf,
];

/// A flag.
pub struct Flag {
    pub id: Id,
    pub short: Option<char>,
    pub long: &'static str,
    /// Other long names that mean the same.
    pub aliases: &'static [&'static str],
    /// The value, for flags that take one.
    pub value: Option<Value>,
    /// One or more sentences; wrapped when rendered. Empty: not listed in the help (a flag for
    /// tools, such as the man page and the completion script).
    pub help: &'static str,
    /// The modes it belongs to; [`flag`] gives a mode's flag its mode, and any other flag
    /// [`Modes::All`].
    pub modes: Modes,
}

impl Flag {
    /// Whether the help and the man page list this flag.
    pub fn listed(&self) -> bool {
        !self.help.is_empty()
    }

    /// How a message names the flag: `-x` when it has a short form, else `--long`.
    pub fn spelling(&self) -> String {
        match self.short {
            Some(c) => format!("-{c}"),
            None => format!("--{}", self.long),
        }
    }
}

const fn flag(
    id: Id,
    short: Option<char>,
    long: &'static str,
    value: Option<Value>,
    help: &'static str,
) -> Flag {
    Flag {
        id,
        short,
        long,
        aliases: &[],
        value,
        help,
        modes: match id {
            Id::Mode(mode) => Modes::Asks(mode),
            _ => Modes::All,
        },
    }
}

#[rustfmt::skip]
pub const FLAGS: &[Flag] = &[
    Flag { aliases: &["help-long"], ..flag(Id::Mode(Mode::Help), Some('h'), "help", None, "Show this help and exit (--help-man: as a man page).") },
    flag(Id::Mode(Mode::Man), None, "help-man", None, ""),
    // The name the Go 1.x tool's (kingpin's) completion flag had, so existing shell setups work.
    flag(Id::Mode(Mode::CompletionBash), None, "completion-script-bash", None, ""),
    flag(Id::Mode(Mode::CompletionZsh), None, "completion-script-zsh", None, ""),
    flag(Id::Mode(Mode::CompletionFish), None, "completion-script-fish", None, ""),
    // The profiles of the AWS files, one a line: what the completion scripts offer.
    flag(Id::Mode(Mode::CompletionProfiles), None, "completion-profiles", None, ""),
    flag(Id::Mode(Mode::Version), Some('V'), "version", None, "Show the version and exit."),
    flag(Id::Verbose, Some('v'), "verbose", None, "Debug messages on stderr: where each setting came from, the cache decisions, each STS call. Never secrets."),
    Flag { modes: Modes::Only(ROLE_SETTINGS), ..flag(Id::RoleDuration, Some('a'), "role-duration", Some(Value::Duration), "Lifetime of the role credentials, 15m to 12h (default 1h; Go syntax: 1h, 90m, 1h30m). Over 1h, the role is assumed directly with the long-term keys and the MFA code.") },
    Flag { modes: Modes::Only(SESSION_SETTINGS), ..flag(Id::Duration, Some('d'), "duration", Some(Value::Duration), "Lifetime of the session token, 15m to 36h (default 12h): how long one MFA code lasts.") },
    Flag { modes: Modes::Only(FETCHING), ..flag(Id::Session, Some('s'), "session", None, "Use the session-token credentials instead of the role's.") },
    Flag { modes: Modes::Only(FETCHING), ..flag(Id::Refresh, Some('r'), "refresh", None, "Discard the cached credentials this run would use and fetch new ones.") },
    Flag { modes: Modes::Only(&[Mode::Credentials]), ..flag(Id::Expiration, Some('e'), "expiration", None, "Say on stderr when the credentials expire.") },
    Flag { modes: Modes::Only(REGIONAL), ..flag(Id::Region, None, "region", Some(Value::Region), "The region of this run, over the profile's and AWS_REGION (with --login: the one to sign in to, written to a profile that has none). Repeatable with -c on an IAM Identity Center profile: sections for each region.") },
    flag(Id::Mode(Mode::Ec2), None, "ec2", None, "Serve the credentials as a local EC2 instance-metadata service (AWS_RUNAS_EC2_ADDR, default 127.0.0.1:12319), renewed before they expire, until Ctrl-C."),
    flag(Id::Mode(Mode::Ecs), None, "ecs", None, "Serve the credentials as a local container-credentials endpoint; with a command, run it against the endpoint."),
    flag(Id::Mode(Mode::WebConsole), Some('w'), "web-console", None, "Print an AWS console sign-in URL for the profile's role (with --open, or a command: open it)."),
    Flag { modes: Modes::Only(&[Mode::WebConsole]), ..flag(Id::Open, None, "open", None, "With -w: open the URL in the browser instead of printing it.") },
    Flag { modes: Modes::Only(&[Mode::Credentials]), ..flag(Id::Shell, None, "shell", Some(Value::Shell), "The exports' syntax: posix, fish, powershell or cmd (default: from SHELL).") },
    Flag { modes: Modes::Asks(Mode::Credentials), ..flag(Id::Json, Some('j'), "json", None, "Print the credentials as credential_process JSON, for `credential_process = aws-runas -j PROFILE` in ~/.aws/config.") },
    Flag { modes: Modes::Only(SESSION_SETTINGS), ..flag(Id::MfaArn, Some('M'), "mfa-arn", Some(Value::Arn), "The MFA device to use (else mfa_serial, or MFA_SERIAL).") },
    Flag { modes: Modes::Only(SIGNING), ..flag(Id::Otp, Some('o'), "otp", Some(Value::Code), "The MFA code, instead of asking on the terminal.") },
    flag(Id::Mode(Mode::ListMfa), Some('m'), "list-mfa", None, "List the MFA devices of the profile's IAM user, one ARN a line."),
    flag(Id::Mode(Mode::ListRoles), Some('l'), "list-roles", None, "List the roles the profile's IAM user may assume, from its own and its groups' policies (ARNs with wildcards last, as patterns). For an IAM Identity Center profile: the accounts and roles its login reaches in the portal, a line each: account id, account name, role name."),
    flag(Id::Mode(Mode::MakeConf), Some('c'), "make-conf", None, "Print the roles of -l as a config for the \"AWS Extend Switch Roles\" browser extension. For an IAM Identity Center profile: a [profile NAME] section to paste into ~/.aws/config for each account and role of -l that no profile has yet (NAME: --profile-name's, else account-name.role-name; with the login's sso_session, sso_account_id, sso_role_name and region, or one for each --region)."),
    Flag { modes: Modes::Only(&[Mode::ListRoles, Mode::MakeConf]), ..flag(Id::Filter, None, "filter", Some(Value::Glob), "With -l or -c: keep the roles matching the glob (*, ?, [...]; any case) in their account id, account name or role name, or (IAM) role ARN or name.") },
    Flag { modes: Modes::Only(&[Mode::MakeConf]), ..flag(Id::ProfileName, None, "profile-name", Some(Value::Format), "With -c on an IAM Identity Center profile: the profiles' names, from {account_id}, {account_name}, {role_name} and {region} (default: {account_name}.{role_name}).") },
    flag(Id::Mode(Mode::Update), Some('u'), "update", None, "Check whether a newer release exists (AWS_RUNAS_UPDATE_URL: the releases' \"latest\" URL to ask)."),
    flag(Id::Mode(Mode::SsoLogin), None, "sso-login", None, "Log in to IAM Identity Center for the profile's sso-session (in the browser, through a loopback redirect); the login is shared with the AWS CLI and SDKs. Runs on a terminal log in by themselves when they need to."),
    Flag { modes: Modes::Only(LOGGING_IN), ..flag(Id::UseDeviceCode, None, "use-device-code", None, "Log in to IAM Identity Center with a code to enter on the login page, from any device, instead of the redirect.") },
    Flag { modes: Modes::Only(OPENING), ..flag(Id::NoBrowser, None, "no-browser", None, "Do not open the login page: only print its URL, to open in a browser on this machine (from another device: --use-device-code for IAM Identity Center, --remote for --login).") },
    flag(Id::Mode(Mode::SsoLogout), None, "sso-logout", None, "End the IAM Identity Center login of the profile's sso-session, and remove its token and the cached credentials of its profiles."),
    flag(Id::Mode(Mode::Login), None, "login", None, "Sign in to AWS with your console credentials in the browser, as `aws login` does: refreshable credentials for up to 12 hours, shared with the AWS CLI and SDKs, and no access key on disk. The profile gets login_session (and, when it has none, the region of --region); roles with it as source_profile are assumed with the session."),
    Flag { modes: Modes::Only(&[Mode::Login]), ..flag(Id::Remote, None, "remote", None, "With --login: sign in from any device: open the URL printed here, then paste the code the page shows.") },
    flag(Id::Mode(Mode::Logout), None, "logout", None, "End the profile's aws login session: remove its cached credentials and those of the roles assumed with it."),
    Flag { modes: Modes::Only(&[Mode::SsoLogin, Mode::SsoLogout, Mode::Logout]), ..flag(Id::All, None, "all", None, "With --sso-login: log in to every sso-session of the config, one after the other; with --sso-logout: end every login in the token cache; with --logout: every aws login session in its cache. No profile.") },
    flag(Id::Mode(Mode::Diagnose), Some('D'), "diagnose", None, "Check the files, the profile, the environment, the cache and the clock, then print the resolved profile and where each value came from. Exit 1 if a check fails."),
];

/// How a message names `mode`: by its flag as the table spells it; the credentials mode, which
/// none asks for, by what it does.
pub fn name_of(mode: Mode) -> String {
    match by_id(Id::Mode(mode)) {
        Some(flag) => flag.spelling(),
        None => {
            let json = by_id(Id::Json).map_or_else(String::new, |j| format!("{}, ", j.spelling()));
            format!("the credentials mode (exports, {json}a command)")
        }
    }
}

/// The flag that does `id`.
pub fn by_id(id: Id) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.id == id)
}

/// The flag `-c`.
pub fn by_short(c: char) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.short == Some(c))
}

/// The flag `--name`.
pub fn by_long(name: &str) -> Option<&'static Flag> {
    FLAGS
        .iter()
        .find(|f| f.long == name || f.aliases.contains(&name))
}
