//! The shell completion scripts, rendered from the one flag table (`flags.rs`): bash
//! (`--completion-script-bash`, the Go 1.x tool's flag name), zsh (`--completion-script-zsh`)
//! and fish (`--completion-script-fish`), shipped in extras/ (`make extras`). Each completes the
//! flags, the values a flag's kind offers (durations, shells, regions), the profiles of the user's AWS files (listed by
//! `aws-runas --completion-profiles`, so they are read exactly as a run reads them), and after
//! the profile (or from the first word, with `AWS_PROFILE` set) the command, as the shell
//! completes any command.

use super::flags::{Flag, Value, FLAGS};

/// The durations offered for `-a`/`-d`.
const DURATIONS: &str = "15m 30m 1h 2h 4h 8h 12h";
/// The shells offered for `--shell` (its value is a `Value::Shell`).
const SHELLS: &str = "posix fish powershell cmd";
/// The regions offered for `--region`: AWS's public regions, then China's and GovCloud's. Only
/// an offer: any region name parses, a region opened after this list too.
const REGIONS: &str = "us-east-1 us-east-2 us-west-1 us-west-2 af-south-1 ap-east-1 \
ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 \
ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-7 ca-central-1 ca-west-1 eu-central-1 \
eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 il-central-1 \
me-central-1 me-south-1 mx-central-1 sa-east-1 cn-north-1 cn-northwest-1 us-gov-east-1 \
us-gov-west-1";

/// The values offered for a flag of kind `value`, space-separated; none for a value only the
/// user knows (an ARN, a code, a name's format, a glob).
fn offered(value: Value) -> Option<(&'static str, &'static str)> {
    match value {
        Value::Duration => Some(("duration", DURATIONS)),
        Value::Shell => Some(("shell", SHELLS)),
        Value::Region => Some(("region", REGIONS)),
        Value::Arn | Value::Code | Value::Glob | Value::Format => None,
    }
}

/// `-x` and `--long` of a flag.
fn names(f: &Flag) -> Vec<String> {
    let mut v: Vec<String> = f.short.map(|c| format!("-{c}")).into_iter().collect();
    v.push(format!("--{}", f.long));
    v
}

/// The names of the flags whose value satisfies `pred`.
fn with_value(pred: fn(Value) -> bool) -> Vec<String> {
    FLAGS
        .iter()
        .filter(|f| f.value.is_some_and(pred))
        .flat_map(names)
        .collect()
}

/// A flag's help, cut to its first sentence: a completion menu's description.
fn summary(f: &Flag) -> &str {
    let help = f.help;
    let end = help
        .find(". ")
        .map_or(help.trim_end_matches('.').len(), |i| i);
    let cut = &help[..end];
    // And before a parenthesis that would run long.
    match cut.find(" (") {
        Some(i) if i > 20 => &cut[..i],
        _ => cut,
    }
}

/// The bash completion script (`--completion-script-bash`; extras/aws-runas.bash).
pub fn bash_completion() -> String {
    let all: Vec<String> = FLAGS.iter().flat_map(names).collect();
    // A case for each kind that offers values, in the table's order of first use.
    let mut kinds: Vec<Value> = Vec::new();
    for value in FLAGS.iter().filter_map(|f| f.value) {
        if offered(value).is_some() && !kinds.contains(&value) {
            kinds.push(value);
        }
    }
    let cases: Vec<String> = kinds
        .into_iter()
        .filter_map(|kind| {
            let (_, values) = offered(kind)?;
            let flags = with_value_of(kind).join("|");
            Some(format!(
                "    {flags}) COMPREPLY=($(compgen -W \"{values}\" -- \"$cur\")); return ;;\n"
            ))
        })
        .collect();
    BASH_TEMPLATE
        .replace("@FLAGS@", &all.join(" "))
        .replace("@VALUE_FLAGS@", &with_value(|_| true).join("|"))
        .replace("@OFFERED@", &cases.concat())
        .replace(
            "@OTHER_VALUE_FLAGS@",
            &with_value(|v| offered(v).is_none()).join("|"),
        )
}

/// The names of the flags whose value is of kind `kind`.
fn with_value_of(kind: Value) -> Vec<String> {
    FLAGS
        .iter()
        .filter(|f| f.value == Some(kind))
        .flat_map(names)
        .collect()
}

