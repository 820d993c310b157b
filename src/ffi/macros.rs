//! The panic boundary and argument checks shared by every exported function.

use crate::error::{Error, GG_INTERNAL, GG_OK};
use std::cell::RefCell;

/// What an exported function returns when GameGate panicked inside it.
pub(crate) trait PanicDefault {
    fn panic_default() -> Self;
}

impl PanicDefault for i32 {
    fn panic_default() -> Self {
        GG_INTERNAL
    }
}

impl PanicDefault for u32 {
    fn panic_default() -> Self {
        0
    }
}

impl PanicDefault for () {
    fn panic_default() -> Self {}
}

impl<T> PanicDefault for *mut T {
    fn panic_default() -> Self {
        std::ptr::null_mut()
    }
}

impl<T> PanicDefault for *const T {
    fn panic_default() -> Self {
        std::ptr::null()
    }
}

/// Runs the body, turning a panic into the function's `PanicDefault` (`GG_INTERNAL` for a
/// result code). Nothing unwinds into C.
macro_rules! ffi_boundary {
    ($($body:tt)*) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })) {
            Ok(value) => value,
            Err(_) => {
                $crate::gg_log!($crate::log::GG_LOG_ERROR, "GameGate panicked inside a C call; the call returns its failure value");
                $crate::ffi::macros::remember_failure(&$crate::error::Error::internal("GameGate panicked inside this call; please report it"));
                $crate::ffi::macros::PanicDefault::panic_default()
            }
        }
    }};
}

/// `ffi_boundary!` for functions returning `gg_result`: the body returns `Result<(), Error>`;
/// a failure is logged, kept for `gg_last_error_message`, and returned as its code.
macro_rules! ffi_result {
    ($($body:tt)*) => {
        ffi_boundary! {
            let result: ::std::result::Result<(), $crate::error::Error> = (|| { $($body)* })();
            $crate::ffi::macros::into_code(result)
        }
    };
}

thread_local! {
    static LAST_FAILURE: RefCell<String> = const { RefCell::new(String::new()) };
}

pub(crate) fn remember_failure(error: &Error) {
    LAST_FAILURE.with(|last| *last.borrow_mut() = error.to_string());
}

pub(crate) fn last_failure() -> String {
    LAST_FAILURE.with(|last| last.borrow().clone())
}

pub(crate) fn into_code(result: Result<(), Error>) -> i32 {
    match result {
        Ok(()) => GG_OK,
        Err(error) => {
            crate::gg_log!(crate::log::GG_LOG_WARN, "call refused: {}", error);
            remember_failure(&error);
            error.code
        }
    }
}
