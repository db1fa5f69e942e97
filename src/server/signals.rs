//! Stopping cleanly: the signals that end an endpoint (SIGINT, SIGTERM, SIGHUP, SIGQUIT) are
//! blocked in every thread and taken one at a time with `sigwaitinfo`, so no handler runs
//! inside a request or a renewal, and the one thread that waits decides what happens: stop, or
//! pass the signal on to the wrapped command.

use std::mem::MaybeUninit;

/// The signals an endpoint stops on.
const STOPPING: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// A signal that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    pub number: libc::c_int,
    /// Sent by a process (`kill`), not by the terminal: a terminal's signal reaches the whole
    /// foreground process group, a wrapped command included, so it need not be passed on.
    pub sent: bool,
}

/// The blocked set; made before any thread starts, which inherit it.
pub struct Signals {
    set: libc::sigset_t,
}

impl Signals {
    /// Blocks the stopping signals in this thread (and in the threads it starts afterwards).
    pub fn block() -> Signals {
        let mut set = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: sigemptyset initialises the set; sigaddset and pthread_sigmask get valid
        // pointers to it.
        unsafe {
            libc::sigemptyset(set.as_mut_ptr());
            for signal in STOPPING {
                libc::sigaddset(set.as_mut_ptr(), signal);
            }
            let set = set.assume_init();
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            Signals { set }
        }
    }

    /// Waits for the next stopping signal.
    pub fn next(&self) -> Signal {
        loop {
            let mut info = MaybeUninit::<libc::siginfo_t>::zeroed();
            // SAFETY: the set is initialised; info is valid for writing.
            let number = unsafe { libc::sigwaitinfo(&self.set, info.as_mut_ptr()) };
            if number > 0 {
                // SAFETY: sigwaitinfo filled it in.
                let code = unsafe { info.assume_init() }.si_code;
                return Signal {
                    number,
                    sent: code == libc::SI_USER || code == libc::SI_QUEUE,
                };
            }
            // EINTR: wait again.
        }
    }
}
