//! `--ecs`: the container-credentials endpoint, at a random path, for requests that
//! carry the random authorization token; the SDKs' container provider reads it through
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`.

use std::sync::Arc;

use super::holder::Holder;
use super::http::{constant_time_eq, Reply, Request};
use crate::percent::{self, Plus};
use crate::time;

/// The container-credentials endpoint.
pub struct Ecs {
    pub holder: Arc<Holder>,
    /// The path, `/<random hex>`.
    pub path: String,
    pub token: String,
}

impl Ecs {
    /// Answers `request` (the Host check is done).
    pub fn handle(&self, request: &Request) -> Reply {
        if request.path != self.path {
            return Reply::text(404, "");
        }
        if request.method != "GET" && request.method != "HEAD" {
            return Reply::text(405, "");
        }
        if !request
            .header("authorization")
            .is_some_and(|t| constant_time_eq(t.as_bytes(), self.token.as_bytes()))
        {
            return Reply::error(401, "wrong or missing authorization token");
        }
        let served = self.holder.current();
        if served.expired(time::unix_now()) {
            return Reply::error(503, "the credentials expired and could not be renewed");
        }
        Reply::json(200, served.ecs.clone())
    }

    /// Whether a request target holds the credentials path, which is part of what keeps them:
    /// such a target is logged as `/<credentials>`, whatever the answer (a refused Host, a near
    /// miss such as `//path`, `/path/`, `/%2Fpath` or the absolute form). Checked on the
    /// percent-decoded target, ignoring case.
    pub fn hides(&self, target: &str) -> bool {
        holds(target, &self.path)
    }
}

/// Whether `target` holds `path` (without its `/`), percent-decoded or not, in any case.
fn holds(target: &str, path: &str) -> bool {
    let secret = path.trim_start_matches('/').to_ascii_lowercase();
    let decoded = percent_decoded(target).to_ascii_lowercase();
    decoded.contains(&secret) || target.to_ascii_lowercase().contains(&secret)
}

/// `text` with its `%XX` escapes decoded (repeatedly, so `%2561` is decoded too); other bytes as
/// they are.
fn percent_decoded(text: &str) -> String {
    let mut current = text.as_bytes().to_vec();
    for _ in 0..4 {
        let out = percent::decode(&current, Plus::Plus);
        if out == current {
            break;
        }
        current = out;
    }
    String::from_utf8_lossy(&current).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_holding_the_credentials_path_are_hidden() {
        for hidden in [
            "/0123abcd",
            "//0123abcd",
            "/0123abcd/",
            "/%2f0123abcd",
            "/%2F0123ABCD",
            "/%30123abcd",
            "/%2530123abcd",
            "http://127.0.0.1:9/0123abcd",
            "/x?next=0123abcd",
        ] {
            assert!(holds(hidden, "/0123abcd"), "{hidden}");
        }
        for shown in ["/", "/0123abc", "/latest/meta-data/", "/%zz"] {
            assert!(!holds(shown, "/0123abcd"), "{shown}");
        }
    }
}
