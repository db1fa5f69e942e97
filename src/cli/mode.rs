//! What a run does: [`Mode`], whose order is the priority when several flags ask for a mode
//! (the parser keeps the first in this order; `cli/flags.rs` says which flag asks for which):
//! the texts that need no configuration (man page, help, completion script, version), then the
//! other modes in the 1.x tool's order (`-m`, `-c`/`-l`, `-u`, `-D`, `--ec2`, `--ecs`, `-w`),
//! else the credentials mode, which prints exports or runs the command (`-e`, `-r`, `-s`, `-j`
//! modify it).

/// The mode of a run; `main` dispatches on it. Declared in priority order: when the flags ask
/// for several, the first wins (the derived `Ord`).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::parse;

    #[test]
    fn first_match_wins() {
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
            (&["-m", "-e", "prof"], Mode::ListMfa),
            (&["-V", "-m"], Mode::Version),
            (&["-l"], Mode::ListRoles),
            (&["-c", "prof"], Mode::MakeConf),
            (&["-lc"], Mode::MakeConf),
            (&["-l", "-m"], Mode::ListMfa),
            (&["-D", "prof"], Mode::Diagnose),
            (&["-D", "-l"], Mode::ListRoles),
            (&["-D", "-u"], Mode::Update),
            (&["-u", "-c"], Mode::MakeConf),
            (&["--ec2", "--ecs", "prof"], Mode::Ec2),
            (&["--ecs", "-j", "prof", "cmd"], Mode::Ecs),
            (&["-D", "--ec2"], Mode::Diagnose),
            (&["-j", "prof"], Mode::Credentials),
            (&["-w", "prof"], Mode::WebConsole),
            (&["--sso-login", "prof"], Mode::SsoLogin),
            (&["--sso-login", "-l", "prof"], Mode::SsoLogin),
            (&["--sso-logout", "--ec2"], Mode::SsoLogout),
            (&["-V", "--sso-login"], Mode::Version),
            (&["--ecs", "-w", "prof"], Mode::Ecs),
        ];
        for (argv, want) in table {
            let args = parse(argv.iter().copied()).unwrap();
            assert_eq!(args.mode, *want, "{argv:?}");
        }
    }
}
