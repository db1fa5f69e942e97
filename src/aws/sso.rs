//! IAM Identity Center's access portal as a client (GetRoleCredentials, ListAccounts and
//! ListAccountRoles paged, Logout), and the JSON call that it and the OIDC service (`oidc.rs`)
//! share: unsigned, the portal's calls carrying the bearer token, which travels as a [`Secret`]
//! and reaches no error. What a service sends is read whatever it holds: numbers of any size or
//! sign ([`whole`]), and pages that would never end ([`every_page`] stops them).

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Number, Value};

use super::http::{Agent, Response};
use super::query::{encode, AwsError};
use crate::credentials::{Credentials, Secret};

/// An account the login reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
}

/// An error answer's code: OIDC's `error` (`authorization_pending`, `slow_down`, ...), else the
/// portal's `__type`, else one named after the status.
pub(crate) fn failure(operation: &'static str, response: &Response) -> AwsError {
    let body: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
    let code = text("error")
        .or_else(|| text("__type").map(|t| t.rsplit('#').next().unwrap_or(&t).to_string()))
        .unwrap_or_else(|| match response.status {
            401 => "UnauthorizedException".to_string(),
            403 => "ForbiddenException".to_string(),
            404 => "ResourceNotFoundException".to_string(),
            429 => "TooManyRequestsException".to_string(),
            status => format!("HTTP {status}"),
        });
    let message = text("error_description")
        .or_else(|| text("message"))
        .or_else(|| text("Message"))
        .filter(|m| *m != code)
        .unwrap_or_default();
    AwsError::Service {
        operation,
        code,
        message,
    }
}

/// Sends one call and reads its JSON answer into `T`.
fn call<T: for<'de> Deserialize<'de>>(
    agent: &Agent,
    operation: &'static str,
    url: &str,
    request: Request<'_>,
) -> Result<T, AwsError> {
    read(operation, &send(agent, operation, url, request)?)
}

/// Sends one call; the body of its answer, when it is a success.
pub(super) fn send(
    agent: &Agent,
    operation: &'static str,
    url: &str,
    request: Request<'_>,
) -> Result<String, AwsError> {
    let result = match request {
        Request::Post(body) => {
            let headers = [("Content-Type".to_string(), "application/json".to_string())];
            agent.post(url, &headers, &body.to_string())
        }
        Request::Portal { token, post } => {
            let headers = [(
                "x-amz-sso_bearer_token".to_string(),
                token.expose().to_string(),
            )];
            if post {
                agent.post(url, &headers, "")
            } else {
                agent.get(url, &headers)
            }
        }
    };
    let response = result.map_err(|error| AwsError::Transport {
        operation,
        url: url.to_string(),
        error,
    })?;
    if !(200..300).contains(&response.status) {
        return Err(failure(operation, &response));
    }
    Ok(response.body)
}

/// An answer's JSON `body` (empty: `{}`) read into `T`.
pub(super) fn read<T: for<'de> Deserialize<'de>>(
    operation: &'static str,
    body: &str,
) -> Result<T, AwsError> {
    let body = if body.trim().is_empty() { "{}" } else { body };
    serde_json::from_str(body).map_err(|e| AwsError::BadResponse {
        operation,
        detail: e.to_string(),
    })
}

/// A number as a service sent it, as the nearest `i64` (a fraction dropped): serde would refuse
/// `-1` or 2^64 in a typed field, and whoever adds it to a clock bounds it first, with no
/// overflow left to panic on.
pub(super) fn whole(n: &Number) -> i64 {
    match (n.as_i64(), n.as_u64()) {
        (Some(n), _) => n,
        (None, Some(_)) => i64::MAX,
        // A float: `as` saturates.
        (None, None) => n.as_f64().unwrap_or_default() as i64,
    }
}

pub(super) enum Request<'a> {
    Post(Value),
    Portal { token: &'a Secret, post: bool },
}

/// GetRoleCredentials: the credentials of `role` in `account`.
pub fn role_credentials(
    agent: &Agent,
    portal: &str,
    token: &Secret,
    account: &str,
    role: &str,
) -> Result<Credentials, AwsError> {
    let url = format!(
        "{portal}federation/credentials?account_id={}&role_name={}",
        encode(account),
        encode(role)
    );
    let request = Request::Portal { token, post: false };
    role_answer(&send(agent, ROLE, &url, request)?)
}

const ROLE: &str = "GetRoleCredentials";

