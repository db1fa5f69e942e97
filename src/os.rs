//! Every call into the operating system that std does not make for us, in one place: who we
//! are, how files are opened and written without trusting the directory, the descriptor limit,
//! the stopping signals, the terminal a prompt borrows, and signalling a child. A port to
//! another Unix touches this file (and its `cfg(target_os)` seams) only. A leaf: it imports
//! nothing of the crate.

use std::fs::File;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};
use std::sync::{Arc, Mutex};

/// Open flags for a file we must not be fooled by: no link followed, no wait on a FIFO, not
/// inherited by a command we run.
pub const OPEN_UNTRUSTED: i32 = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
/// Open flags for a file that must not make the open wait (a FIFO without a writer).
pub const OPEN_NONBLOCKING: i32 = libc::O_NONBLOCK | libc::O_CLOEXEC;
/// Open flags for a file of ours that must not be a link.
pub const OPEN_NO_LINK: i32 = libc::O_NOFOLLOW | libc::O_CLOEXEC;

/// The effective user id.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The effective group id.
pub fn egid() -> u32 {
    // SAFETY: getegid has no preconditions and cannot fail.
    unsafe { libc::getegid() }
}

/// Whether an open failed because the last component is a symbolic link (`O_NOFOLLOW`).
pub fn is_link_refused(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

/// Makes reads of `file` wait again (it was opened without blocking only so that the open would
/// not wait).
pub fn set_blocking(file: &File) {
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own, with flags it returned.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
}

/// Writes `data` through `fill` into a new file with no name in `dir` (`O_TMPFILE`, 0600),
/// then links it in as `to`: a process killed while writing leaves nothing behind. Linux only;
/// elsewhere `Unsupported`, and the caller writes a named temporary file instead.
#[cfg(target_os = "linux")]
pub fn write_unnamed(
    dir: &Path,
    to: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_TMPFILE | libc::O_CLOEXEC)
        .open(dir)?;
    fill(&mut file)?;
    let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    let to = CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths; linkat does not keep them.
    let linked = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if linked != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
pub fn write_unnamed(
    _dir: &Path,
    _to: &Path,
    _fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Raises the soft limit on open files to the hard one (1024 is a common soft limit, far below
/// the hard one); returns the limit now in force.
pub fn raise_fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit get a valid pointer to an rlimit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
    }
    limit.rlim_cur
}

/// The signals that end a run: at a prompt, and for an endpoint.
const STOPPING: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// A stopping signal that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    pub number: i32,
    /// Sent by a process (`kill`), not by the terminal: a terminal's signal reaches the whole
    /// foreground process group, a wrapped command included, so it need not be passed on.
    pub sent: bool,
}

/// The stopping signals, blocked in every thread and taken one at a time by one waiter
/// (`sigwaitinfo`), so no handler runs inside a request or a renewal.
pub struct Signals {
    set: libc::sigset_t,
}

/// An empty signal set.
fn empty_set() -> libc::sigset_t {
    let mut set = MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: sigemptyset initialises the set it is given.
    unsafe {
        libc::sigemptyset(set.as_mut_ptr());
        set.assume_init()
    }
}

