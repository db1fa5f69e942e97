//! The credentials served to long-running programs: the `--ec2` and `--ecs` endpoints (and `-j`)
//! with the real clients (`endpoints`), the same endpoints under a hostile local client (`abuse`),
//! their refusals read by a client still sending (`linger`), and the `--ec2` console (`console`).

mod abuse;
mod console;
pub(crate) mod endpoints;
mod linger;