/// GetRoleCredentials' answer.
pub fn role_answer(body: &str) -> Result<Credentials, AwsError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        role_credentials: Role,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Role {
        access_key_id: String,
        secret_access_key: String,
        session_token: String,
        /// Unix milliseconds.
        expiration: Number,
    }
    let r = read::<Answer>(ROLE, body)?.role_credentials;
    if !plain_keys(&r.access_key_id, &r.secret_access_key, &r.session_token) {
        return Err(AwsError::BadResponse {
            operation: ROLE,
            detail: "the answer's credentials are empty, or hold a control character or a space"
                .to_string(),
        });
    }
    Ok(Credentials {
        access_key_id: r.access_key_id,
        secret_access_key: Secret::new(r.secret_access_key),
        session_token: Some(Secret::new(r.session_token)),
        expiration: Some(whole(&r.expiration) / 1000),
    })
}

/// Whether credentials a service sent can go into export lines and environments as they are:
/// none empty, the key id letters and digits, the secret and token printable ASCII without a
/// space (whatever the service sends).
pub(super) fn plain_keys(id: &str, secret: &str, token: &str) -> bool {
    let graphic = |v: &str| !v.is_empty() && v.chars().all(|c| c.is_ascii_graphic());
    !id.is_empty()
        && id.chars().all(|c| c.is_ascii_alphanumeric())
        && graphic(secret)
        && graphic(token)
}

/// The most pages a list is read to: a portal that keeps sending new `nextToken`s would
/// otherwise be followed for ever (`-l` and `-c` would never end).
pub const MAX_PAGES: usize = 1000;

/// Every item of a paged list: `page` asked for the first page (`None`), then for the page of
/// each `nextToken`, until one comes without; the items under `list`, as JSON. A token seen
/// before, on any earlier page (botocore's paginator checks only the last: a cycle of two fools
/// it), or a page past [`MAX_PAGES`], is an error: those pages would never end.
pub fn every_page(
    operation: &'static str,
    list: &str,
    mut page: impl FnMut(Option<&str>) -> Result<String, AwsError>,
) -> Result<Vec<Value>, AwsError> {
    let endless = |why: String| AwsError::BadResponse {
        operation,
        detail: format!("its pages do not end ({why})"),
    };
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut next: Option<String> = None;
    for number in 1..=MAX_PAGES {
        let mut answer: Value = read(operation, &page(next.as_deref())?)?;
        if let Some(Value::Array(list)) = answer.get_mut(list).map(Value::take) {
            items.extend(list);
        }
        let token = match answer.get("nextToken").and_then(Value::as_str) {
            None | Some("") => return Ok(items),
            Some(t) => t.to_string(),
        };
        if !seen.insert(token.clone()) {
            let why = format!("page {number} gives the nextToken of an earlier page");
            return Err(endless(why));
        }
        next = Some(token);
    }
    Err(endless(format!("more still after {MAX_PAGES} pages")))
}

/// [`every_page`] of the portal's list at `url` (with its query).
fn portal_pages(
    agent: &Agent,
    operation: &'static str,
    url: &str,
    list: &str,
    token: &Secret,
) -> Result<Vec<Value>, AwsError> {
    every_page(operation, list, |next| {
        let page_url = match next {
            Some(t) => format!("{url}&next_token={}", encode(t)),
            None => url.to_string(),
        };
        send(
            agent,
            operation,
            &page_url,
            Request::Portal { token, post: false },
        )
    })
}

