//! What a run does once the arguments are parsed: one module per mode. A mode that produces
//! credentials starts from `session::Session`; `main` dispatches on `cli::mode::Mode`.

pub mod credentials;
pub mod mfa_devices;
