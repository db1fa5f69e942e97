//! `--ecs`: the container-credentials endpoint (SPEC 11), at a random path, for requests that
//! carry the random authorization token; the SDKs' container provider reads it through
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`.

use std::sync::Arc;

use super::holder::Holder;
use super::http::{constant_time_eq, Reply, Request};
use crate::time;

/// The container-credentials endpoint.
pub struct Ecs {
    pub holder: Arc<Holder>,
    /// The path, `/<random hex>`.
    pub path: String,
    pub token: String,
}

impl Ecs {
    /// Answers `request` (the Host check is done). The access log shows the credentials path as
    /// `/<credentials>`: it is part of what keeps them.
    pub fn handle(&self, request: &Request) -> (Reply, String) {
        if request.path != self.path {
            return (Reply::text(404, ""), request.path.clone());
        }
        let logged = "/<credentials>".to_string();
        if request.method != "GET" && request.method != "HEAD" {
            return (Reply::text(405, ""), logged);
        }
        if !request
            .header("authorization")
            .is_some_and(|t| constant_time_eq(t.as_bytes(), self.token.as_bytes()))
        {
            return (
                Reply::error(401, "wrong or missing authorization token"),
                logged,
            );
        }
        let served = self.holder.current();
        if served.expired(time::unix_now()) {
            let reply = Reply::error(503, "the credentials expired and could not be renewed");
            return (reply, logged);
        }
        (Reply::json(200, served.ecs.clone()), logged)
    }
}
