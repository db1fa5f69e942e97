//! Fuzz target: the argument parser and the mode (src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aws_runas::fuzz::arguments(data));