/// The completion script, with the flag lists filled in by [`bash_completion`].
const BASH_TEMPLATE: &str = r#"# bash completion for aws-runas: its flags, then the profiles of the AWS files (as aws-runas
# itself reads them); after the profile, the command is completed as any command would be.
# Install: source this file, or copy it to /usr/share/bash-completion/completions/aws-runas,
# or add `eval "$(aws-runas --completion-script-bash)"` to ~/.bashrc.
# Written by `aws-runas --completion-script-bash` (make extras); do not edit by hand.

_aws_runas_profiles() {
  command aws-runas --completion-profiles 2>/dev/null
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
@OFFERED@    @OTHER_VALUE_FLAGS@) COMPREPLY=(); return ;;
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

/// The zsh completion script (`--completion-script-zsh`; extras/_aws-runas). It works from
/// `fpath` (as `_aws-runas`) and when sourced.
pub fn zsh_completion() -> String {
    // _arguments specs; [ ] : \ and ' are special in them.
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('[', "\\[")
            .replace(']', "\\]")
            .replace(':', "\\:")
            .replace('\'', "'\\''")
    };
    let mut specs = Vec::new();
    for f in FLAGS.iter().filter(|f| f.listed()) {
        let all = names(f);
        let exclusive = format!("({})", all.join(" "));
        let value = match f.value.map(|v| (v, offered(v))) {
            Some((_, Some((what, values)))) => format!(":{what}:({values})"),
            Some((v, None)) => format!(":{}: ", v.placeholder().to_lowercase()),
            None => String::new(),
        };
        for name in &all {
            let takes = match (f.value, name.starts_with("--")) {
                (None, _) => "",
                (Some(_), true) => "=",
                (Some(_), false) => "+",
            };
            specs.push(format!(
                "    '{exclusive}{name}{takes}[{}]{value}'",
                escape(summary(f))
            ));
        }
    }
    ZSH_TEMPLATE.replace("@SPECS@", &specs.join("\n"))
}

const ZSH_TEMPLATE: &str = r#"#compdef aws-runas
# zsh completion for aws-runas: its flags, then the profiles of the AWS files (as aws-runas
# itself reads them); after the profile, the command is completed as any command would be.
# Install: copy to a directory of $fpath as _aws-runas (e.g. /usr/share/zsh/vendor-completions),
# or source it after compinit.
# Written by `aws-runas --completion-script-zsh` (make extras); do not edit by hand.

_aws_runas_profiles() {
  local -a profiles
  profiles=(${(f)"$(command aws-runas --completion-profiles 2>/dev/null)"})
  _describe -t profiles 'profile' profiles
}

# The words after the profile are a command line of their own.
_aws_runas_command() {
  shift words
  (( CURRENT-- ))
  _normal
}

_aws_runas() {
  local -a specs
  specs=(
@SPECS@
  )
  if (( ${+AWS_PROFILE} )); then
    # AWS_PROFILE names the profile: every word is the command.
    _arguments -s -S : $specs '*::command:_normal'
  else
    _arguments -s -S : $specs '1:profile:_aws_runas_profiles' '*::command:_aws_runas_command'
  fi
}

if [ "$funcstack[1]" = "_aws_runas" ] || [ "$funcstack[1]" = "_aws-runas" ]; then
  _aws_runas "$@"
else
  compdef _aws_runas aws-runas
fi
"#;

/// The fish completion script (`--completion-script-fish`; extras/aws-runas.fish).
pub fn fish_completion() -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
    let mut lines = Vec::new();
    for f in FLAGS.iter().filter(|f| f.listed()) {
        let mut line = String::from("complete -c aws-runas -n __aws_runas_before_profile");
        if let Some(c) = f.short {
            line.push_str(&format!(" -s {c}"));
        }
        line.push_str(&format!(" -l {}", f.long));
        match f.value.map(offered) {
            Some(Some((_, values))) => line.push_str(&format!(" -x -a {}", quote(values))),
            Some(None) => line.push_str(" -x"),
            None => {}
        }
        line.push_str(&format!(" -d {}", quote(summary(f))));
        lines.push(line);
    }
    FISH_TEMPLATE
        .replace("@FLAGS@", &lines.join("\n"))
        .replace("@VALUE_FLAGS@", &with_value(|_| true).join(" "))
}

