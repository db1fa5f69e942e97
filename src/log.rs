//! Everything aws-runas itself says on stderr: the `-v` debug lines ([`debug!`]), warnings
//! ([`warn`]) and notes ([`note`]) that are always shown, and the escaping that keeps each of them
//! (and `main`'s error line) on one line: control characters from config values or server answers
//! are written as escapes, so a value cannot split a line or forge another one.
//!
//! Callers never pass secrets here: credentials keep theirs in `credentials::Secret`, whose
//! formatting is a mask, so a careless `{:?}` cannot leak one. A leaf: it imports nothing of the
//! crate. Use the macro as `use crate::log::debug;`.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// Turns debug output on (once, from `main`, when `-v` is given).
pub fn enable() {
    VERBOSE.store(true, Ordering::Relaxed);
}

/// Whether `-v` was given.
pub fn enabled() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// `text` with every control character written as an escape (`\n`, `\t`, `\x1b`).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            // Every control character (Unicode's Cc) is at most U+009F: `\xNN`, as SPEC 12.1
            // shows it, with the three a reader knows by their letter.
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                _ => {
                    let _ =
                        fmt::Write::write_fmt(&mut out, format_args!("\\x{:02x}", u32::from(c)));
                }
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Writes `aws-runas: <prefix><message>` on stderr, escaped; a failed write is ignored (the run
/// must not end because stderr is gone).
fn line(prefix: &str, args: fmt::Arguments<'_>) {
    let text = args.to_string();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "aws-runas: {prefix}{}", escape(&text));
}

/// Writes one debug line; use the [`debug!`] macro.
pub fn write(args: fmt::Arguments<'_>) {
    line("debug: ", args);
}

/// A warning, always shown: something is wrong but the run goes on.
pub fn warn(args: fmt::Arguments<'_>) {
    line("warning: ", args);
}

/// A note, always shown: what the run is doing when it must make the user wait.
pub fn note(args: fmt::Arguments<'_>) {
    line("", args);
}

/// `debug!("...", args)`: a line on stderr when `-v` is on; the arguments are not evaluated
/// otherwise, so the fast path pays nothing for them.
macro_rules! debug {
    ($($arg:tt)*) => {
        if $crate::log::enabled() {
            $crate::log::write(format_args!($($arg)*));
        }
    };
}
pub(crate) use debug;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape("plain: arn:aws:iam::1:role/x"),
            "plain: arn:aws:iam::1:role/x"
        );
        assert_eq!(
            escape("role\naws-runas: debug: forged\r\t\u{1b}[31m"),
            "role\\naws-runas: debug: forged\\r\\t\\x1b[31m"
        );
        assert_eq!(escape("naïve é"), "naïve é");
    }
}
