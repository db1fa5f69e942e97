//! `-D`'s lines: each check an `OK|WARN|ERROR <what>` line, one line whatever a message or a
//! server put in it, and whether any is an ERROR.

use std::fmt::{self, Write as _};

/// How a check went: an ERROR makes the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warn,
    Error,
}

/// The lines so far, and whether any is an ERROR.
#[derive(Default)]
pub struct Report {
    pub text: String,
    pub failed: bool,
}

impl Report {
    /// Adds the line `<LEVEL> <what>`.
    pub fn line(&mut self, level: Level, what: fmt::Arguments<'_>) {
        let tag = match level {
            Level::Ok => "OK",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        };
        // One line each, whatever a message or a server put in it: control characters escaped,
        // by the escaper of every stderr line.
        let what = what.to_string();
        let _ = writeln!(self.text, "{tag} {}", crate::log::escape(&what));
        self.failed |= level == Level::Error;
    }
}
