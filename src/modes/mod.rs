//! What a run does once the arguments are parsed: one module per mode.

pub mod credentials;
