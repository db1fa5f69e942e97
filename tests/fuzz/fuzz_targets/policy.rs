//! Fuzz target: IAM policy documents, command lines, IMDSv2 tokens (src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aws_runas::fuzz::policy_document(data));
