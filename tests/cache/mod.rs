//! The credential cache: when a run reuses what it holds and when it fetches (`reuse`), when it
//! must say no or say why (`honesty`), and its directory shared with someone who means harm
//! (`security`).

mod honesty;
mod reuse;
mod security;
