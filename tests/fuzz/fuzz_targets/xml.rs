//! Fuzz target: STS/IAM XML answers and errors (src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aws_runas::fuzz::xml_answer(data));
