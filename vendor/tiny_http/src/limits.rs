//! What one client may hold of the server (patch): how many connections there are, how long a
//! connection may wait or take, and how large a request may be. A server next to other people's
//! processes must not let one of them stop it or keep the others from it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::connection::Connection;
use std::net::Shutdown;

/// Limits on connections and requests. `Limits::default()` is the crate's published behaviour:
/// none at all.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// The most connections served at once; at the limit, a new connection closes one that is
    /// closing anyway (lingering after a refusal), else the one idle the longest, else the one
    /// slowest to send its request, else it is closed itself.
    pub max_connections: Option<usize>,
    /// The most bytes of a request line and headers; more is answered 431.
    pub max_head: Option<usize>,
    /// The most bytes of a body, read whole before the request is handed on; more is answered
    /// 413 without reading it (a claimed length is never allocated before it is read).
    pub max_body: Option<usize>,
    /// How long a connection may wait for the first byte of its next request.
    pub idle_timeout: Option<Duration>,
    /// How long a request (its head, then its body) may take to arrive once it has begun.
    pub request_timeout: Option<Duration>,
    /// How long a write of an answer may wait for the client to read; then the connection ends.
    pub write_timeout: Option<Duration>,
}

/// Where a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Waiting for a request, since then.
    Idle(Instant),
    /// Reading a request that began then.
    Reading(Instant),
    /// Its request is being answered.
    Busy,
    /// Answered and closing, since then: what the client still sends is read and dropped
    /// (a lingering close), for at most [`LINGER_TIME`]. The first to go when room is needed.
    Closing(Instant),
}

/// How long a connection refused before its request was read whole lingers (patch): its answer
/// and our end are sent, and what the client still sends is read and dropped for this long at
/// most, then the socket is closed. Closed at once with bytes unread, a socket sends a reset,
/// and a client still sending its request loses the answer (its write fails first).
pub(crate) const LINGER_TIME: Duration = Duration::from_secs(1);
/// The most a lingering connection reads and drops. The kernel's buffers take a few hundred
/// KiB more, so a client sending a request of 1 MiB or so gets to read its answer; one that never
/// stops is cut off after this much.
pub(crate) const LINGER_BYTES: usize = 1024 * 1024;

struct Slot {
    id: u64,
    connection: Connection,
    state: State,
}

/// The live connections, so that the accept loop can close one to make room.
#[derive(Default)]
pub(crate) struct Registry {
    slots: Mutex<(u64, Vec<Slot>)>,
}

impl Registry {
    fn slots(&self) -> std::sync::MutexGuard<'_, (u64, Vec<Slot>)> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection, closing another one first when `max` are open. `None`: no room (every
    /// connection is being answered); the caller drops the new one.
    pub(crate) fn admit(&self, connection: Connection, max: Option<usize>) -> Option<u64> {
        let mut slots = self.slots();
        if max.is_some_and(|max| slots.1.len() >= max) && !evict(&mut slots.1) {
            return None;
        }
        slots.0 += 1;
        let id = slots.0;
        slots.1.push(Slot {
            id,
            connection,
            state: State::Idle(Instant::now()),
        });
        Some(id)
    }

    /// Closes a connection that is closing anyway, else the one idle the longest, else the
    /// slowest to send its request, for a new one or when descriptors run out. Whether there was one.
    pub(crate) fn evict_one(&self) -> bool {
        evict(&mut self.slots().1)
    }

    pub(crate) fn set(&self, id: u64, state: State) {
        if let Some(slot) = self.slots().1.iter_mut().find(|s| s.id == id) {
            slot.state = state;
        }
    }

    /// Shuts the reading side of every connection (the server is dropped): each one's thread
    /// sees the end of the stream and finishes; an answer being written still goes out.
    pub(crate) fn close_all(&self) {
        for slot in &self.slots().1 {
            slot.connection.shutdown(Shutdown::Read).ok();
        }
    }

    pub(crate) fn remove(&self, id: u64) {
        self.slots().1.retain(|s| s.id != id);
    }
}

fn evict(slots: &mut Vec<Slot>) -> bool {
    let rank = |state: State| match state {
        State::Closing(since) => Some((0, since)),
        State::Idle(since) => Some((1, since)),
        State::Reading(since) => Some((2, since)),
        State::Busy => None,
    };
    let victim = slots
        .iter()
        .enumerate()
        .filter_map(|(i, s)| rank(s.state).map(|r| (r, i)))
        .min()
        .map(|(_, i)| i);
    match victim {
        Some(i) => {
            let slot = slots.swap_remove(i);
            // Its thread sees the end of the stream and finishes.
            slot.connection.shutdown(Shutdown::Both).ok();
            true
        }
        None => false,
    }
}

/// A connection's place in the registry, removed when the connection ends.
pub(crate) struct Tracked {
    pub(crate) registry: std::sync::Arc<Registry>,
    pub(crate) id: u64,
}

impl Tracked {
    pub(crate) fn set(&self, state: State) {
        self.registry.set(self.id, state);
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}
