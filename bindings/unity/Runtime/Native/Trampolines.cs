// The only managed methods native code ever calls. Each is static and marked for IL2CPP's
// ahead-of-time compiler; each request's state travels as a GCHandle that the one final
// callback frees. No exception leaves a trampoline: user code runs inside try/catch.
using System;
using System.Runtime.InteropServices;
using AOT;

namespace GameGate.Native
{
    internal delegate int StartCall(IntPtr userData, out ulong requestId);

    internal abstract class PendingCall
    {
        internal abstract void Complete(IntPtr error, IntPtr value);
    }

    internal sealed class PendingCall<T> : PendingCall
    {
        private readonly Func<IntPtr, T> convert;
        private readonly Action<Result<T>> callback;

        internal PendingCall(Func<IntPtr, T> convert, Action<Result<T>> callback)
        {
            this.convert = convert;
            this.callback = callback;
        }

        internal override void Complete(IntPtr error, IntPtr value)
        {
            // Borrowed native data is copied here, before the trampoline returns. Even if that
            // fails, the callback still runs once.
            Result<T> result;
            try
            {
                result = error != IntPtr.Zero
                    ? new Result<T>(default(T), GameGateError.FromNative(error))
                    : new Result<T>(convert(value), null);
            }
            catch (Exception e)
            {
                result = new Result<T>(default(T), new GameGateError(ResultCode.Internal, 0, "", "could not read the result: " + e.Message));
            }
            try
            {
                callback(result);
            }
            catch (Exception e)
            {
                GameGateClients.ReportCallbackException(e);
            }
        }
    }

    internal static class Trampolines
    {
        // Kept in static fields so the delegates native code holds are never collected.
        internal static readonly ResultCallback OnResult = ResultTrampoline;
        internal static readonly DoneCallback OnDone = DoneTrampoline;
        internal static readonly SessionEventCallback OnSessionEvent = SessionTrampoline;
        internal static readonly LogCallback OnLog = LogTrampoline;
        internal static readonly MetricsCallback OnMetrics = MetricsTrampoline;

        /// <summary>Starts one asynchronous call; throws GameGateException when the library refuses it
        /// (then no callback will come, and the request's handle is freed here).</summary>
        internal static ulong Start(PendingCall call, StartCall start)
        {
            GCHandle handle = GCHandle.Alloc(call);
            int code;
            ulong requestId;
            try
            {
                code = start(GCHandle.ToIntPtr(handle), out requestId);
            }
            catch
            {
                handle.Free();
                throw;
            }
            if (code != ResultCodes.Ok)
            {
                var refusal = GameGateError.Refused(code);
                handle.Free();
                throw new GameGateException(refusal);
            }
            return requestId; // the handle now belongs to the trampoline
        }

        [MonoPInvokeCallback(typeof(ResultCallback))]
        private static void ResultTrampoline(IntPtr userData, IntPtr error, IntPtr value)
        {
            try
            {
                Take(userData).Complete(error, value);
            }
            catch (Exception e)
            {
                GameGateClients.ReportCallbackException(e);
            }
        }

        [MonoPInvokeCallback(typeof(DoneCallback))]
        private static void DoneTrampoline(IntPtr userData, IntPtr error)
        {
            try
            {
                Take(userData).Complete(error, IntPtr.Zero);
            }
            catch (Exception e)
            {
                GameGateClients.ReportCallbackException(e);
            }
        }

        [MonoPInvokeCallback(typeof(SessionEventCallback))]
        private static void SessionTrampoline(IntPtr userData, uint sessionEvent, IntPtr session)
        {
            try
            {
                var client = GCHandle.FromIntPtr(userData).Target as ElixirClient;
                if (client != null) client.RaiseSessionChanged((SessionChange)sessionEvent, session);
            }
            catch (Exception e)
            {
                GameGateClients.ReportCallbackException(e);
            }
        }

        [MonoPInvokeCallback(typeof(MetricsCallback))]
        private static void MetricsTrampoline(IntPtr userData, IntPtr metrics)
        {
            try
            {
                var handler = GCHandle.FromIntPtr(userData).Target as Action<RequestMetrics>;
                if (handler != null) handler(RequestMetrics.FromNative(metrics));
            }
            catch (Exception e)
            {
                GameGateClients.ReportCallbackException(e);
            }
        }

        [MonoPInvokeCallback(typeof(LogCallback))]
        private static void LogTrampoline(IntPtr userData, int level, IntPtr message)
        {
            try
            {
                GameGateLog.Deliver(level, Utf8.Decode(message));
            }
            catch (Exception e)
            {
                GameGateClients.ReportCallbackException(e);
            }
        }

        private static PendingCall Take(IntPtr userData)
        {
            GCHandle handle = GCHandle.FromIntPtr(userData);
            var call = (PendingCall)handle.Target;
            handle.Free();
            return call;
        }
    }
}
