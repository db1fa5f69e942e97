//! The texts printed for `-h` and `-V`. They need no configuration, so they work even when
//! `~/.aws/config` is broken. A flag appears here only once it works.

/// `aws-runas <version>`.
pub fn version() -> String {
    format!("aws-runas {}\n", env!("CARGO_PKG_VERSION"))
}

/// The usage text for `-h`.
pub fn help() -> &'static str {
    "\
usage: aws-runas [<flags>] [<profile>] [<cmd>...]

Run a command with the credentials of an assumed IAM role, or print them as
eval-able shell exports when no command is given.

Flags:
  -h, --help                  Show this help and exit.
  -V, --version               Show the version and exit.
  -v, --verbose               Debug messages on stderr (never secrets).
  -a, --role-duration=DURATION
                              Lifetime of the role credentials, 15m to 12h
                              (default 1h; Go syntax: 1h, 90m, 1h30m). Over
                              1h, the role is assumed directly with MFA.
  -d, --duration=DURATION     Lifetime of the session token, 15m to 36h
                              (default 12h): how long one MFA code lasts.
  -s, --session               Use the session-token credentials, not a role.
  -r, --refresh               Discard the cached credentials and fetch new ones.
  -e, --expiration            Say on stderr when the credentials expire.
  -M, --mfa-arn=ARN           The MFA device to use (else mfa_serial).
  -o, --otp=CODE              The MFA code, instead of asking on the terminal.

Arguments:
  <profile>   A profile from ~/.aws/config, or a role ARN (its source is the
              default profile). Without one: AWS_DEFAULT_PROFILE, else
              'default'. When AWS_PROFILE is set, there is no profile argument.
  <cmd>...    The command to run, with its arguments, untouched.

Credentials are cached next to the config file (~/.aws/.aws_session_token_*,
~/.aws/.aws_assume_role_*): the MFA code is asked once per session token, for
every role that shares its source profile.

Examples:
  aws-runas admin aws s3 ls --recursive
  eval \"$(aws-runas admin)\"
  AWS_PROFILE=admin aws-runas terraform plan

Environment:
  AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE,
  AWS_DEFAULT_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, EXTERNAL_ID,
  MFA_SERIAL, SESSION_TOKEN_DURATION, CREDENTIALS_DURATION,
  AWS_ROLE_SESSION_NAME, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS,
  AWS_STS_REGIONAL_ENDPOINTS
"
}
