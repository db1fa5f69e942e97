//! Talking to AWS with plain values (an endpoint, signing credentials): the run's HTTP agent
//! (`http`), signed Query API calls (`query`), the XML of their answers (`xml`), AWS's endpoints
//! (`endpoint`) and the STS operations built on them (`sts`). Knows no profile and no provider.

pub mod endpoint;
pub mod federation;
pub mod http;
pub mod iam;
pub mod metadata;
pub mod policy;
pub mod query;
pub mod sts;
pub mod xml;
