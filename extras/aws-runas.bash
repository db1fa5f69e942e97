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
  local flags="-h --help --help-man --completion-script-bash --completion-script-zsh --completion-script-fish --completion-profiles -V --version -v --verbose -a --role-duration -d --duration -s --session -r --refresh -e --expiration --region --ec2 --ecs -w --web-console --open --shell -j --json -M --mfa-arn -o --otp -m --list-mfa -l --list-roles -c --make-conf --filter --profile-name -u --update --sso-login --use-device-code --no-browser --sso-logout --login --remote --logout --all -D --diagnose --"
  # Find the profile: the first word that is neither a flag nor a flag's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case $word in
      -a|--role-duration|-d|--duration|--region|--shell|-M|--mfa-arn|-o|--otp|--filter|--profile-name) ((i++)) ;;
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
    --region) COMPREPLY=($(compgen -W "us-east-1 us-east-2 us-west-1 us-west-2 af-south-1 ap-east-1 ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-7 ca-central-1 ca-west-1 eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 cn-north-1 cn-northwest-1 us-gov-east-1 us-gov-west-1" -- "$cur")); return ;;
    --shell) COMPREPLY=($(compgen -W "posix fish powershell cmd" -- "$cur")); return ;;
    -M|--mfa-arn|-o|--otp|--filter|--profile-name) COMPREPLY=(); return ;;
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
