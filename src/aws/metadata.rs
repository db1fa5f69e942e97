//! Credentials from where AWS hands them to a machine: the EC2 instance-metadata service
//! (IMDSv2, with the v1 fallback botocore has) and the container-credentials endpoint (ECS,
//! EKS Pod Identity). Plain values in (the agent, the endpoint, the token), credentials out; the
//! error is a short description for messages.

use serde::Deserialize;

use super::http::{Agent, HttpError, Response};
use crate::credentials::{Credentials, Secret};
use crate::time::rfc3339;

/// How long an instance-metadata token lives: botocore asks for 6 hours.
const TOKEN_TTL: &str = "21600";

/// The credentials JSON both services answer with (the instance one adds `Code`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    #[serde(default)]
    code: Option<String>,
    access_key_id: String,
    secret_access_key: String,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    expiration: Option<String>,
}

fn read(answer: &str) -> Result<Credentials, String> {
    let a: Answer =
        serde_json::from_str(answer).map_err(|e| format!("an answer without credentials ({e})"))?;
    if let Some(code) = a.code.filter(|c| c != "Success") {
        return Err(format!("the answer's Code is {code}"));
    }
    if a.access_key_id.is_empty() || a.secret_access_key.is_empty() {
        return Err("an answer without AccessKeyId or SecretAccessKey".into());
    }
    let expiration = match a.expiration {
        Some(text) => {
            Some(rfc3339::parse(&text).ok_or_else(|| format!("a bad Expiration '{text}'"))?)
        }
        None => None,
    };
    Ok(Credentials {
        access_key_id: a.access_key_id,
        secret_access_key: Secret::new(a.secret_access_key),
        session_token: a.token.filter(|t| !t.is_empty()).map(Secret::new),
        expiration,
    })
}

/// The body of a 200 answer; anything else is an error naming the status.
fn ok(what: &str, result: Result<Response, HttpError>) -> Result<String, String> {
    let response = result.map_err(|e| format!("{what}: {e}"))?;
    if response.status != 200 {
        return Err(format!("{what}: HTTP {}", response.status));
    }
    Ok(response.body)
}

/// The instance's role credentials from the metadata service at `base` (`http://host/`).
pub fn instance(agent: &Agent, base: &str) -> Result<Credentials, String> {
    let token_url = format!("{base}latest/api/token");
    let ttl = [(
        "X-aws-ec2-metadata-token-ttl-seconds".to_string(),
        TOKEN_TTL.to_string(),
    )];
    // IMDSv2; where the token is refused as unknown (an IMDSv1-only service, or a proxy that
    // does not pass PUT), v1 without a token, as botocore falls back.
    let token = match agent.put(&token_url, &ttl) {
        Ok(r) if r.status == 200 => Some(r.body.trim().to_string()),
        Ok(r) if [403, 404, 405].contains(&r.status) => None,
        Ok(r) => return Err(format!("{token_url}: HTTP {}", r.status)),
        Err(HttpError::Timeout) => None,
        Err(e) => return Err(format!("{token_url}: {e}")),
    };
    let headers: Vec<(String, String)> = token
        .map(|t| vec![("X-aws-ec2-metadata-token".to_string(), t)])
        .unwrap_or_default();
    let list = format!("{base}latest/meta-data/iam/security-credentials/");
    let names = ok(&list, agent.get(&list, &headers))?;
    let role = names
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .ok_or_else(|| format!("{list}: no role on this instance"))?;
    let url = format!("{list}{role}");
    read(&ok(&url, agent.get(&url, &headers))?).map_err(|e| format!("{url}: {e}"))
}

/// The container's credentials from `url`, with the authorization token when there is one.
pub fn container(agent: &Agent, url: &str, token: Option<&str>) -> Result<Credentials, String> {
    let headers: Vec<(String, String)> = token
        .map(|t| vec![("Authorization".to_string(), t.to_string())])
        .unwrap_or_default();
    read(&ok(url, agent.get(url, &headers))?).map_err(|e| format!("{url}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// Answers each request with the reply whose key starts its request line, for `n` requests;
    /// returns the base URL and the requests seen.
    fn serve(
        replies: Vec<(&'static str, &'static str)>,
        n: usize,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for _ in 0..n {
                let (mut c, _) = listener.accept().unwrap();
                let mut buf = [0u8; 4096];
                let len = c.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..len]).into_owned();
                let reply = replies
                    .iter()
                    .find(|(start, _)| request.starts_with(start))
                    .map_or("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", |r| {
                        r.1
                    });
                let _ = c.write_all(reply.as_bytes());
                seen.push(request);
            }
            seen
        });
        (base, server)
    }

    const CREDS: &str = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 113\r\n\r\n{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDS\",\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"2100-01-01T00:00:00Z\"}";

    #[test]
    fn instance_metadata_v2_then_v1() {
        let (base, server) = serve(
            vec![
                (
                    "PUT /latest/api/token",
                    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nTOKEN",
                ),
                (
                    "GET /latest/meta-data/iam/security-credentials/ ",
                    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 6\r\n\r\nmyrole",
                ),
                (
                    "GET /latest/meta-data/iam/security-credentials/myrole",
                    CREDS,
                ),
            ],
            3,
        );
        let c = instance(&Agent::new(), &base).unwrap();
        assert_eq!(c.access_key_id, "ASIAIMDS");
        let seen = server.join().unwrap();
        assert!(
            seen[1].contains("x-aws-ec2-metadata-token: TOKEN"),
            "{seen:?}"
        );
        // A v1-only service: the token PUT is 405, the rest is asked without a token.
        let (base, server) = serve(
            vec![
                ("PUT", "HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
                ("GET /latest/meta-data/iam/security-credentials/ ", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 6\r\n\r\nmyrole"),
                ("GET /latest/meta-data/iam/security-credentials/myrole", CREDS),
            ],
            3,
        );
        assert!(instance(&Agent::new(), &base).is_ok());
        let seen = server.join().unwrap();
        assert!(!seen[1].contains("x-aws-ec2-metadata-token"), "{seen:?}");
    }

    #[test]
    fn container_credentials_with_the_token() {
        let (base, server) = serve(vec![("GET /v2/creds", CREDS)], 1);
        let c = container(
            &Agent::new(),
            &format!("{base}v2/creds"),
            Some("secret-token"),
        )
        .unwrap();
        assert_eq!(c.access_key_id, "ASIAIMDS");
        assert!(server.join().unwrap()[0].contains("authorization: secret-token"));
        let (base, server) = serve(vec![], 1);
        let e = container(&Agent::new(), &format!("{base}nope"), None).unwrap_err();
        assert!(e.ends_with("HTTP 404"), "{e}");
        server.join().unwrap();
    }

    #[test]
    fn answers_are_checked() {
        assert!(
            read("{\"Code\":\"Failure\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}")
                .unwrap_err()
                .contains("Failure")
        );
        assert!(read("not json").is_err());
        assert!(read("{\"AccessKeyId\":\"\",\"SecretAccessKey\":\"s\"}").is_err());
    }
}
