// Errors as values and as exceptions: code, HTTP status, the service's own code and a message
// that never contains a secret.
using System;
using GameGate.Native;

namespace GameGate
{
    /// <summary>The library's result codes (values of the C header's GG_* macros).</summary>
    public enum ResultCode
    {
        Ok = 0,
        NullParam = 1,
        InvalidArgument = 2,
        Network = 3,
        Timeout = 4,
        Tls = 5,
        HttpStatus = 6,
        ApiError = 7,
        BadResponse = 8,
        Cancelled = 9,
        Shutdown = 10,
        NotSignedIn = 11,
        BufferTooSmall = 12,
        Reentrant = 13,
        Internal = 14,
        /// <summary>This platform cannot do it (e.g. it has no OS credential store).</summary>
        Unsupported = 15,
    }

    /// <summary>Why a call failed.</summary>
    public sealed class GameGateError
    {
        public ResultCode Code { get; private set; }
        /// <summary>0 when no HTTP response arrived.</summary>
        public int HttpStatus { get; private set; }
        /// <summary>The service's own code as text ("1001", "INVALID_REFRESH_TOKEN"), or "".</summary>
        public string ApiCode { get; private set; }
        public string Message { get; private set; }
        /// <summary>The server's Retry-After on a 429 or 503, in milliseconds ("try again in N s"); 0 when none.</summary>
        public long RetryAfterMs { get; private set; }

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
        public GameGateError Error { get; private set; }
        public ResultCode Code { get { return Error.Code; } }
        public int HttpStatus { get { return Error.HttpStatus; } }
        public string ApiCode { get { return Error.ApiCode; } }

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
        public readonly T Value;
        /// <summary>null on success.</summary>
        public readonly GameGateError Error;

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
