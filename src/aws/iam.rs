//! The IAM operations the discovery modes use, as typed calls over the same signed Query client
//! as STS. List calls follow `Marker`/`IsTruncated` pagination (IAM may cut a page short of
//! `MaxItems` even when more remains, so the flag, not the count, decides).

use super::endpoint::Endpoint;
use super::http::Agent;
use super::query::{call, AwsError, Request};
use super::xml::Doc;
use crate::credentials::Credentials;

const VERSION: &str = "2010-05-08";

/// The most pages one listing follows (AWS pages hold up to 100 items by default): a bound on a
/// server that never says the list is done.
const MAX_PAGES: usize = 100;

/// Why a discovery mode (`-m`, `-l`, `-c`) cannot go on.
#[derive(Debug)]
pub enum DiscoveryError {
    /// It needs an IAM user, and the profile's credentials are another kind's.
    NotAUser { profile: String, arn: String },
    /// `-l`/`-c`: not one of the user's policy lists could be read.
    NoPolicies { user: String, error: AwsError },
    /// `-c`: a flag that only names or multiplies an Identity Center profile's sections.
    SsoOnly { flag: &'static str, profile: String },
}

impl std::fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoveryError::NotAUser { profile, arn } => write!(
                f,
                "the credentials of profile '{profile}' are not an IAM user's ({arn}): use a profile with a user's keys"
            ),
            DiscoveryError::NoPolicies { user, error } => write!(
                f,
                "cannot read any policy of user {user} (it may need iam:List* and iam:Get* on its own user, groups and policies): {error}"
            ),
            DiscoveryError::SsoOnly { flag, profile } => write!(
                f,
                "{flag} is only for -c on an IAM Identity Center profile, and profile '{profile}' is not one: leave {flag} out"
            ),
        }
    }
}

impl std::error::Error for DiscoveryError {}

/// An IAM client: the agent, the endpoint and the signing credentials, borrowed for one mode.
pub struct Iam<'a> {
    pub agent: &'a Agent,
    pub endpoint: &'a Endpoint,
    pub credentials: &'a Credentials,
}

impl Iam<'_> {
    fn call(
        &self,
        action: &'static str,
        params: Vec<(&'static str, &str)>,
    ) -> Result<Doc, AwsError> {
        let request = Request {
            service: "iam",
            version: VERSION,
            action,
            params,
        };
        call(self.agent, self.endpoint, self.credentials, &request).map(|a| a.doc)
    }

    /// Every `member` text of a list call's pages.
    fn list(
        &self,
        action: &'static str,
        params: &[(&'static str, &str)],
        member: &str,
    ) -> Result<Vec<String>, AwsError> {
        let mut items = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut page = params.to_vec();
            if let Some(m) = &marker {
                page.push(("Marker", m.as_str()));
            }
            let doc = self.call(action, page)?;
            items.extend(doc.all(member).into_iter().map(str::to_string));
            if doc.first("IsTruncated") != Some("true") {
                return Ok(items);
            }
            marker = match doc.first("Marker") {
                Some(m) if !m.is_empty() => Some(m.to_string()),
                _ => {
                    return Err(AwsError::BadResponse {
                        operation: action,
                        detail: "a truncated page without a Marker".into(),
                    })
                }
            };
        }
        Err(AwsError::BadResponse {
            operation: action,
            detail: format!("more than {MAX_PAGES} pages"),
        })
    }

    /// ListMFADevices: the serial numbers (ARNs) of `user`'s devices.
    pub fn list_mfa_devices(&self, user: &str) -> Result<Vec<String>, AwsError> {
        self.list(
            "ListMFADevices",
            &[("UserName", user)],
            "MFADevices/member/SerialNumber",
        )
    }

    /// ListGroupsForUser: the names of `user`'s groups.
    pub fn list_groups_for_user(&self, user: &str) -> Result<Vec<String>, AwsError> {
        self.list(
            "ListGroupsForUser",
            &[("UserName", user)],
            "Groups/member/GroupName",
        )
    }

    /// ListUserPolicies: the names of `user`'s inline policies.
    pub fn list_user_policies(&self, user: &str) -> Result<Vec<String>, AwsError> {
        self.list(
            "ListUserPolicies",
            &[("UserName", user)],
            "PolicyNames/member",
        )
    }

    /// GetUserPolicy: an inline policy's document, as IAM sends it (percent-encoded).
    pub fn get_user_policy(&self, user: &str, policy: &str) -> Result<String, AwsError> {
        let doc = self.call(
            "GetUserPolicy",
            vec![("UserName", user), ("PolicyName", policy)],
        )?;
        document(doc, "GetUserPolicy", "PolicyDocument")
    }

    /// ListAttachedUserPolicies: the ARNs of the managed policies attached to `user`.
    pub fn list_attached_user_policies(&self, user: &str) -> Result<Vec<String>, AwsError> {
        self.list(
            "ListAttachedUserPolicies",
            &[("UserName", user)],
            "AttachedPolicies/member/PolicyArn",
        )
    }

    /// ListGroupPolicies: the names of `group`'s inline policies.
    pub fn list_group_policies(&self, group: &str) -> Result<Vec<String>, AwsError> {
        self.list(
            "ListGroupPolicies",
            &[("GroupName", group)],
            "PolicyNames/member",
        )
    }

    /// GetGroupPolicy: an inline group policy's document, as IAM sends it.
    pub fn get_group_policy(&self, group: &str, policy: &str) -> Result<String, AwsError> {
        let doc = self.call(
            "GetGroupPolicy",
            vec![("GroupName", group), ("PolicyName", policy)],
        )?;
        document(doc, "GetGroupPolicy", "PolicyDocument")
    }

    /// ListAttachedGroupPolicies: the ARNs of the managed policies attached to `group`.
    pub fn list_attached_group_policies(&self, group: &str) -> Result<Vec<String>, AwsError> {
        self.list(
            "ListAttachedGroupPolicies",
            &[("GroupName", group)],
            "AttachedPolicies/member/PolicyArn",
        )
    }

    /// GetPolicy, then GetPolicyVersion of its default version: a managed policy's document in
    /// force, as IAM sends it.
    pub fn managed_policy_document(&self, arn: &str) -> Result<String, AwsError> {
        let doc = self.call("GetPolicy", vec![("PolicyArn", arn)])?;
        let version = document(doc, "GetPolicy", "Policy/DefaultVersionId")?;
        let doc = self.call(
            "GetPolicyVersion",
            vec![("PolicyArn", arn), ("VersionId", &version)],
        )?;
        document(doc, "GetPolicyVersion", "PolicyVersion/Document")
    }
}

/// The text at `path` of an answer that must hold it.
fn document(doc: Doc, operation: &'static str, path: &str) -> Result<String, AwsError> {
    doc.first(path)
        .map(str::to_string)
        .ok_or_else(|| AwsError::BadResponse {
            operation,
            detail: format!("no {path} in the answer"),
        })
}
