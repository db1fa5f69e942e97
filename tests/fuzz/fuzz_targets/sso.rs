//! Fuzz target: IAM Identity Center token files, error answers, redirect values, and every
//! answer of its OIDC service and portal (registrations, device authorizations, tokens, role
//! credentials, pages of a list) and verification pages, held to their bounds (src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aws_runas::fuzz::sso(data));
