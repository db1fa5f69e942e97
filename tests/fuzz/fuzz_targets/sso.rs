//! Fuzz target: IAM Identity Center token files, error answers and redirect values (src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aws_runas::fuzz::sso(data));
