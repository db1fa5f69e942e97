//! `--ec2`: the EC2 instance-metadata paths the SDKs' instance-profile providers use, IMDSv2 and
//! v1.
//!
//! - `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds` 1..=21600 → a token
//!   (a keyed digest, see `token.rs`); a bad TTL → 400; `X-Forwarded-For` → 403 (a request that
//!   came through a proxy is not from this machine's SDK).
//! - A GET with `X-aws-ec2-metadata-token` needs a valid one (else 401); without one it is served
//!   (IMDSv1) unless v2 is required.
//! - The credential paths, `iam/info`, the region and the identity document; 404 for any other
//!   path, 405 for another method on a known one.

use std::sync::Arc;

use super::holder::{Holder, Served};
use super::http::{Reply, Request};
use super::json;
use super::token::Tokens;
use crate::time;

const TOKEN_PATH: &str = "/latest/api/token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const INFO_PATH: &str = "/latest/meta-data/iam/info";
const REGION_PATH: &str = "/latest/meta-data/placement/region";
const DOCUMENT_PATH: &str = "/latest/dynamic/instance-identity/document";
/// The longest token lifetime AWS grants (6 hours).
const MAX_TTL: i64 = 21_600;

/// The instance-metadata endpoint.
pub struct Imds {
    pub holder: Arc<Holder>,
    pub tokens: Tokens,
    /// Only IMDSv2: a GET without a token is refused (401).
    pub require_token: bool,
    /// When the endpoint started (the identity document's `pendingTime`).
    pub started: i64,
}

impl Imds {
    /// Answers `request` (the Host check is done).
    pub fn handle(&self, request: &Request) -> Reply {
        if request.path == TOKEN_PATH {
            if request.method != "PUT" {
                return Reply::text(405, "");
            }
            return self.issue_token(request);
        }
        let known = request.path.starts_with(CREDENTIALS_PATH)
            || [INFO_PATH, REGION_PATH, DOCUMENT_PATH].contains(&request.path.as_str());
        if !known {
            return Reply::text(404, "");
        }
        if request.method != "GET" && request.method != "HEAD" {
            return Reply::text(405, "");
        }
        let now = time::unix_now();
        match request.header("x-aws-ec2-metadata-token") {
            Some(token) if !self.tokens.valid(token, time::unix_now_ms()) => {
                return Reply::text(401, "")
            }
            None if self.require_token => return Reply::text(401, ""),
            _ => {}
        }
        let served = self.holder.current();
        if served.expired(now) {
            return Reply::error(503, "the credentials expired and could not be renewed");
        }
        self.get(&request.path, &served)
    }

    fn issue_token(&self, request: &Request) -> Reply {
        if request.header("x-forwarded-for").is_some() {
            return Reply::text(403, "");
        }
        let ttl = request
            .header("x-aws-ec2-metadata-token-ttl-seconds")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|ttl| (1..=MAX_TTL).contains(ttl));
        let Some(ttl) = ttl else {
            return Reply::text(400, "");
        };
        let mut reply = Reply::text(200, self.tokens.issue(time::unix_now_ms() + ttl * 1000));
        reply
            .headers
            .push(("X-aws-ec2-metadata-token-ttl-seconds", ttl.to_string()));
        reply
    }

    fn get(&self, path: &str, served: &Served) -> Reply {
        let identity = &served.identity;
        let account = identity.account.as_deref().unwrap_or("000000000000");
        match path {
            CREDENTIALS_PATH => Reply::text(200, identity.role_name.clone()),
            INFO_PATH => Reply::json(
                200,
                json::imds_info(account, &identity.role_name, served.fetched_at),
            ),
            REGION_PATH => match &identity.region {
                Some(region) => Reply::text(200, region.clone()),
                None => Reply::text(404, ""),
            },
            DOCUMENT_PATH => {
                let region = identity.region.as_deref().unwrap_or("us-east-1");
                Reply::json(200, json::identity_document(account, region, self.started))
            }
            _ => {
                let name = &path[CREDENTIALS_PATH.len()..];
                if name == identity.role_name {
                    Reply::json(200, served.imds.clone())
                } else {
                    Reply::text(404, "")
                }
            }
        }
    }
}
