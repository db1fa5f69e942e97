//! MFA codes: the one given with `-o`, else the first line that `mfa_process` prints (a command
//! run without a shell, e.g. `ykman oath accounts code --single <account>`), else asked of the
//! person at the terminal (`terminal.rs`), when the retrieval may ask them.
//! Where codes come from is a value, [`Mfa`], that the mode builds and hands to the providers.
//!
//! A malformed code is asked again (3 tries). A code AWS rejects ("MultiFactorAuthentication
//! failed") is reported plainly and asked again when on a terminal; a rejected `-o` code ends the
//! run. Codes never reach a log or a message.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::error::{CredsError, MfaError};
use super::terminal::{self, Person};
use crate::aws::query::AwsError;
use crate::credentials::MfaCode;
use crate::log::debug;
use crate::nesting::{self, Loop, Nesting};
use crate::shell;

/// Attempts at a well-formed code, and at a code AWS accepts.
const TRIES: usize = 3;

/// Where MFA codes come from during a run: the `-o` code, used once, then `mfa_process`, then
/// the person at the terminal, if the retrieval may ask them (`terminal::Person`).
pub struct Mfa {
    given: Option<MfaCode>,
    /// `mfa_process` and how long it may take.
    process: Option<Process>,
    prompted: bool,
    /// The profile the codes are for, named in the prompt.
    profile: Option<String>,
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
    /// `given` is the code given with `-o`, if any.
    pub fn new(given: Option<MfaCode>) -> Mfa {
        Mfa {
            given,
            process: None,
            prompted: false,
            profile: None,
        }
    }

    /// Codes come from `command` (`mfa_process` of `profile`) before the asker, each within
    /// `timeout`; `nesting` is what this run is nested in.
    pub fn with_process(
        mut self,
        command: Option<String>,
        timeout: Duration,
        profile: &str,
        nesting: &Nesting,
    ) -> Mfa {
        self.process = command.map(|command| Process {
            command,
            timeout,
            profile: profile.to_string(),
            nesting: nesting.clone(),
        });
        self
    }

    /// The prompt names `profile`.
    pub fn for_profile(mut self, profile: &str) -> Mfa {
        self.profile = Some(profile.to_string());
        self
    }

    /// A code for `serial`: the `-o` code (once: AWS refuses a code used twice), else
    /// `mfa_process`'s, else `person`'s at the terminal.
    pub fn code(&mut self, serial: &str, person: &Person) -> Result<MfaCode, MfaError> {
        if let Some(code) = self.given.take() {
            debug!("MFA code for {serial} from -o");
            return Ok(code);
        }
        if let Some(process) = &self.process {
            debug!("MFA code for {serial} from mfa_process");
            return process.run();
        }
        if !person.may_ask() {
            return Err(MfaError::NobodyToAsk);
        }
        self.ask_terminal(serial)
    }

    /// Asks on the terminal, up to 3 times for a well-formed code.
    fn ask_terminal(&mut self, serial: &str) -> Result<MfaCode, MfaError> {
        let terminal = terminal::Prompt::open().map_err(|_| MfaError::NoTerminal)?;
        debug!("asking for the MFA code of {serial} on the terminal");
        let prompt = match &self.profile {
            Some(profile) => format!("Enter MFA code for {serial} (profile {profile}): "),
            None => format!("Enter MFA code for {serial}: "),
        };
        for _ in 0..TRIES {
            self.prompted = true;
            let answer = terminal.secret(&prompt).map_err(MfaError::Terminal)?;
            if let Some(code) = MfaCode::parse(answer.trim()) {
                return Ok(code);
            }
            self.tell("An MFA code is 6 digits.");
        }
        Err(MfaError::Malformed(TRIES))
    }

    /// Whether a rejected code may be asked for again (only when the user is at a terminal).
    pub fn can_ask_again(&self) -> bool {
        self.prompted && self.given.is_none()
    }

    /// A line for the user at the terminal.
    pub fn tell(&self, message: &str) {
        terminal::tell(message);
    }
}

/// `mfa_process`: the command, how long it may take, the profile it is for, and the processes
/// this run is nested in.
struct Process {
    command: String,
    timeout: Duration,
    profile: String,
    nesting: Nesting,
}

