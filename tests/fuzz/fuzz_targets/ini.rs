//! Fuzz target: the INI reader with profile resolution (src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aws_runas::fuzz::ini_and_profiles(data));
