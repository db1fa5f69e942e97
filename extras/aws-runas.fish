# fish completion for aws-runas: its flags, then the profiles of the AWS files (as aws-runas
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
            case -a --role-duration -d --duration --region --shell -M --mfa-arn -o --otp --filter --profile-name
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
    __fish_complete_subcommand --fcs-skip=$skip -a --role-duration -d --duration --region --shell -M --mfa-arn -o --otp --filter --profile-name
end

complete -c aws-runas -f
complete -c aws-runas -n __aws_runas_before_profile -s h -l help -d 'Show this help and exit'
complete -c aws-runas -n __aws_runas_before_profile -s V -l version -d 'Show the version and exit'
complete -c aws-runas -n __aws_runas_before_profile -s v -l verbose -d 'Debug messages on stderr: where each setting came from, the cache decisions, each STS call'
complete -c aws-runas -n __aws_runas_before_profile -s a -l role-duration -x -a '15m 30m 1h 2h 4h 8h 12h' -d 'Lifetime of the role credentials, 15m to 12h'
complete -c aws-runas -n __aws_runas_before_profile -s d -l duration -x -a '15m 30m 1h 2h 4h 8h 12h' -d 'Lifetime of the session token, 15m to 36h'
complete -c aws-runas -n __aws_runas_before_profile -s s -l session -d 'Use the session-token credentials instead of the role\'s'
complete -c aws-runas -n __aws_runas_before_profile -s r -l refresh -d 'Discard the cached credentials this run would use and fetch new ones'
complete -c aws-runas -n __aws_runas_before_profile -s e -l expiration -d 'Say on stderr when the credentials expire'
complete -c aws-runas -n __aws_runas_before_profile -l region -x -a 'us-east-1 us-east-2 us-west-1 us-west-2 af-south-1 ap-east-1 ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-7 ca-central-1 ca-west-1 eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 cn-north-1 cn-northwest-1 us-gov-east-1 us-gov-west-1' -d 'The region of this run, over the profile\'s and AWS_REGION'
complete -c aws-runas -n __aws_runas_before_profile -l ec2 -d 'Serve the credentials as a local EC2 instance-metadata service'
complete -c aws-runas -n __aws_runas_before_profile -l ecs -d 'Serve the credentials as a local container-credentials endpoint; with a command, run it against the endpoint'
complete -c aws-runas -n __aws_runas_before_profile -s w -l web-console -d 'Print an AWS console sign-in URL for the profile\'s role'
complete -c aws-runas -n __aws_runas_before_profile -l open -d 'With -w: open the URL in the browser instead of printing it'
complete -c aws-runas -n __aws_runas_before_profile -l shell -x -a 'posix fish powershell cmd' -d 'The exports\' syntax: posix, fish, powershell or cmd'
complete -c aws-runas -n __aws_runas_before_profile -s j -l json -d 'Print the credentials as credential_process JSON, for `credential_process = aws-runas -j PROFILE` in ~/.aws/config'
complete -c aws-runas -n __aws_runas_before_profile -s M -l mfa-arn -x -d 'The MFA device to use'
complete -c aws-runas -n __aws_runas_before_profile -s o -l otp -x -d 'The MFA code, instead of asking on the terminal'
complete -c aws-runas -n __aws_runas_before_profile -s m -l list-mfa -d 'List the MFA devices of the profile\'s IAM user, one ARN a line'
complete -c aws-runas -n __aws_runas_before_profile -s l -l list-roles -d 'List the roles the profile\'s IAM user may assume, from its own and its groups\' policies'
complete -c aws-runas -n __aws_runas_before_profile -s c -l make-conf -d 'Print the roles of -l as a config for the "AWS Extend Switch Roles" browser extension'
complete -c aws-runas -n __aws_runas_before_profile -l filter -x -d 'With -l or -c: keep the roles matching the glob'
complete -c aws-runas -n __aws_runas_before_profile -l profile-name -x -d 'With -c on an IAM Identity Center profile: the profiles\' names, from {account_id}, {account_name}, {role_name} and {region}'
complete -c aws-runas -n __aws_runas_before_profile -s u -l update -d 'Check whether a newer release exists'
complete -c aws-runas -n __aws_runas_before_profile -l sso-login -d 'Log in to IAM Identity Center for the profile\'s sso-session'
complete -c aws-runas -n __aws_runas_before_profile -l use-device-code -d 'Log in to IAM Identity Center with a code to enter on the login page, from any device, instead of the redirect'
complete -c aws-runas -n __aws_runas_before_profile -l no-browser -d 'Do not open the login page: only print its URL, to open in a browser on this machine'
complete -c aws-runas -n __aws_runas_before_profile -l sso-logout -d 'End the IAM Identity Center login of the profile\'s sso-session, and remove its token and the cached credentials of its profiles'
complete -c aws-runas -n __aws_runas_before_profile -l login -d 'Sign in to AWS with your console credentials in the browser, as `aws login` does: refreshable credentials for up to 12 hours, shared with the AWS CLI and SDKs, and no access key on disk'
complete -c aws-runas -n __aws_runas_before_profile -l remote -d 'With --login: sign in from any device: open the URL printed here, then paste the code the page shows'
complete -c aws-runas -n __aws_runas_before_profile -l logout -d 'End the profile\'s aws login session: remove its cached credentials and those of the roles assumed with it'
complete -c aws-runas -n __aws_runas_before_profile -l all -d 'With --sso-login: log in to every sso-session of the config, one after the other; with --sso-logout: end every login in the token cache; with --logout: every aws login session in its cache'
complete -c aws-runas -n __aws_runas_before_profile -s D -l diagnose -d 'Check the files, the profile, the environment, the cache and the clock, then print the resolved profile and where each value came from'
complete -c aws-runas -n '__aws_runas_before_profile; and not set -q AWS_PROFILE' -a '(command aws-runas --completion-profiles 2>/dev/null)' -d profile
complete -c aws-runas -n 'not __aws_runas_before_profile; or set -q AWS_PROFILE' -a '(__aws_runas_command)'
