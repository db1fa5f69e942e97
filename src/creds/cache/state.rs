//! A cache file as a chain uses it ([`Slot`]: the file, what an entry must have been made for,
//! the credentials' configured lifetime), and what `-D` says of it ([`State`]): none, not to be
//! trusted, corrupt, or an entry and where it stands. Read as a run reads it (no link followed,
//! our files only) but without its lock and without a warning: `-D`'s own check names the files
//! it cannot trust. Nothing of an entry but its expiry leaves this file: never a secret.

use std::time::Duration;

use super::dir::CacheFile;
use super::entry::{Entry, Expect, Standing};
use crate::creds::store::{self, Found};

/// A cache file as a chain reads it: the [`Cached`](super::Cached) a plan builds is made of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub file: CacheFile,
    /// What an entry must have been made for.
    pub expect: Expect,
    /// The credentials' configured lifetime: the window of an entry that does not say when its
    /// credentials were issued.
    pub lifetime: Duration,
}

/// What a cache file holds for its chain at a given time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// No file: a run fetches the credentials.
    None,
    /// A file a run does not use as it is, and why: a link, another user's, unreadable.
    Unusable(String),
    /// A file that holds no entry: a run replaces it.
    Corrupt,
    /// An entry, and where it stands.
    Entry(Standing),
}

impl Slot {
    /// The file's state at `now` (unix seconds).
    pub fn state(&self, now: i64) -> State {
        let data = match store::read(&self.file.path) {
            Found::Missing => return State::None,
            Found::Unsafe(reason) => return State::Unusable(format!("not used: it is {reason}")),
            Found::Failed(e) => return State::Unusable(format!("unreadable ({e})")),
            Found::Data(data) => data,
        };
        let Ok(entry) = Entry::parse(&data) else {
            return State::Corrupt;
        };
        let name = self.file.path.display().to_string();
        State::Entry(entry.standing(&name, self.file.kind, &self.expect, self.lifetime, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::cache::Kind;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_file_is_none_unusable_corrupt_or_an_entry() {
        let dir = std::env::temp_dir().join(format!("aws-runas-state-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".aws_sso_a");
        let slot = Slot {
            file: CacheFile {
                path: path.clone(),
                kind: Kind::Sso,
                label: "profile 'a'".into(),
            },
            expect: Expect {
                key: Some("1/R@u".into()),
                ..Expect::default()
            },
            lifetime: Duration::from_secs(3600),
        };
        assert_eq!(slot.state(0), State::None);
        let write = |text: &str, mode| {
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        write("{not json", 0o600);
        assert_eq!(slot.state(0), State::Corrupt);
        let entry = r#"{"AccessKeyID":"ASIA","SecretAccessKey":"s","SessionToken":"t","Expiration":3600,"Issued":0,"Key":"1/R@u"}"#;
        write(entry, 0o600);
        assert_eq!(
            slot.state(0),
            State::Entry(Standing::Valid {
                expires: 3600,
                renew_at: 3240
            })
        );
        write(entry, 0o666);
        assert!(
            matches!(slot.state(0), State::Unusable(ref why) if why.contains("writable by other users")),
            "{:?}",
            slot.state(0)
        );
        write(&entry.replace("1/R@u", "2/R@u"), 0o600);
        assert_eq!(slot.state(0), State::Entry(Standing::Other));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
