//! GameGate: one native library for KGeN server-to-server sessions and Elixir player sign-in,
//! exposed as a C ABI (`include/gamegate.h`).
//!
//! A request flows one way: `ffi` (C in) -> service (`kgen`, `elixir`) builds it -> `engine`
//! registers it -> `http` / `net` put it on the wire from the client's I/O thread (KGeN) or
//! from a worker that waits for it (Elixir flows) -> the service parses the response -> the
//! engine's completion queue -> `ffi` calls the C callback.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod error;
pub mod log;
pub mod options;
pub mod secret;
pub mod version;

pub mod app_life;
pub mod engine;
pub mod id_map;
pub mod http;
pub mod net;
pub mod json;
pub mod keep;
pub mod elixir;
pub mod kgen;

pub mod ffi;

#[doc(hidden)]
pub mod fuzzing;
