//! Talking to AWS with plain values (an endpoint, signing credentials): the run's HTTP agent
//! (`http`), signed Query API calls (`query`), the XML of their answers (`xml`), AWS's endpoints
//! (`endpoint`), the DPoP proof of an `aws login` refresh (`dpop`) and AWS Sign-In's token call that carries it (`signin`), and what is built on them: the
//! STS operations (`sts`), the IAM calls of the discovery modes (`iam`) and the policies they read
//! (`policy`), the console sign-in (`federation`), the instance-metadata and container endpoints as
//! a client (`metadata`), and IAM Identity Center's OIDC service (`oidc`) and portal (`sso`). Knows
//! no profile and no provider.

pub mod dpop;
pub mod endpoint;
pub mod federation;
pub mod http;
pub mod iam;
pub mod metadata;
pub mod oidc;
pub mod policy;
pub mod query;
pub mod signin;
pub mod sso;
pub mod sts;
mod tls;
pub mod xml;
