//! The `-v` debug log on stderr.
//!
//! Only this module writes diagnostics; the final error line is printed by `main`. Callers never
//! pass secrets here: credentials keep theirs in `credentials::Secret`, whose formatting is a
//! mask, so a careless `{:?}` cannot leak one. A leaf: it imports nothing of the crate.
//!
//! Use it as `use crate::log::debug;` (the macro is exported from this module, not the crate
//! root, so the layer test sees where it comes from).

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

/// Writes one debug line; use the [`debug!`] macro.
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "aws-runas: debug: {args}");
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
