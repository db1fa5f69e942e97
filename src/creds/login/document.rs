//! The JSON document of an `aws login` cache file (LOGIN-PROTOCOL.md §2): whether it is a
//! session's (the members a refresh needs, and their types), its members read and set by name,
//! and the document written back as the CLI writes it (its members first, in its order, then
//! whatever else the file held, kept). What the members mean (the expiry, the credentials, a
//! refresh) is `token.rs`'s.
//!
//! A document rather than a struct: serde's `flatten`, which would keep the unknown fields, cost
//! the static binary 6 KB.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// The members a session has, each a string but `accessToken`, in the order the CLI writes them.
const MEMBERS: [&str; 4] = ["accessToken", "clientId", "refreshToken", "dpopKey"];
/// The members of its `accessToken`, in that order: strings, but `accountId` may be absent or
/// null (absent, as the CLI reads it, and not written).
const KEYS: [&str; 5] = [
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
    "accountId",
    "expiresAt",
];

/// A session's document, checked: the [`MEMBERS`] are strings, `accessToken` an object of
/// [`KEYS`]; and whatever else the writer put there (`tokenType`, `idToken`, `signInRegion`,
/// ...). No `Debug`: it holds secrets.
#[derive(Clone)]
pub struct Document(Map<String, Value>);

impl Document {
    /// The document in `data`, if it is a session's; else why not, never quoting a value (values
    /// are secrets).
    pub fn parse(data: &[u8]) -> Result<Document, String> {
        let value: Value = serde_json::from_slice(data).map_err(|_| "not JSON".to_string())?;
        for key in MEMBERS {
            if value.get(key).is_none_or(Value::is_null) {
                return Err(format!("it has no {key}"));
            }
        }
        checked(value).ok_or_else(|| "it is not a session as the AWS CLI writes it".to_string())
    }

    /// A document holding only an empty `accessToken`, for its members to be set.
    pub fn new() -> Document {
        let mut doc = Map::new();
        doc.insert("accessToken".to_string(), Value::Object(Map::new()));
        Document(doc)
    }

    /// A member of the file: a string, else `None`.
    pub fn member(&self, name: &str) -> Option<&str> {
        self.0.get(name)?.as_str()
    }

    /// A member of `accessToken`: a string, else `None`.
    pub fn key(&self, name: &str) -> Option<&str> {
        self.0.get("accessToken")?.get(name)?.as_str()
    }

    /// Sets a member of the file.
    pub fn set_member(&mut self, name: &str, value: String) {
        self.0.insert(name.to_string(), Value::String(value));
    }

    /// Sets a member of `accessToken`.
    pub fn set_key(&mut self, name: &str, value: String) {
        if let Some(Value::Object(access)) = self.0.get_mut("accessToken") {
            access.insert(name.to_string(), Value::String(value));
        }
    }

    /// The document as the CLI writes it: compact JSON, the [`MEMBERS`] first and in that
    /// order, then the rest.
    pub fn to_json(&self) -> std::io::Result<Vec<u8>> {
        serde_json::to_vec(&InOrder(&self.0, &MEMBERS)).map_err(std::io::Error::other)
    }
}

/// The document in `value`, if it is a session's (see [`Document`]).
fn checked(value: Value) -> Option<Document> {
    let Value::Object(doc) = value else {
        return None;
    };
    let strings = |map: &Map<String, Value>, names: &[&str]| {
        names
            .iter()
            .all(|n| map.get(*n).is_some_and(Value::is_string))
    };
    let Some(Value::Object(access)) = doc.get("accessToken") else {
        return None;
    };
    if access
        .get("accountId")
        .is_some_and(|id| !id.is_string() && !id.is_null())
    {
        return None;
    }
    let keys = [
        "accessKeyId",
        "secretAccessKey",
        "sessionToken",
        "expiresAt",
    ];
    (strings(access, &keys) && strings(&doc, &MEMBERS[1..])).then_some(Document(doc))
}

/// A map written with `first`'s members first, in that order, then the rest in the map's; at
/// the top, `accessToken` written so too, with [`KEYS`] first and a null `accountId` left out.
struct InOrder<'a>(&'a Map<String, Value>, &'a [&'a str]);

impl Serialize for InOrder<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let InOrder(map, first) = *self;
        let known = first.iter().filter_map(|k| map.get_key_value(*k));
        let rest = map.iter().filter(|(k, _)| !first.contains(&k.as_str()));
        let mut out = serializer.serialize_map(None)?;
        for (k, v) in known.chain(rest) {
            match v {
                Value::Object(access) if k == "accessToken" && first == MEMBERS => {
                    out.serialize_entry(k, &InOrder(access, &KEYS))?
                }
                // What the CLI reads as absent, and writes so.
                Value::Null if k == "accountId" && first == KEYS => {}
                _ => out.serialize_entry(k, v)?,
            }
        }
        out.end()
    }
}
