//! Fuzz target: `aws login` cache files, AWS Sign-In's token answers and DPoP keys, held to their
//! bounds (src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aws_runas::fuzz::login(data));
