//! Reads the XML of Query API answers with quick-xml into a flat list of `(path, text)` pairs,
//! so callers ask for `AssumeRoleResult/Credentials/AccessKeyId` without walking a tree.
//! Namespaces are ignored (local names only); entity and character references are resolved.
//!
//! Answers come from the network, so the work is bounded: at most [`MAX_INPUT`] bytes, elements
//! nested at most [`MAX_DEPTH`] deep, and at most [`MAX_KEPT`] bytes of paths and text kept
//! (each element's path repeats its ancestors' names, so memory could otherwise grow with the
//! square of the input).

use quick_xml::events::Event;
use quick_xml::Reader;

/// The largest answer read (STS and IAM answers are a few KiB; a policy list, tens).
pub const MAX_INPUT: usize = 1024 * 1024;
/// The deepest nesting accepted (AWS answers nest about 5 deep).
pub const MAX_DEPTH: usize = 32;
/// The most bytes of paths and text kept for one document.
const MAX_KEPT: usize = 8 * 1024 * 1024;

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
    if xml.len() > MAX_INPUT {
        return Err(format!("answer larger than {MAX_INPUT} bytes"));
    }
    let mut reader = Reader::from_str(xml);
    let mut doc = Doc::default();
    // Open elements: (path, text so far).
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut kept = 0usize;
    let mut keep = |path: &str, text: &str| -> Result<(), String> {
        kept += path.len() + text.len();
        if kept > MAX_KEPT {
            return Err("answer too large to read".into());
        }
        Ok(())
    };
    let child = |stack: &[(String, String)], name: &str| -> Result<String, String> {
        if stack.len() >= MAX_DEPTH {
            return Err(format!("elements nested more than {MAX_DEPTH} deep"));
        }
        Ok(match stack.last() {
            Some((parent, _)) => format!("{parent}/{name}"),
            None => name.to_string(),
        })
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let path = child(&stack, e.local_name().as_ref())?;
                keep(&path, "")?;
                stack.push((path, String::new()));
            }
            Ok(Event::Empty(e)) => {
                let path = child(&stack, e.local_name().as_ref())?;
                keep(&path, "")?;
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
                    keep("", &text)?;
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

    #[test]
    fn hostile_answers_are_bounded() {
        let deep = format!("{}x{}", "<a>".repeat(40_000), "</a>".repeat(40_000));
        assert!(parse(&deep).unwrap_err().contains("nested more than"));
        let wide = format!(
            "{}{}{}",
            "<a>".repeat(MAX_DEPTH - 1),
            "<b/>".repeat(50_000),
            "</a>".repeat(MAX_DEPTH - 1)
        );
        assert!(parse(&wide).is_ok());
        let long = "n".repeat(15_000);
        let quadratic = format!(
            "{}{}{}",
            format!("<{long}>").repeat(30),
            "<c/>".repeat(20_000),
            format!("</{long}>").repeat(30)
        );
        assert!(parse(&quadratic).unwrap_err().contains("too large"));
        assert!(parse(&" ".repeat(MAX_INPUT + 1))
            .unwrap_err()
            .contains("larger than"));
    }
}
