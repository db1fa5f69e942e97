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

    /// The texts of every element whose path ends with `suffix`, in document order.
    pub fn all(&self, suffix: &str) -> Vec<&str> {
        self.nodes
            .iter()
            .filter(|(path, _)| path_matches(path, suffix))
            .map(|(_, text)| text.as_str())
            .collect()
    }
}

/// Whether `path` is `suffix` or ends with `/suffix`.
fn path_matches(path: &str, suffix: &str) -> bool {
    path == suffix
        || (path.ends_with(suffix) && path.as_bytes()[path.len() - suffix.len() - 1] == b'/')
}

/// The document as it is read: open elements on a stack, finished ones in the document, and the
/// bytes kept so far.
#[derive(Default)]
struct Builder {
    doc: Doc,
    /// Open elements: (path, text so far).
    stack: Vec<(String, String)>,
    kept: usize,
}

impl Builder {
    /// Counts `bytes` against [`MAX_KEPT`].
    fn keep(&mut self, bytes: usize) -> Result<(), String> {
        self.kept += bytes;
        if self.kept > MAX_KEPT {
            return Err("answer too large to read".into());
        }
        Ok(())
    }

    /// The path of a new child element `name` of the innermost open element.
    fn child(&mut self, name: &str) -> Result<String, String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("elements nested more than {MAX_DEPTH} deep"));
        }
        let path = match self.stack.last() {
            Some((parent, _)) => format!("{parent}/{name}"),
            None => name.to_string(),
        };
        self.keep(path.len())?;
        Ok(path)
    }

    fn open(&mut self, name: &str) -> Result<(), String> {
        let path = self.child(name)?;
        self.stack.push((path, String::new()));
        Ok(())
    }

    fn empty(&mut self, name: &str) -> Result<(), String> {
        let path = self.child(name)?;
        self.doc.nodes.push((path, String::new()));
        Ok(())
    }

    fn text(&mut self, text: &str) {
        if let Some((_, own)) = self.stack.last_mut() {
            own.push_str(text);
        }
    }

    fn close(&mut self) -> Result<(), String> {
        if let Some((path, text)) = self.stack.pop() {
            self.keep(text.len())?;
            self.doc.nodes.push((path, text.trim().to_string()));
        }
        Ok(())
    }
}

/// The character an entity or character reference stands for.
fn resolve(r: &quick_xml::events::BytesRef<'_>) -> Result<char, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c),
        Ok(None) => match r.xml10_content().as_ref() {
            "amp" => Ok('&'),
            "lt" => Ok('<'),
            "gt" => Ok('>'),
            "quot" => Ok('"'),
            "apos" => Ok('\''),
            other => Err(format!("unknown entity '&{other};'")),
        },
        Err(e) => Err(e.to_string()),
    }
}

/// Parses `xml`; the error is a short description for messages.
pub fn parse(xml: &str) -> Result<Doc, String> {
    if xml.len() > MAX_INPUT {
        return Err(format!("answer larger than {MAX_INPUT} bytes"));
    }
    let mut reader = Reader::from_str(xml);
    let mut b = Builder::default();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => b.open(e.local_name().as_ref())?,
            Ok(Event::Empty(e)) => b.empty(e.local_name().as_ref())?,
            Ok(Event::Text(t)) => b.text(&t.xml10_content()),
            Ok(Event::CData(c)) => b.text(&c.into_inner()),
            Ok(Event::GeneralRef(r)) => b.text(resolve(&r)?.encode_utf8(&mut [0; 4])),
            Ok(Event::End(_)) => b.close()?,
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
    if !b.stack.is_empty() {
        return Err("truncated XML".into());
    }
    if b.doc.nodes.is_empty() {
        return Err("no XML element".into());
    }
    Ok(b.doc)
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