impl Signals {
    /// Blocks the stopping signals in this thread (and in the threads it starts afterwards).
    pub fn block() -> Signals {
        let mut set = empty_set();
        // SAFETY: sigaddset and pthread_sigmask get a valid, initialised set.
        unsafe {
            for signal in STOPPING {
                libc::sigaddset(&mut set, signal);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        }
        Signals { set }
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

/// Unblocks every signal: for a command we start, between fork and exec, so it does not
/// inherit the mask of the thread that waits for signals. Async-signal-safe.
pub fn unblock_all_signals() {
    let none = empty_set();
    // SAFETY: sigprocmask gets a valid, initialised set; it is async-signal-safe.
    unsafe { libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut()) };
}

/// A child that signals may be passed on to, until it is reaped: its pid, while it can still
/// name it (a reaped child's pid may belong to another process already).
#[derive(Clone)]
pub struct ChildSignals {
    pid: Arc<Mutex<Option<i32>>>,
}

impl ChildSignals {
    pub fn new(child: &std::process::Child) -> ChildSignals {
        ChildSignals {
            pid: Arc::new(Mutex::new(i32::try_from(child.id()).ok())),
        }
    }

    /// Sends `signal` to the child, unless it has been reaped.
    pub fn send(&self, signal: i32) {
        let pid = self.pid.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pid) = *pid {
            // SAFETY: kill with the pid of our own child, which is not reaped while the lock is
            // held (reaping takes it), so the pid is still its.
            unsafe { libc::kill(pid, signal) };
        }
    }

    /// Waits until the child has ended, without reaping it, then stops passing signals on: the
    /// caller reaps it next.
    pub fn wait_ended(&self) -> io::Result<()> {
        let Some(pid) = *self.pid.lock().unwrap_or_else(|p| p.into_inner()) else {
            return Ok(());
        };
        loop {
            let mut info = MaybeUninit::<libc::siginfo_t>::zeroed();
            let id = libc::id_t::try_from(pid).unwrap_or_default();
            // SAFETY: waitid with a valid pointer; WNOWAIT leaves the child to be reaped.
            let done = unsafe {
                libc::waitid(
                    libc::P_PID,
                    id,
                    info.as_mut_ptr(),
                    libc::WEXITED | libc::WNOWAIT,
                )
            };
            if done == 0 {
                break;
            }
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
        }
        *self.pid.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}

/// The terminal a prompt borrows: its settings are saved before the prompt turns echo off, and
/// put back by a handler (`sigaction`) if the user interrupts (Ctrl-C, a kill, a hang-up), when
/// the prompt's own restore never runs. Dropping the guard puts the default handlers back.
pub struct TerminalGuard;

/// The saved settings and their terminal, for the handler, which may only read: each prompt's
/// settings are leaked (a few dozen bytes, once per prompt) so that a handler running on another
/// thread never reads freed memory.
static SAVED_FD: AtomicI32 = AtomicI32::new(-1);
static SAVED: AtomicPtr<libc::termios> = AtomicPtr::new(std::ptr::null_mut());

/// Puts the saved settings back on the saved terminal, if there are any. Async-signal-safe.
fn restore_saved() {
    let fd = SAVED_FD.load(Ordering::SeqCst);
    let settings = SAVED.load(Ordering::SeqCst);
    if fd >= 0 && !settings.is_null() {
        // SAFETY: the settings were leaked, so they live as long as the process; tcsetattr is
        // async-signal-safe.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, settings) };
    }
}

extern "C" fn restore_and_die(signal: libc::c_int) {
    restore_saved();
    // SAFETY: sigaction and raise are async-signal-safe; SIG_DFL is a valid disposition.
    unsafe {
        set_handler(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// Installs `handler` for `signal` with `sigaction`.
///
/// # Safety
/// `handler` is `SIG_DFL`, `SIG_IGN` or a function that does only async-signal-safe work.
unsafe fn set_handler(signal: libc::c_int, handler: libc::sighandler_t) {
    let mut action = MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: a zeroed sigaction is valid (no flags, empty mask) once its handler is set.
    unsafe {
        let action = action.as_mut_ptr();
        (*action).sa_sigaction = handler;
        libc::sigemptyset(std::ptr::addr_of_mut!((*action).sa_mask));
        libc::sigaction(signal, action, std::ptr::null_mut());
    }
}

impl TerminalGuard {
    /// Saves the settings of `tty`; `None` when they cannot be read (not a terminal).
    pub fn save(tty: &File) -> Option<TerminalGuard> {
        // A descriptor of our own that outlives the prompt's.
        // SAFETY: dup of a valid open descriptor.
        let fd = unsafe { libc::dup(tty.as_raw_fd()) };
        if fd < 0 {
            return None;
        }
        let mut settings = MaybeUninit::<libc::termios>::uninit();
        // SAFETY: tcgetattr fills the settings on success.
        if unsafe { libc::tcgetattr(fd, settings.as_mut_ptr()) } != 0 {
            // SAFETY: fd is ours.
            unsafe { libc::close(fd) };
            return None;
        }
        // SAFETY: tcgetattr succeeded, so the settings are initialised.
        let settings = Box::leak(Box::new(unsafe { settings.assume_init() }));
        SAVED.store(settings, Ordering::SeqCst);
        SAVED_FD.store(fd, Ordering::SeqCst);
        for signal in STOPPING {
            // SAFETY: the handler only does async-signal-safe work.
            unsafe { set_handler(signal, restore_and_die as *const () as libc::sighandler_t) };
        }
        Some(TerminalGuard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        for signal in STOPPING {
            // SAFETY: back to the default disposition.
            unsafe { set_handler(signal, libc::SIG_DFL) };
        }
        let fd = SAVED_FD.swap(-1, Ordering::SeqCst);
        if fd >= 0 {
            // SAFETY: fd is the descriptor we duplicated.
            unsafe { libc::close(fd) };
        }
    }
}

/// Puts the terminal back as it was before a prompt that is still open (echo on): for a
/// process that ends while another thread prompts, such as a server stopped by Ctrl-C during a
/// renewal's prompt (its signals go to one waiting thread, not to the prompt's handler).
pub fn restore_terminal() {
    restore_saved();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_signalled_until_it_is_reaped() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let signals = ChildSignals::new(&child);
        signals.send(libc::SIGTERM);
        signals.wait_ended().unwrap();
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGTERM));
        // Reaped: nothing is sent any more (the pid may be another process's by now).
        assert!(signals.pid.lock().unwrap().is_none());
        signals.send(libc::SIGTERM);
    }

    #[test]
    fn the_descriptor_limit_is_raised_to_the_hard_one() {
        let now = raise_fd_limit();
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: a valid pointer to an rlimit.
        let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
        assert_eq!(read, 0);
        assert_eq!((now, limit.rlim_cur), (limit.rlim_max, limit.rlim_max));
    }
}
