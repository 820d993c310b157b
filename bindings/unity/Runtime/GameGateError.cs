// Errors as values and as exceptions: code, HTTP status, the service's own code and a message
// that never contains a secret.
using System;
using GameGate.Native;

namespace GameGate
{
    /// <summary>The library's result codes (values of the C header's GG_* macros).</summary>
    public enum ResultCode
    {
        /// <summary>Success.</summary>
        Ok = 0,
        /// <summary>A required argument was null.</summary>
        NullParam = 1,
        /// <summary>An argument was out of range, not valid UTF-8, or otherwise unusable.</summary>
        InvalidArgument = 2,
        /// <summary>The connection failed: refused, reset, DNS, truncated response, or offline.</summary>
        Network = 3,
        /// <summary>The request did not complete within TimeoutMs.</summary>
        Timeout = 4,
        /// <summary>The TLS handshake failed: untrusted certificate, wrong host name, protocol error.</summary>
        Tls = 5,
        /// <summary>The server answered with a non-2xx status and no service error envelope.</summary>
        HttpStatus = 6,
        /// <summary>The service answered with its error envelope; see ApiCode and Message.</summary>
        ApiError = 7,
        /// <summary>The response could not be understood (not JSON, wrong types, too large).</summary>
        BadResponse = 8,
        /// <summary>The request was cancelled.</summary>
        Cancelled = 9,
        /// <summary>The client was disposed before the request completed.</summary>
        Shutdown = 10,
        /// <summary>The call needs a signed-in Elixir session and there is none.</summary>
        NotSignedIn = 11,
        /// <summary>A buffer was too small (handled inside the binding).</summary>
        BufferTooSmall = 12,
        /// <summary>The call was made from a place where it cannot run (a Tick inside a Tick).</summary>
        Reentrant = 13,
        /// <summary>A bug inside GameGate (a caught panic). Please report it.</summary>
        Internal = 14,
        /// <summary>This platform cannot do it (e.g. it has no OS credential store).</summary>
        Unsupported = 15,
    }

    /// <summary>Why a call failed.</summary>
    public sealed class GameGateError
    {
        /// <summary>What went wrong, as a code.</summary>
        public ResultCode Code { get; private set; }
        /// <summary>0 when no HTTP response arrived.</summary>
        public int HttpStatus { get; private set; }
        /// <summary>The service's own code as text ("1001", "INVALID_REFRESH_TOKEN"), or "".</summary>
        public string ApiCode { get; private set; }
        /// <summary>Human-readable, never null, never contains a secret.</summary>
        public string Message { get; private set; }
        /// <summary>The server's Retry-After on a 429 or 503, in milliseconds ("try again in N s"); 0 when none.</summary>
        public long RetryAfterMs { get; private set; }

        /// <summary>An error as the library reports it (for tests and for wrapping your own failures).</summary>
        public GameGateError(ResultCode code, int httpStatus, string apiCode, string message, long retryAfterMs = 0)
        {
            RetryAfterMs = retryAfterMs;
            Code = code;
            HttpStatus = httpStatus;
            ApiCode = apiCode ?? string.Empty;
            Message = message ?? string.Empty;
        }

        /// <summary>The C name of the code, e.g. "GG_TIMEOUT".</summary>
        public string CodeName { get { return Utf8.Decode(NativeMethods.gg_result_name((int)Code)); } }

        /// <summary>"GG_TIMEOUT (HTTP 503) [code]: message".</summary>
        public override string ToString()
        {
            var text = CodeName;
            if (HttpStatus != 0) text += " (HTTP " + HttpStatus + ")";
            if (ApiCode.Length != 0) text += " [" + ApiCode + "]";
            return text + ": " + Message;
        }

        internal static GameGateError FromNative(IntPtr error)
        {
            var e = (gg_error)System.Runtime.InteropServices.Marshal.PtrToStructure(error, typeof(gg_error));
            // A field is read only when the library that filled the struct has it.
            long retryAfter = e.struct_size >= (uint)System.Runtime.InteropServices.Marshal.OffsetOf(typeof(gg_error), "retry_after_ms").ToInt32() + 8 ? e.retry_after_ms : 0;
            return new GameGateError((ResultCode)e.code, e.http_status, Utf8.Decode(e.api_code), Utf8.Decode(e.message), retryAfter);
        }

        // A synchronous refusal: the reason the library recorded for this thread.
        internal static GameGateError Refused(int code)
        {
            string message;
            Utf8.CopyOut(NativeMethods.gg_last_error_message, out message);
            var error = new GameGateError((ResultCode)code, 0, string.Empty, message);
            if (error.Message.Length == 0) error.Message = error.CodeName;
            return error;
        }
    }

    /// <summary>A failed call, for Task-based code (await rethrows it).</summary>
    public sealed class GameGateException : Exception
    {
        /// <summary>The error, with every detail.</summary>
        public GameGateError Error { get; private set; }
        /// <summary>Error.Code.</summary>
        public ResultCode Code { get { return Error.Code; } }
        /// <summary>Error.HttpStatus.</summary>
        public int HttpStatus { get { return Error.HttpStatus; } }
        /// <summary>Error.ApiCode.</summary>
        public string ApiCode { get { return Error.ApiCode; } }

        /// <summary>Wraps an error; the message is error.ToString().</summary>
        public GameGateException(GameGateError error) : base(error.ToString())
        {
            Error = error;
        }

        internal static void ThrowIfFailed(int code)
        {
            if (code != ResultCodes.Ok) throw new GameGateException(GameGateError.Refused(code));
        }
    }

    /// <summary>What a callback receives: a value, or an error.</summary>
    public struct Result<T>
    {
        /// <summary>The value on success; default(T) on failure.</summary>
        public readonly T Value;
        /// <summary>null on success.</summary>
        public readonly GameGateError Error;

        /// <summary>True on success.</summary>
        public bool Ok { get { return Error == null; } }

        internal Result(T value, GameGateError error)
        {
            Value = value;
            Error = error;
        }
    }

    /// <summary>The value of calls that produce no data.</summary>
    public struct Done
    {
    }
}
