//! Reads the XML of Query API answers with quick-xml into a flat list of `(path, text)` pairs,
//! so callers ask for `AssumeRoleResult/Credentials/AccessKeyId` without walking a tree.
//! Namespaces are ignored (local names only); entity and character references are resolved.

use quick_xml::events::Event;
use quick_xml::Reader;

/// A parsed document: every element's slash-joined path and its own text, in document order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Doc {
    nodes: Vec<(String, String)>,
}

impl Doc {
    /// The text of the first element whose path ends with `suffix` (`A/B` matches `X/A/B`).
    pub fn first(&self, suffix: &str) -> Option<&str> {
        self.nodes
            .iter()
            .find(|(path, _)| path_matches(path, suffix))
            .map(|(_, text)| text.as_str())
    }
}

/// Whether `path` is `suffix` or ends with `/suffix`.
fn path_matches(path: &str, suffix: &str) -> bool {
    path == suffix
        || (path.ends_with(suffix) && path.as_bytes()[path.len() - suffix.len() - 1] == b'/')
}

/// Parses `xml`; the error is a short description for messages.
pub fn parse(xml: &str) -> Result<Doc, String> {
    let mut reader = Reader::from_str(xml);
    let mut doc = Doc::default();
    // Open elements: (path, text so far).
    let mut stack: Vec<(String, String)> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                let path = match stack.last() {
                    Some((parent, _)) => format!("{parent}/{name}"),
                    None => name,
                };
                stack.push((path, String::new()));
            }
            Ok(Event::Empty(e)) => {
                let name = e.local_name().as_ref().to_string();
                let path = match stack.last() {
                    Some((parent, _)) => format!("{parent}/{name}"),
                    None => name,
                };
                doc.nodes.push((path, String::new()));
            }
            Ok(Event::Text(t)) => {
                if let Some((_, text)) = stack.last_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::CData(c)) => {
                if let Some((_, text)) = stack.last_mut() {
                    text.push_str(&c.into_inner());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match r.xml10_content().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("unknown entity '&{other};'")),
                    },
                    Err(e) => return Err(e.to_string()),
                };
                if let Some((_, text)) = stack.last_mut() {
                    text.push(resolved);
                }
            }
            Ok(Event::End(_)) => {
                if let Some((path, text)) = stack.pop() {
                    doc.nodes.push((path, text.trim().to_string()));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "malformed XML at byte {}: {e}",
                    reader.error_position()
                ))
            }
        }
    }
    if !stack.is_empty() {
        return Err("truncated XML".into());
    }
    if doc.nodes.is_empty() {
        return Err("no XML element".into());
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_assume_role_answer() {
        let doc = parse(include_str!("../../fixtures/assume_role.xml")).unwrap();
        assert_eq!(
            doc.first("AssumeRoleResult/Credentials/AccessKeyId"),
            Some("ASIAEXAMPLEROLE00001")
        );
        assert_eq!(
            doc.first("Credentials/SessionToken"),
            Some("FQoGZXIvYXdzEXAMPLE&token")
        );
        assert_eq!(
            doc.first("AssumedRoleUser/Arn"),
            Some("arn:aws:sts::123456789012:assumed-role/admin/alice")
        );
        assert_eq!(
            doc.first("RequestId"),
            Some("c6104cbe-af31-11e0-8154-cbc7ccf896c7")
        );
        assert_eq!(doc.first("Credentials"), Some(""));
        assert_eq!(doc.first("essionToken"), None);
    }

    #[test]
    fn both_error_shapes() {
        for f in [
            include_str!("../../fixtures/error_response.xml"),
            include_str!("../../fixtures/error_errors.xml"),
        ] {
            let doc = parse(f).unwrap();
            assert!(doc.first("Code").is_some() && doc.first("Message").is_some());
        }
    }

    #[test]
    fn lists_and_garbage() {
        let doc = parse("<a><m><v>1</v></m><m><v>2</v></m></a>").unwrap();
        assert_eq!(doc.first("m/v"), Some("1"));
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse("").is_err());
        assert!(parse("not xml at all").is_err());
    }
}
