#![no_main]
// See src/fuzzing.rs for what must hold for every input.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gamegate::fuzzing::http_response(data));