const FISH_TEMPLATE: &str = r#"# fish completion for aws-runas: its flags, then the profiles of the AWS files (as aws-runas
# itself reads them); after the profile, the command is completed as any command would be.
# Install: copy to ~/.config/fish/completions/aws-runas.fish (or a vendor_completions.d
# directory), or run `aws-runas --completion-script-fish | source`.
# Written by `aws-runas --completion-script-fish` (make extras); do not edit by hand.

# Whether the line has no profile yet (nor, with AWS_PROFILE set, a command): flags still come.
function __aws_runas_before_profile
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for token in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $token
            case @VALUE_FLAGS@
                set skip 1
            case '--'
                return 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# The command: after the profile, or from the first word with AWS_PROFILE set.
function __aws_runas_command
    set -l skip 2
    set -q AWS_PROFILE; and set skip 1
    __fish_complete_subcommand --fcs-skip=$skip @VALUE_FLAGS@
end

complete -c aws-runas -f
@FLAGS@
complete -c aws-runas -n '__aws_runas_before_profile; and not set -q AWS_PROFILE' -a '(command aws-runas --completion-profiles 2>/dev/null)' -d profile
complete -c aws-runas -n 'not __aws_runas_before_profile; or set -q AWS_PROFILE' -a '(__aws_runas_command)'
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_completion_scripts_are_current() {
        // extras/ holds this output; `make extras` writes it again.
        assert_eq!(
            include_str!("../../extras/aws-runas.bash"),
            bash_completion()
        );
        assert_eq!(include_str!("../../extras/_aws-runas"), zsh_completion());
        assert_eq!(
            include_str!("../../extras/aws-runas.fish"),
            fish_completion()
        );
    }

    #[test]
    fn every_listed_flag_is_in_every_script() {
        let (zsh, fish) = (zsh_completion(), fish_completion());
        for placeholder in ["@SPECS@", "@FLAGS@", "@VALUE_FLAGS@"] {
            assert!(!zsh.contains(placeholder) && !fish.contains(placeholder));
        }
        for f in FLAGS.iter().filter(|f| f.listed()) {
            assert!(zsh.contains(&format!("--{}", f.long)), "zsh: {}", f.long);
            assert!(
                fish.contains(&format!(" -l {} ", f.long)),
                "fish: {}",
                f.long
            );
        }
        assert!(zsh.contains("-a+[Lifetime of the role credentials, 15m to 12h]:duration:(15m 30m 1h 2h 4h 8h 12h)"), "{zsh}");
        assert!(
            fish.contains("-s a -l role-duration -x -a '15m 30m 1h 2h 4h 8h 12h'"),
            "{fish}"
        );
    }

    #[test]
    fn summaries_are_first_sentences() {
        let by = |long: &str| FLAGS.iter().find(|f| f.long == long).unwrap();
        assert_eq!(summary(by("version")), "Show the version and exit");
        assert_eq!(summary(by("verbose")), "Debug messages on stderr: where each setting came from, the cache decisions, each STS call");
    }

    #[test]
    fn the_completion_script_knows_every_flag_and_every_value() {
        let script = bash_completion();
        assert!(!script.contains('@'), "a placeholder is left");
        for f in FLAGS {
            assert!(script.contains(&format!("--{}", f.long)), "{}", f.long);
        }
        assert!(script.contains("-a|--role-duration|-d|--duration) COMPREPLY"));
        assert!(script.contains("-M|--mfa-arn|-o|--otp|--filter|--profile-name) COMPREPLY=()"));
    }

    #[test]
    fn regions_are_offered_for_region_and_each_is_a_region_name() {
        let regions: Vec<&str> = REGIONS.split_whitespace().collect();
        assert!(regions.len() > 30 && regions.contains(&"eu-west-3"));
        assert!(regions
            .iter()
            .all(|r| crate::aws::endpoint::valid_region(r)));
        let offer = format!("--region) COMPREPLY=($(compgen -W \"{REGIONS}\" -- \"$cur\"))");
        assert!(bash_completion().contains(&offer));
        assert!(fish_completion().contains(&format!(" -l region -x -a '{REGIONS}'")));
        assert!(zsh_completion().contains(&format!(":region:({REGIONS})'")));
    }
}