/// The text of `key` in a list item.
fn text(item: &Value, key: &str) -> String {
    item.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// ListAccounts, every page.
pub fn accounts(agent: &Agent, portal: &str, token: &Secret) -> Result<Vec<Account>, AwsError> {
    let url = format!("{portal}assignment/accounts?max_result=100");
    let items = portal_pages(agent, "ListAccounts", &url, "accountList", token)?;
    Ok(items
        .iter()
        .map(|i| Account {
            id: text(i, "accountId"),
            name: text(i, "accountName"),
        })
        .filter(|a| !a.id.is_empty())
        .collect())
}

/// ListAccountRoles for `account`, every page: the role names.
pub fn account_roles(
    agent: &Agent,
    portal: &str,
    token: &Secret,
    account: &str,
) -> Result<Vec<String>, AwsError> {
    let url = format!(
        "{portal}assignment/roles?account_id={}&max_result=100",
        encode(account)
    );
    let items = portal_pages(agent, "ListAccountRoles", &url, "roleList", token)?;
    Ok(items
        .iter()
        .map(|i| text(i, "roleName"))
        .filter(|r| !r.is_empty())
        .collect())
}

/// Logout: the token stops working.
pub fn logout(agent: &Agent, portal: &str, token: &Secret) -> Result<(), AwsError> {
    let url = format!("{portal}logout");
    let request = Request::Portal { token, post: true };
    call::<Value>(agent, "Logout", &url, request).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn answer(status: u16, body: &str) -> Response {
        Response {
            status,
            body: body.into(),
            date: None,
            location: None,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn oidc_errors_are_their_error_field_and_portal_ones_their_type_or_status() {
        let pending = failure(
            "CreateToken",
            &answer(
                400,
                r#"{"error":"authorization_pending","error_description":"x"}"#,
            ),
        );
        assert_eq!(
            pending.to_string(),
            "CreateToken failed: authorization_pending: x"
        );
        let typed = failure(
            "ListAccounts",
            &answer(
                403,
                r#"{"__type":"com.amazon#ForbiddenException","message":"No"}"#,
            ),
        );
        assert_eq!(
            typed.to_string(),
            "ListAccounts failed: ForbiddenException: No"
        );
        let bare = failure("GetRoleCredentials", &answer(401, "not json"));
        assert_eq!(
            bare.to_string(),
            "GetRoleCredentials failed: UnauthorizedException"
        );
    }

    #[test]
    fn pages_end_at_a_token_seen_on_any_earlier_page_or_after_the_most_pages() {
        let pages = |tokens: Vec<&'static str>| {
            let mut asked = Vec::new();
            let result = every_page("ListAccounts", "accountList", |next| {
                asked.push(next.map(str::to_string));
                let token = tokens.get(asked.len() - 1).copied().unwrap_or("");
                Ok(format!(
                    r#"{{"accountList":[{}],"nextToken":"{token}"}}"#,
                    asked.len()
                ))
            });
            (result.map_err(|e| e.to_string()), asked.len())
        };
        // A well-behaved portal: three pages, the last without a token.
        let (items, asked) = pages(vec!["a", "b"]);
        assert_eq!((items.unwrap().len(), asked), (3, 3));
        // A cycle of two, which a check of the last token alone would follow for ever.
        let (error, asked) = pages(vec!["a", "b", "a", "b"]);
        assert_eq!(asked, 3);
        assert_eq!(
            error.unwrap_err(),
            "ListAccounts failed: unreadable answer: its pages do not end (page 3 gives the nextToken of an earlier page)"
        );
        // A new token on every page: the most pages, then an error.
        let mut asked = 0;
        let error = every_page("ListAccountRoles", "roleList", |_| {
            asked += 1;
            Ok(format!(r#"{{"roleList":[],"nextToken":"t{asked}"}}"#))
        })
        .unwrap_err();
        assert_eq!(asked, MAX_PAGES);
        assert!(
            error.to_string().ends_with("(more still after 1000 pages)"),
            "{error}"
        );
    }

    #[test]
    fn a_role_expiration_of_any_size_is_read_in_seconds() {
        let role = |ms: &str| {
            role_answer(&format!(
                r#"{{"roleCredentials":{{"accessKeyId":"A","secretAccessKey":"s","sessionToken":"t","expiration":{ms}}}}}"#
            ))
            .map(|c| c.expiration)
            .map_err(|e| e.to_string())
        };
        assert_eq!(role("1767323045000"), Ok(Some(1_767_323_045)));
        assert_eq!(role("18446744073709551615"), Ok(Some(i64::MAX / 1000)));
        assert_eq!(role("-1e300"), Ok(Some(i64::MIN / 1000)));
    }

    #[test]
    fn role_credentials_that_could_not_go_into_an_export_line_are_refused_without_them() {
        let role = |id: &str, secret: &str, token: &str| {
            let body = serde_json::json!({"roleCredentials": {"accessKeyId": id,
                "secretAccessKey": secret, "sessionToken": token, "expiration": 1}});
            role_answer(&body.to_string())
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(role("ASIA1", "s/+=", "t/+="), Ok(()));
        for (id, secret, token) in [
            ("AS IA", "s", "t"),
            ("ASIA", "s\u{1b}[31m", "t"),
            ("ASIA", "s", "t\n'$(id)'"),
            ("ASIA", "", "t"),
            ("", "s", "t"),
        ] {
            let e = role(id, secret, token).unwrap_err();
            assert!(!e.contains("$(id)") && !e.contains('\u{1b}'), "{e}");
        }
    }
}
