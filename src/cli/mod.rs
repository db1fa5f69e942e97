//! The command line: argv to a plain [`args::Args`] (no environment, no files), through the one
//! flag table (`flags`); the [`mode::Mode`] the arguments ask for; and the texts (usage, man
//! page, completion scripts, version) that must work even when the configuration is broken.

pub mod args;
pub mod completion;
pub mod flags;
pub mod mode;
pub mod usage;
