//! The C boundary, one file per C object. Converts C <-> Rust and nothing else: no HTTP, no
//! JSON parsing, no threads here. Every exported function body sits inside `ffi_boundary!`.

#[macro_use]
mod macros;
mod callback_slot;
mod client;
pub mod elixir;
pub mod kgen;
pub mod library;
pub mod metrics;
pub mod options;
pub mod result;
pub mod server;
pub mod store;
mod strings;
