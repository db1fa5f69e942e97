//! Configuration: the AWS config and credentials files (`ini`), the profile resolved from them in
//! named layers (`profile`), and the STS endpoint it leads to (`endpoint`).

pub mod endpoint;
pub mod ini;
pub mod profile;
