//! Configuration: the AWS config and credentials files (`ini`, `files`), the profile resolved
//! from them (`profile` the types, `chain` the `source_profile` walk, `layers` the settings and
//! their origins, `source` where the root's credentials come from, `resolve` the composition),
//! the endpoint the user configured (`endpoint`), the Identity Center logins of the whole
//! config (`logins`), `aws login` sessions (`login`), and setting a profile's keys in the config
//! file, every other byte kept (`edit`).
//! Takes the flags as a plain [`profile::Overrides`] value; builds no providers.

pub mod chain;
pub mod edit;
pub mod endpoint;
pub mod error;
pub mod files;
pub mod ini;
pub mod layers;
pub mod login;
pub mod logins;
pub mod profile;
pub mod resolve;
pub mod searched;
pub mod source;
pub mod sso;
pub mod timeouts;

#[cfg(test)]
mod cases;
