//! Fuzz target: the cache reader (src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aws_runas::fuzz::cache_entry(data));
