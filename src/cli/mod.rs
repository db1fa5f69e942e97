//! The command line: argv to a plain [`args::Args`] (no environment, no files), and the texts
//! (usage, version) that must work even when the configuration is broken.

pub mod args;
pub mod usage;
