//! Fuzz target: TZif files and POSIX TZ rules (src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aws_runas::fuzz::time_zone(data));
