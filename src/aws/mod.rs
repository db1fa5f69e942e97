//! Talking to AWS: the run's HTTP agent (`http`), signed Query API calls (`query`), the XML of
//! their answers (`xml`), and the STS operations built on them (`sts`).

pub mod http;
pub mod query;
pub mod sts;
pub mod xml;
