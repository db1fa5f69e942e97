//! MFA codes: the one given with `-o`, else asked for on the controlling terminal (/dev/tty), so
//! the prompt works even when stdout is captured by `eval "$(aws-runas prof)"`.
//!
//! A malformed code is asked again (3 tries). A code AWS rejects ("MultiFactorAuthentication
//! failed") is reported plainly and asked again when on a terminal; a rejected `-o` code ends the
//! run. Codes never reach a log or a message.

use std::fmt;
use std::fs::OpenOptions;
use std::io::Write;

use crate::aws::query::AwsError;
use crate::debug;

/// Attempts at a well-formed code, and at a code AWS accepts.
const TRIES: usize = 3;
const PROMPT: &str = "Enter MFA Code: ";

/// Why no MFA code could be had.
#[derive(Debug)]
pub enum MfaError {
    NoTerminal,
    Malformed,
    Terminal(std::io::Error),
}

impl fmt::Display for MfaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MfaError::NoTerminal => write!(
                f,
                "an MFA code is needed but there is no terminal to ask on: pass the code with -o"
            ),
            MfaError::Malformed => write!(
                f,
                "no valid MFA code after {TRIES} tries (a code is 6 digits)"
            ),
            MfaError::Terminal(e) => write!(f, "cannot read the MFA code from the terminal: {e}"),
        }
    }
}

impl std::error::Error for MfaError {}

/// Where MFA codes come from during a run.
pub struct Mfa {
    otp: Option<String>,
    prompted: bool,
}

/// Whether `code` looks like an MFA code.
pub fn well_formed(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Whether AWS refused the call because of the MFA code.
pub fn rejected(error: &AwsError) -> Option<&str> {
    match error {
        AwsError::Service { code, message, .. }
            if code == "AccessDenied" && message.contains("MultiFactorAuthentication failed") =>
        {
            Some(message)
        }
        _ => None,
    }
}

impl Mfa {
    /// `otp` is the code given with `-o`, if any.
    pub fn new(otp: Option<String>) -> Mfa {
        Mfa {
            otp,
            prompted: false,
        }
    }

    /// A code for `serial`: the `-o` code (once), else one typed at the terminal.
    pub fn code(&mut self, serial: &str) -> Result<String, MfaError> {
        if let Some(code) = self.otp.take() {
            debug!("MFA code for {serial} from -o");
            return Ok(code);
        }
        // Check for a terminal first, so a run without one fails at once instead of hanging.
        OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .map_err(|_| MfaError::NoTerminal)?;
        debug!("asking for the MFA code of {serial} on the terminal");
        for _ in 0..TRIES {
            self.prompted = true;
            let answer = rpassword::prompt_password(PROMPT).map_err(MfaError::Terminal)?;
            let answer = answer.trim();
            if well_formed(answer) {
                return Ok(answer.to_string());
            }
            self.tell("An MFA code is 6 digits.");
        }
        Err(MfaError::Malformed)
    }

    /// Whether a rejected code may be asked for again (only when the user is at a terminal).
    pub fn can_ask_again(&self) -> bool {
        self.prompted && self.otp.is_none()
    }

    /// A line for the user at the terminal.
    pub fn tell(&self, message: &str) {
        if let Ok(mut tty) = OpenOptions::new().write(true).open("/dev/tty") {
            let _ = writeln!(tty, "{message}");
        }
    }
}

/// Runs `call` with MFA codes for `serial` until AWS accepts one, asking again (up to 3 tries)
/// when the user is at a terminal.
pub fn with_code<T>(
    mfa: &mut Mfa,
    serial: &str,
    mut call: impl FnMut(&str) -> Result<T, AwsError>,
) -> Result<T, crate::error::Error> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let code = mfa.code(serial)?;
        match call(&code) {
            Err(e) if attempt < TRIES && mfa.can_ask_again() => match rejected(&e) {
                Some(message) => mfa.tell(&format!("AWS rejected the MFA code: {message}")),
                None => return Err(e.into()),
            },
            other => return other.map_err(Into::into),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        assert!(well_formed("012345"));
        for bad in ["12345", "1234567", "12a456", "", " 12345"] {
            assert!(!well_formed(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_otp_code_is_used_once_and_never_asked_again() {
        let mut mfa = Mfa::new(Some("123456".into()));
        assert_eq!(mfa.code("arn:aws:iam::1:mfa/a").unwrap(), "123456");
        assert!(!mfa.can_ask_again());
    }

    #[test]
    fn rejection_is_recognised() {
        let e = AwsError::Service {
            operation: "GetSessionToken",
            status: 403,
            code: "AccessDenied".into(),
            message: "MultiFactorAuthentication failed with invalid MFA one time pass code.".into(),
        };
        assert!(rejected(&e).is_some());
        let other = AwsError::Service {
            operation: "AssumeRole",
            status: 403,
            code: "AccessDenied".into(),
            message: "User: x is not authorized".into(),
        };
        assert!(rejected(&other).is_none());
    }
}
