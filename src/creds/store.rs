//! The cache's files on disk, opened as a credential store must open them: the config file's
//! directory may be shared (a CI workspace, a repository, `/tmp`), so nothing there is trusted.
//!
//! - A cache file is opened with `O_NOFOLLOW | O_NONBLOCK` and checked with `fstat` before a byte
//!   is read: a regular file, owned by us, writable by nobody else, at most [`MAX_SIZE`] bytes.
//!   Anything else (a symlink, a FIFO, a device, another user's file) is [`Found::Unsafe`]: a
//!   miss with a warning ([`read_trusted`], the one reader of every file of ours), never
//!   followed, never trusted.
//! - Our own files (locks and temp files) live in one private directory beside the cache,
//!   `.aws-runas/` (0700, ours, not a symlink), so they cannot be planted by someone else and do
//!   not pile up where the user looks. The cache files keep the 1.x tool's names and place.
//! - A write goes to a temp file with a random name, created `O_CREAT | O_EXCL | O_NOFOLLOW` and
//!   0600 on the open file, fsynced, then renamed over the cache file (rename replaces a planted
//!   symlink instead of following it). Leftovers of a killed run are removed under the lock.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::CredsError;
use crate::log::{self, debug};
use crate::os;
use crate::random;

/// The largest cache file we read: ours are well under 4 KiB.
pub const MAX_SIZE: u64 = 64 * 1024;

/// After this long waiting for a lock, a run says that it waits.
pub const LOCK_NOTICE: Duration = Duration::from_secs(1);

/// How a wait for a lock ended.
pub enum Locked {
    /// Held until the file is dropped.
    Held(File),
    /// No lock can be had here (the run goes on without one).
    Unavailable(io::Error),
    /// Another run held it for the whole timeout.
    TimedOut,
}

/// The private directory's name, inside the cache directory.
const PRIVATE: &str = ".aws-runas";

/// What reading a cache file found.
#[derive(Debug)]
pub enum Found {
    Missing,
    /// Not a file we may trust; the reason says what it is.
    Unsafe(String),
    Failed(io::Error),
    Data(Vec<u8>),
}

/// Why `meta` does not describe a file we may trust, if it does not.
fn untrusted(meta: &fs::Metadata) -> Option<String> {
    let kind = meta.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a directory"
        } else if kind.is_symlink() {
            "a symbolic link"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Some(what.to_string());
    }
    if meta.uid() != os::euid() {
        return Some(format!("owned by another user (uid {})", meta.uid()));
    }
    if meta.mode() & 0o022 != 0 {
        return Some(format!(
            "writable by other users (mode {:o})",
            meta.mode() & 0o777
        ));
    }
    if meta.len() > MAX_SIZE {
        return Some(format!("too large ({} bytes)", meta.len()));
    }
    None
}

/// Reads the cache file at `path` without following a link or blocking on a FIFO.
pub fn read(path: &Path) -> Found {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(os::OPEN_UNTRUSTED)
        .open(path);
    let file = match file {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Found::Missing,
        // O_NOFOLLOW on a symlink.
        Err(e) if os::is_link_refused(&e) => return Found::Unsafe("a symbolic link".into()),
        Err(e) => return Found::Failed(e),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Found::Failed(e),
    };
    if let Some(reason) = untrusted(&meta) {
        return Found::Unsafe(reason);
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    // Bounded even if the file grows after the check.
    match file.take(MAX_SIZE + 1).read_to_end(&mut data) {
        Ok(_) if data.len() as u64 > MAX_SIZE => Found::Unsafe("too large".into()),
        Ok(_) => Found::Data(data),
        Err(e) => Found::Failed(e),
    }
}

/// A kind of file of ours, as its messages name it.
#[derive(Debug, Clone, Copy)]
pub struct FileKind {
    /// In `-v` lines: `cache`, `sso token`.
    pub tag: &'static str,
    /// In warnings: `cache file`, `IAM Identity Center token file`.
    pub noun: &'static str,
    /// What the run does instead of using a file it cannot, said after the problem (may be
    /// empty): `fetching new credentials`.
    pub instead: &'static str,
}

/// The bytes of the file of `kind` at `path`, if it is there and may be trusted (see
/// [`read`]); anything else is a miss, said once: a file we may not trust is a warning, unless
/// it was read `again` (after taking the lock), when it was named already.
pub fn read_trusted(path: &Path, kind: &FileKind, again: bool) -> Option<Vec<u8>> {
    let (tag, name) = (kind.tag, path.display());
    let then = |separator: &str| match kind.instead {
        "" => String::new(),
        instead => format!("{separator}{instead}"),
    };
    match read(path) {
        Found::Data(data) => return Some(data),
        Found::Missing => debug!("{tag} {name}: none"),
        Found::Unsafe(reason) if again => debug!("{tag} {name}: still {reason}"),
        Found::Unsafe(reason) => log::warn(format_args!(
            "ignoring the {} {name}: it is {reason}{}",
            kind.noun,
            then("; ")
        )),
        Found::Failed(e) => debug!("{tag} {name}: unreadable ({e}){}", then(", ")),
    }
    None
}

/// Whether `dir` lets other users replace files in it: writable by others, or by a group that is
/// not our own (a user-private group, as umask 002 systems give every user, is ours), without
/// the sticky bit. Worth a warning, since the cache lives there.
pub fn shared_dir(dir: &Path) -> bool {
    let own_group = os::egid();
    fs::metadata(dir).is_ok_and(|m| {
        let others = m.mode() & 0o002 != 0;
        let group = m.mode() & 0o020 != 0 && m.gid() != own_group;
        (others || group) && m.mode() & 0o1000 == 0
    })
}

/// The files in `dir` whose names start with one of `prefixes`, each with what is wrong with it,
/// if anything: a file a run would not trust (and so ignores), or one other users may read.
/// Nothing is opened: only the entries' own metadata is read.
pub fn audit(dir: &Path, prefixes: &[&str]) -> Vec<Audited> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            prefixes.iter().any(|p| name.starts_with(p))
        })
        .map(|e| e.path())
        .collect();
    // Unstable: a directory's paths are distinct, so the order is the same, in less code; the
    // paths, not the findings, sorted: the login cache's listing sorts paths too, and one sort
    // of paths is less code than two sorts.
    paths.sort_unstable();
    paths
        .into_iter()
        .map(|path| {
            let problem = match fs::symlink_metadata(&path) {
                Err(e) => Some(format!("cannot be inspected: {e}")),
                Ok(meta) => untrusted(&meta).or_else(|| {
                    (meta.mode() & 0o044 != 0).then(|| {
                        format!("readable by other users (mode {:o})", meta.mode() & 0o777)
                    })
                }),
            };
            Audited { path, problem }
        })
        .collect()
}

