//! What a run does: [`Mode`] (`cli/flags.rs` says which flag asks for which). A run has one
//! mode: the texts that need no configuration (man page, help, completion scripts, version)
//! answer whatever else is asked, the first in this order winning; any other two modes asked
//! for together are an error (`cli/args.rs`), but for `-l` with `-c`, which is `-c`. Without a
//! mode's flag, the credentials mode prints exports or runs the command (`-e`, `-r`, `-s`,
//! `--shell` modify it; `-j` asks for it as JSON).

/// The mode of a run; `main` dispatches on it. Declared in priority order (the derived `Ord`):
/// of the texts asked for, the first wins over anything else asked ([`Mode::answers_alone`]),
/// and `-c` wins over `-l`; any other two are refused by the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Mode {
    /// `--help-man`: the man page.
    Man,
    /// `-h`: the usage.
    Help,
    /// `--completion-script-bash`.
    CompletionBash,
    /// `--completion-script-zsh`.
    CompletionZsh,
    /// `--completion-script-fish`.
    CompletionFish,
    /// `--completion-profiles`: the profile names (reads the files).
    CompletionProfiles,
    /// `-V`.
    Version,
    /// `--sso-login`: log in to IAM Identity Center.
    SsoLogin,
    /// `--sso-logout`: end the Identity Center login and forget its credentials.
    SsoLogout,
    /// `--login`: sign in to AWS with console credentials (`aws login`).
    Login,
    /// `--logout`: end an `aws login` session and forget its credentials.
    Logout,
    /// `-m`: the caller's MFA devices.
    ListMfa,
    /// `-c`: the roles as the "AWS Extend Switch Roles" config (before `-l`: `-lc` is `-c`).
    MakeConf,
    /// `-l`: the roles the caller may assume.
    ListRoles,
    /// `-u`: check for a newer release.
    Update,
    /// `-D`: check the set-up.
    Diagnose,
    /// `--ec2`: the instance-metadata endpoint.
    Ec2,
    /// `--ecs`: the container-credentials endpoint.
    Ecs,
    /// `-w`: a console sign-in URL.
    WebConsole,
    /// Get the profile's credentials; print them or run the command with them.
    #[default]
    Credentials,
}

impl Mode {
    /// Whether this mode is a text printed whatever else the command line asks for (as always:
    /// `aws-runas -h` beside any flag shows the help): the man page, the help, the completion
    /// scripts and their profile list, the version. They read no credentials, so nothing asked
    /// beside them can be lost silently; no flag is checked against them.
    pub fn answers_alone(self) -> bool {
        match self {
            Mode::Man
            | Mode::Help
            | Mode::CompletionBash
            | Mode::CompletionZsh
            | Mode::CompletionFish
            | Mode::CompletionProfiles
            | Mode::Version => true,
            Mode::SsoLogin
            | Mode::SsoLogout
            | Mode::Login
            | Mode::Logout
            | Mode::ListMfa
            | Mode::MakeConf
            | Mode::ListRoles
            | Mode::Update
            | Mode::Diagnose
            | Mode::Ec2
            | Mode::Ecs
            | Mode::WebConsole
            | Mode::Credentials => false,
        }
    }

    /// Whether flags asking for `self` and for `other` ask for one run: the same mode, or `-l`
    /// and `-c` (`-c` prints what `-l` lists as a config, so `-lc` is `-c`, as in the 1.x tool).
    pub fn agrees_with(self, other: Mode) -> bool {
        let roles = |m: Mode| matches!(m, Mode::ListRoles | Mode::MakeConf);
        self == other || (roles(self) && roles(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::parse;

    #[test]
    fn the_first_text_wins_and_c_wins_over_l() {
        let table: &[(&[&str], Mode)] = &[
            (&[], Mode::Credentials),
            (&["prof", "cmd", "-h"], Mode::Credentials),
            (&["-v", "-e", "-r", "-s", "prof"], Mode::Credentials),
            (&["-V"], Mode::Version),
            (&["-h"], Mode::Help),
            (&["--help-long"], Mode::Help),
            (&["-Vh"], Mode::Help),
            (&["--help-man", "-h", "-V"], Mode::Man),
            (&["--completion-script-bash"], Mode::CompletionBash),
            (&["-V", "--completion-script-bash"], Mode::CompletionBash),
            (&["-h", "--completion-script-bash"], Mode::Help),
            (&["--completion-script-zsh"], Mode::CompletionZsh),
            (&["--completion-script-fish", "-m"], Mode::CompletionFish),
            (&["--completion-profiles", "x"], Mode::CompletionProfiles),
            (&["-m"], Mode::ListMfa),
            (&["-V", "-m"], Mode::Version),
            (&["-l"], Mode::ListRoles),
            (&["-c", "prof"], Mode::MakeConf),
            (&["-lc"], Mode::MakeConf),
            (&["-c", "-l"], Mode::MakeConf),
            (&["-D", "prof"], Mode::Diagnose),
            (&["-u"], Mode::Update),
            (&["--ec2", "prof"], Mode::Ec2),
            (&["--ecs", "prof", "cmd"], Mode::Ecs),
            (&["-j", "prof"], Mode::Credentials),
            (&["-w", "prof"], Mode::WebConsole),
            (&["--sso-login", "prof"], Mode::SsoLogin),
            (&["--sso-logout", "prof"], Mode::SsoLogout),
            (&["-V", "--sso-login", "-j"], Mode::Version),
            (&["-h", "--ecs", "-w", "-e"], Mode::Help),
        ];
        for (argv, want) in table {
            let args = parse(argv.iter().copied()).unwrap();
            assert_eq!(args.mode, *want, "{argv:?}");
        }
    }

    #[test]
    fn only_l_and_c_agree_of_two_modes_that_read_configuration() {
        let all = [
            Mode::SsoLogin,
            Mode::SsoLogout,
            Mode::ListMfa,
            Mode::MakeConf,
            Mode::ListRoles,
            Mode::Update,
            Mode::Diagnose,
            Mode::Ec2,
            Mode::Ecs,
            Mode::WebConsole,
            Mode::Credentials,
        ];
        for a in all {
            assert!(!a.answers_alone(), "{a:?}");
            for b in all {
                let one = a == b || [a, b] == [Mode::ListRoles, Mode::MakeConf];
                let one = one || [b, a] == [Mode::ListRoles, Mode::MakeConf];
                assert_eq!(a.agrees_with(b), one, "{a:?} {b:?}");
            }
        }
        assert!(Mode::Help.answers_alone() && Mode::CompletionProfiles.answers_alone());
    }
}
