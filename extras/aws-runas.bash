# bash completion for aws-runas: its flags, then the profiles of the AWS files (as aws-runas
# itself reads them); after the profile, the command is completed as any command would be.
# Install: source this file, or copy it to /usr/share/bash-completion/completions/aws-runas,
# or add `eval "$(aws-runas --completion-script-bash)"` to ~/.bashrc.
# Written by `aws-runas --completion-script-bash` (make extras); do not edit by hand.

_aws_runas_profiles() {
  command aws-runas --completion-profiles 2>/dev/null
}

_aws_runas() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i word
  local flags="-h --help --help-man --completion-script-bash --completion-script-zsh --completion-script-fish --completion-profiles -V --version -v --verbose -a --role-duration -d --duration -s --session -r --refresh -e --expiration --ec2 --ecs -w --web-console --open --shell -j --json -M --mfa-arn -o --otp -m --list-mfa -l --list-roles -c --make-conf -u --update --sso-login --use-device-code --no-browser --sso-logout --all -D --diagnose --"
  # Find the profile: the first word that is neither a flag nor a flag's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case $word in
      -a|--role-duration|-d|--duration|--shell|-M|--mfa-arn|-o|--otp) ((i++)) ;;
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
    -a|--role-duration|-d|--duration) COMPREPLY=($(compgen -W "15m 30m 1h 2h 4h 8h 12h" -- "$cur")); return ;;
    --shell) COMPREPLY=($(compgen -W "posix fish powershell cmd" -- "$cur")); return ;;
    -M|--mfa-arn|-o|--otp) COMPREPLY=(); return ;;
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