/// A file of ours found in the directory, and what is wrong with it, if anything.
#[derive(Debug)]
pub struct Audited {
    pub path: PathBuf,
    pub problem: Option<String>,
}

/// Makes `dir` (0700) if it is missing.
fn ensure_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Our private directory beside the cache files: locks and temp files.
#[derive(Debug)]
pub struct Private {
    dir: PathBuf,
}

impl Private {
    /// Makes (or checks) `<cache dir>/.aws-runas`: a directory, not a link, ours, 0700.
    pub fn open(cache_dir: &Path) -> Result<Private, String> {
        let dir = cache_dir.join(PRIVATE);
        let show = |e: io::Error| format!("{}: {e}", dir.display());
        ensure_dir(cache_dir).map_err(show)?;
        match fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(show(e)),
        }
        let meta = fs::symlink_metadata(&dir).map_err(show)?;
        if !meta.file_type().is_dir() {
            return Err(format!("{} is not a directory", dir.display()));
        }
        if meta.uid() != os::euid() {
            return Err(format!("{} is owned by another user", dir.display()));
        }
        if meta.mode() & 0o077 != 0 {
            // Ours: make it private again rather than give up.
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(show)?;
        }
        Ok(Private { dir })
    }

    /// Takes the exclusive lock for the cache file named `name` (a `<name>.lock` here), waiting
    /// for another run's up to `timeout`, retrying every 50 ms; `waiting` is called once, when
    /// the wait passes [`LOCK_NOTICE`].
    pub fn lock(&self, name: &str, timeout: Duration, waiting: impl FnOnce()) -> Locked {
        let file = match self.lock_file(name) {
            Ok(f) => f,
            Err(e) => return Locked::Unavailable(e),
        };
        let started = Instant::now();
        let mut waiting = Some(waiting);
        loop {
            match file.try_lock() {
                Ok(()) => return Locked::Held(file),
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => return Locked::Unavailable(e),
            }
            let waited = started.elapsed();
            if waited >= timeout {
                return Locked::TimedOut;
            }
            if waited >= LOCK_NOTICE {
                if let Some(say) = waiting.take() {
                    say();
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// [`Private::lock`] as a fetch takes it: once the wait passes [`LOCK_NOTICE`], a note that
    /// another run is `doing` (e.g. `fetching the credentials of profile 'admin'`); no lock to be
    /// had is a debug line and the run goes on without one (concurrent runs may then each
    /// fetch); a wait of the whole `timeout` is [`CredsError::LockTimeout`] for `label`.
    pub fn hold(
        &self,
        name: &str,
        timeout: Duration,
        label: &str,
        doing: &str,
    ) -> Result<Option<File>, CredsError> {
        let waiting = || {
            log::note(format_args!(
                "waiting for another aws-runas that is {doing} (at most {}s)",
                timeout.as_secs()
            ));
        };
        match self.lock(name, timeout, waiting) {
            Locked::Held(file) => Ok(Some(file)),
            Locked::Unavailable(e) => {
                debug!("cannot lock {name} ({e}); going on without the lock");
                Ok(None)
            }
            Locked::TimedOut => Err(CredsError::LockTimeout {
                label: label.to_string(),
                waited: timeout,
            }),
        }
    }

    /// The lock file for the cache file named `name`.
    fn lock_file(&self, name: &str) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(os::OPEN_UNTRUSTED)
            .open(self.dir.join(format!("{name}.lock")))
    }

    /// Writes `data` to `target` atomically: a new temp file here, fsync, rename.
    pub fn write(&self, target: &Path, name: &str, data: &[u8]) -> io::Result<()> {
        let temp = self
            .dir
            .join(format!("{name}.{}.tmp", random::hex_token::<8>()?));
        let result = self
            .write_unnamed(&temp, data)
            .or_else(|_| write_named(&temp, data))
            .and_then(|()| fs::rename(&temp, target));
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }

    /// Writes `data` into a file with no name, then links it in as `temp` (`os::write_unnamed`):
    /// a run killed while writing leaves nothing behind. Where that is not possible the caller
    /// falls back to [`write_named`].
    fn write_unnamed(&self, temp: &Path, data: &[u8]) -> io::Result<()> {
        os::write_unnamed(&self.dir, temp, |file| fill(file, data))
    }

    /// Removes the temp files a killed run left for the cache file `name` (call with its lock
    /// held).
    pub fn clean(&self, name: &str) {
        let prefix = format!("{name}.");
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with(&prefix) && file.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes `data` into a new file named `temp`: `O_CREAT | O_EXCL | O_NOFOLLOW`, so nothing
/// planted at that name is opened.
fn write_named(temp: &Path, data: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(os::OPEN_NO_LINK)
        .open(temp)?;
    fill(&mut file, data)
}

/// 0600 on the open file (whatever the umask did), the data, then fsync.
fn fill(file: &mut File, data: &[u8]) -> io::Result<()> {
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    file.write_all(data)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("aws-runas-store-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }

    #[test]
    fn regular_private_files_are_read() {
        let dir = temp_dir("read");
        let path = dir.join("c");
        fs::write(&path, b"{}").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(read(&path), Found::Data(d) if d == b"{}"));
        assert!(matches!(read(&dir.join("none")), Found::Missing));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn links_fifos_devices_and_shared_files_are_not_trusted() {
        let dir = temp_dir("unsafe");
        let target = dir.join("target");
        fs::write(&target, b"{}").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        symlink(&target, dir.join("link")).unwrap();
        symlink("/dev/zero", dir.join("zero")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status()
            .unwrap();
        assert!(made.success());
        fs::write(dir.join("shared"), b"{}").unwrap();
        fs::set_permissions(dir.join("shared"), fs::Permissions::from_mode(0o666)).unwrap();
        fs::write(dir.join("big"), vec![b' '; MAX_SIZE as usize + 1]).unwrap();
        fs::set_permissions(dir.join("big"), fs::Permissions::from_mode(0o600)).unwrap();
        for name in ["link", "zero", "fifo", "shared", "big"] {
            let found = read(&dir.join(name));
            assert!(matches!(found, Found::Unsafe(_)), "{name}: {found:?}");
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn writes_are_private_and_replace_a_planted_link() {
        let dir = temp_dir("write");
        let private = Private::open(&dir).unwrap();
        let victim = dir.join("victim");
        fs::write(&victim, b"precious").unwrap();
        let cache = dir.join(".aws_assume_role_x");
        symlink(&victim, &cache).unwrap();
        private
            .write(&cache, ".aws_assume_role_x", b"{\"k\":1}")
            .unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        let meta = fs::symlink_metadata(&cache).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(meta.mode() & 0o777, 0o600);
        assert_eq!(fs::read(&cache).unwrap(), b"{\"k\":1}");
        let private_mode = fs::metadata(dir.join(PRIVATE)).unwrap().mode() & 0o777;
        assert_eq!(private_mode, 0o700);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_planted_private_directory_link_is_refused() {
        let dir = temp_dir("private-link");
        let elsewhere = temp_dir("private-elsewhere");
        symlink(&elsewhere, dir.join(PRIVATE)).unwrap();
        assert!(Private::open(&dir).is_err());
        fs::remove_dir_all(dir).unwrap();
        fs::remove_dir_all(elsewhere).unwrap();
    }

    #[test]
    fn leftovers_are_cleaned() {
        let dir = temp_dir("clean");
        let private = Private::open(&dir).unwrap();
        let name = ".aws_session_token_dev";
        fs::write(
            dir.join(PRIVATE).join(format!("{name}.0123.tmp")),
            b"secret",
        )
        .unwrap();
        fs::write(
            dir.join(PRIVATE).join(".aws_session_token_other.1.tmp"),
            b"x",
        )
        .unwrap();
        private.clean(name);
        let left: Vec<String> = fs::read_dir(dir.join(PRIVATE))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, [".aws_session_token_other.1.tmp"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn shared_directories_are_told_apart() {
        let dir = temp_dir("shared");
        let set = |mode| fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
        set(0o700);
        assert!(!shared_dir(&dir));
        // Our own group (umask 002 systems): not shared.
        set(0o770);
        assert!(!shared_dir(&dir));
        set(0o777);
        assert!(shared_dir(&dir));
        // The sticky bit (as /tmp): others cannot replace our files.
        set(0o1777);
        assert!(!shared_dir(&dir));
        set(0o700);
        fs::remove_dir_all(dir).unwrap();
    }
}
