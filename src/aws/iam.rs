//! The IAM operations the discovery modes use, as typed calls over the same signed Query client
//! as STS, following `Marker`/`IsTruncated` pagination.

use super::endpoint::Endpoint;
use super::http::Agent;
use super::query::{call, AwsError, Request};
use crate::credentials::Credentials;

const VERSION: &str = "2010-05-08";

/// The most pages one listing follows (AWS pages hold up to 100 items): a bound on a server
/// that never says the list is done.
const MAX_PAGES: usize = 100;

/// ListMFADevices for `user`: the devices' serial numbers, every page.
pub fn list_mfa_devices(
    agent: &Agent,
    endpoint: &Endpoint,
    creds: &Credentials,
    user: &str,
) -> Result<Vec<String>, AwsError> {
    let mut serials = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut params = vec![("UserName", user)];
        if let Some(m) = &marker {
            params.push(("Marker", m.as_str()));
        }
        let request = Request {
            service: "iam",
            version: VERSION,
            action: "ListMFADevices",
            params,
        };
        let (doc, _) = call(agent, endpoint, creds, &request)?;
        serials.extend(
            doc.all("MFADevices/member/SerialNumber")
                .into_iter()
                .map(str::to_string),
        );
        let truncated = doc.first("IsTruncated").is_some_and(|t| t == "true");
        marker = doc.first("Marker").map(str::to_string);
        if !truncated || marker.is_none() {
            break;
        }
    }
    Ok(serials)
}