impl Process {
    fn run(&self) -> Result<MfaCode, MfaError> {
        let chain = self
            .nesting
            .enter("mfa_process", &self.profile, &self.command)
            .map_err(MfaError::Loop)?;
        run_process(self, &chain)
    }
}

/// Runs `mfa_process` without a shell (split as `credential_process` is), within its timeout;
/// the first line of its stdout is the code. Its stderr is the user's (a YubiKey's "touch your
/// key"). `chain` is its `AWS_RUNAS_PROCESS_CHAIN`: this run's, and itself.
fn run_process(process: &Process, chain: &str) -> Result<MfaCode, MfaError> {
    let (command, timeout) = (process.command.as_str(), process.timeout);
    let failed = |reason: String| MfaError::Process {
        command: command.to_string(),
        reason,
    };
    let words = shell::split(command).map_err(|e| failed(format!("cannot be read: {e}")))?;
    let Some((program, args)) = words.split_first() else {
        return Err(failed("is empty".into()));
    };
    let mut child = Command::new(program)
        .args(args)
        .env(nesting::VARIABLE, chain)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("cannot be run: {e}")))?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = (&mut stdout).take(4096).read_to_end(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!(
                    "gave no code within {}s",
                    timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(failed(format!("cannot be waited for: {e}"))),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        // A nested aws-runas that stopped a loop relays its line to us, to say once.
        if let Some(stopped) = Loop::relayed(&out, &process.nesting) {
            return Err(MfaError::Loop(stopped));
        }
        return Err(failed(format!("failed ({status})")));
    }
    let text = String::from_utf8_lossy(&out);
    let first = text.lines().next().unwrap_or_default().trim();
    // The output is not repeated: it may be a code, or something else secret.
    MfaCode::parse(first).ok_or_else(|| failed("printed no 6-digit code on its first line".into()))
}

/// Runs `call` with MFA codes for `serial` until AWS accepts one, asking again (up to 3 tries)
/// when the user is at a terminal.
pub fn with_code<T>(
    mfa: &mut Mfa,
    person: &Person,
    serial: &str,
    mut call: impl FnMut(&MfaCode) -> Result<T, AwsError>,
) -> Result<T, CredsError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let code = mfa.code(serial, person)?;
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
    fn the_otp_code_is_used_once_and_never_asked_again() {
        let serial = "arn:aws:iam::1:mfa/a";
        let mut mfa = Mfa::new(MfaCode::parse("123456"));
        let nobody = Person::nobody();
        assert_eq!(mfa.code(serial, &nobody).unwrap().expose(), "123456");
        assert!(!mfa.can_ask_again());
        // A second code is not the -o code again: it is the asker's (here, nobody's).
        assert!(matches!(
            mfa.code(serial, &nobody),
            Err(MfaError::NobodyToAsk)
        ));
    }

    #[test]
    fn a_rejected_otp_code_is_not_retried() {
        let serial = "arn:aws:iam::1:mfa/a";
        let mut mfa = Mfa::new(MfaCode::parse("123456"));
        let mut calls = Vec::new();
        let nobody = Person::nobody();
        let result: Result<(), CredsError> = with_code(&mut mfa, &nobody, serial, |code| {
            calls.push(code.expose().to_string());
            Err(AwsError::Service {
                operation: "GetSessionToken",
                code: "AccessDenied".into(),
                message: "MultiFactorAuthentication failed with invalid MFA one time pass code."
                    .into(),
            })
        });
        assert!(result
            .unwrap_err()
            .to_string()
            .contains("MultiFactorAuthentication failed"));
        assert_eq!(calls, ["123456"]);
    }

    #[test]
    fn rejection_is_recognised() {
        let e = AwsError::Service {
            operation: "GetSessionToken",
            code: "AccessDenied".into(),
            message: "MultiFactorAuthentication failed with invalid MFA one time pass code.".into(),
        };
        assert!(rejected(&e).is_some());
        let other = AwsError::Service {
            operation: "AssumeRole",
            code: "AccessDenied".into(),
            message: "User: x is not authorized".into(),
        };
        assert!(rejected(&other).is_none());
    }
}
