//! The texts printed for `-h`, `--help-man`, `--completion-script-bash` and `-V`. They need no
//! configuration, so they work even when `~/.aws/config` is broken. The help, the man page and
//! the completion script are rendered from the one flag table (`flags.rs`), so they cannot
//! disagree with each other or with what parses.

use super::flags::{Flag, FLAGS};

/// `aws-runas <version>`.
pub fn version() -> String {
    format!("aws-runas {}\n", env!("CARGO_PKG_VERSION"))
}

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

const ENVIRONMENT: &str = "AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, EXTERNAL_ID, MFA_SERIAL, SESSION_TOKEN_DURATION, CREDENTIALS_DURATION, AWS_ROLE_SESSION_NAME, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS, AWS_STS_REGIONAL_ENDPOINTS, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, AWS_RUNAS_LOCK_TIMEOUT (how long to wait for another aws-runas fetching the same credentials; default 2m)";

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
        Some(v) => format!("{short}--{}={v}", f.long),
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
    for f in listed() {
        let value = f.value.map(|v| format!("=\\fI{v}\\fR")).unwrap_or_default();
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
    out.push_str(&format!(".SH ENVIRONMENT\n{}\n", roff(ENVIRONMENT)));
    out.push_str(".SH EXIT STATUS\nThe command's own status when one is run; 127 when it is not found, 126 when it cannot be executed; 1 for any aws\\-runas error, reported as one line on stderr.\n");
    out
}

/// The bash completion script (`--completion-script-bash`; shipped as extras/aws-runas.bash):
/// the flags, then the profiles of the AWS files; after the profile, the command is completed
/// as any command would be.
pub fn bash_completion() -> String {
    let names = |f: &Flag| {
        let mut v: Vec<String> = f.short.map(|c| format!("-{c}")).into_iter().collect();
        v.push(format!("--{}", f.long));
        v
    };
    let all: Vec<String> = FLAGS.iter().flat_map(names).collect();
    let with_value = |pred: fn(&str) -> bool| -> String {
        FLAGS
            .iter()
            .filter(|f| f.value.is_some_and(pred))
            .flat_map(names)
            .collect::<Vec<_>>()
            .join("|")
    };
    BASH_TEMPLATE
        .replace("@FLAGS@", &all.join(" "))
        .replace("@VALUE_FLAGS@", &with_value(|_| true))
        .replace("@DURATION_FLAGS@", &with_value(|v| v == "DURATION"))
        .replace("@OTHER_VALUE_FLAGS@", &with_value(|v| v != "DURATION"))
}

/// The completion script, with the flag lists filled in by [`bash_completion`].
const BASH_TEMPLATE: &str = r#"# bash completion for aws-runas: its flags, then the profiles of the AWS config file; after the
# profile, the command is completed as any command would be.
# Install: source this file, or copy it to /usr/share/bash-completion/completions/aws-runas,
# or add `eval "$(aws-runas --completion-script-bash)"` to ~/.bashrc.
# Written by `aws-runas --completion-script-bash` (make extras); do not edit by hand.

_aws_runas_profiles() {
  local config=${AWS_CONFIG_FILE:-$HOME/.aws/config}
  local credentials=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}
  {
    [ -r "$config" ] && sed -n 's/^[[:space:]]*\[[[:space:]]*\(profile[[:space:]]\{1,\}\)\{0,1\}\([^]]*[^][:space:]]\)[[:space:]]*\].*/\2/p' "$config"
    [ -r "$credentials" ] && sed -n 's/^[[:space:]]*\[[[:space:]]*\([^]]*[^][:space:]]\)[[:space:]]*\].*/\1/p' "$credentials"
  } | sort -u
}

_aws_runas() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i word
  local flags="@FLAGS@ --"
  # Find the profile: the first word that is neither a flag nor a flag's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case $word in
      @VALUE_FLAGS@) ((i++)) ;;
      -*) ;;
      *)
        # A profile (or, with AWS_PROFILE set, the command) is there: complete the command.
        if declare -F _command_offset >/dev/null; then
          _command_offset "$((i + 1))"
        else
          COMPREPLY=($(compgen -c -- "$cur"))
        fi
        return
        ;;
    esac
  done
  case $prev in
    @DURATION_FLAGS@) COMPREPLY=($(compgen -W "15m 30m 1h 2h 4h 8h 12h" -- "$cur")); return ;;
    @OTHER_VALUE_FLAGS@) COMPREPLY=(); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [ -n "${AWS_PROFILE+set}" ]; then
    COMPREPLY=($(compgen -c -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_aws_runas_profiles)" -- "$cur"))
  fi
}

complete -F _aws_runas aws-runas
"#;

#[cfg(test)]
mod tests {
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
    fn the_shipped_completion_script_is_current() {
        // extras/aws-runas.bash is this output; `make extras` writes it again.
        assert_eq!(
            include_str!("../../extras/aws-runas.bash"),
            bash_completion()
        );
    }

    #[test]
    fn the_completion_script_knows_every_flag_and_every_value() {
        let script = bash_completion();
        assert!(!script.contains('@'), "a placeholder is left");
        for f in FLAGS {
            assert!(script.contains(&format!("--{}", f.long)), "{}", f.long);
        }
        assert!(script.contains("-a|--role-duration|-d|--duration) COMPREPLY"));
        assert!(script.contains("-M|--mfa-arn|-o|--otp) COMPREPLY=()"));
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("a b c", 3, 0), "a b\nc");
        assert_eq!(wrap("one two", 80, 4), "one two");
        assert_eq!(wrap("one two three", 12, 4), "one two\n    three");
    }
}
