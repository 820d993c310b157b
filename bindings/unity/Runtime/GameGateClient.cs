// What both clients share: the native handle, Tick, Cancel, Dispose, and the two shapes of
// every asynchronous call (callback, Task).
using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using GameGate.Native;

namespace GameGate
{
    /// <summary>What every client shares: Tick, Cancel, Prepare and Dispose.
    /// <para>Every call comes in two forms, each with one way to fail. The callback form returns
    /// the request id, or throws (GameGateException; ArgumentNullException for a null callback)
    /// when the call is refused at once, and then the callback never runs; otherwise the callback
    /// runs exactly once with the value or the error. The Async form never throws: every failure,
    /// a refusal included, faults its Task with GameGateException, and cancelling its token
    /// cancels the Task.</para></summary>
    public abstract class GameGateClient : IDisposable
    {
        internal delegate int NativeCall(IntPtr client, IntPtr userData, out ulong requestId);
        internal delegate int NativeNew(IntPtr options, out IntPtr client);

        internal readonly ClientHandle Handle;
        internal readonly bool CreatedInPlayMode = GameGateClients.InPlayMode;
        private readonly Func<IntPtr, uint> tick;
        private readonly Func<IntPtr, ulong, int> cancel;
        private readonly Func<IntPtr, int> prepare;

        internal GameGateClient(ClientHandle handle, Func<IntPtr, uint> tick, Func<IntPtr, ulong, int> cancel, Func<IntPtr, int> prepare)
        {
            Handle = handle;
            this.tick = tick;
            this.cancel = cancel;
            this.prepare = prepare;
            GameGateClients.Register(this);
        }

        /// <summary>Creates the native client from a copy of the options, which is freed at once.</summary>
        internal static ClientHandle CreateHandle(GameGateOptions options, NativeNew create, Action<IntPtr> free)
        {
            GCHandle metrics = options != null && options.RequestMetrics != null ? GCHandle.Alloc(options.RequestMetrics) : default(GCHandle);
            IntPtr nativeOptions = IntPtr.Zero;
            try
            {
                nativeOptions = options != null ? options.ToNative(metrics.IsAllocated ? GCHandle.ToIntPtr(metrics) : IntPtr.Zero) : IntPtr.Zero;
                IntPtr client;
                GameGateException.ThrowIfFailed(create(nativeOptions, out client));
                var handle = new ClientHandle(client, free);
                handle.Metrics = metrics;
                return handle;
            }
            catch
            {
                if (metrics.IsAllocated) metrics.Free();
                throw;
            }
            finally
            {
                NativeMethods.gg_options_free(nativeOptions);
            }
        }

        /// <summary>Resolves, connects and finishes TLS for one connection now, so the next call
        /// (the sign-in screen opening, a code about to be verified) skips those round trips.
        /// Returns at once; nothing calls back.</summary>
        public void Prepare()
        {
            using (var lease = new Lease(Handle)) GameGateException.ThrowIfFailed(prepare(lease.Raw));
        }

        /// <summary>Runs the callbacks that are ready, on this thread (tick dispatch). The Unity
        /// dispatcher calls it every frame. Returns how many ran; 0 once disposed.</summary>
        public int Tick()
        {
            if (Handle.IsClosed) return 0;
            try
            {
                using (var lease = new Lease(Handle)) return (int)tick(lease.Raw);
            }
            catch (ObjectDisposedException)
            {
                return 0;
            }
        }

        /// <summary>Completes the request with ResultCode.Cancelled. False when its result was
        /// already delivered (or the client is disposed).</summary>
        public bool Cancel(ulong requestId)
        {
            try
            {
                using (var lease = new Lease(Handle)) return cancel(lease.Raw, requestId) == ResultCodes.Ok;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        /// <summary>True once Dispose ran (here, or through GameGateClients).</summary>
        public bool IsDisposed { get { return Handle.IsClosed; } }

        /// <summary>Frees the native client: every pending request completes with
        /// ResultCode.Shutdown (in tick mode, on this thread), and no callback comes after.</summary>
        public void Dispose()
        {
            GameGateClients.Unregister(this);
            Handle.Dispose();
        }

        internal ulong Call<T>(Func<IntPtr, T> convert, Action<Result<T>> callback, NativeCall call)
        {
            if (callback == null) throw new ArgumentNullException("callback");
            using (var lease = new Lease(Handle))
            {
                IntPtr raw = lease.Raw;
                return Trampolines.Start(new PendingCall<T>(convert, callback),
                    (IntPtr userData, out ulong requestId) => call(raw, userData, out requestId));
            }
        }

        // `start` builds the native call (encoding its strings) inside the Task's failure path, so
        // a bad string faults the Task as a refusal does, instead of throwing from the call.
        internal Task<T> CallAsync<T>(Func<IntPtr, T> convert, Func<NativeCall> start, CancellationToken cancellation)
        {
            var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            // Cancelled before it started: nothing is sent (no e-mail goes out after the player
            // pressed Cancel).
            if (cancellation.IsCancellationRequested)
            {
                completion.TrySetCanceled();
                return completion.Task;
            }
            ulong requestId;
            try
            {
                NativeCall call = start();
                requestId = Call(convert, result =>
                {
                    if (result.Ok)
                        completion.TrySetResult(result.Value);
                    else if (result.Error.Code == ResultCode.Cancelled && cancellation.IsCancellationRequested)
                        completion.TrySetCanceled();
                    else
                        completion.TrySetException(new GameGateException(result.Error));
                }, call);
            }
            catch (Exception e)
            {
                completion.TrySetException(e);
                return completion.Task;
            }
            if (cancellation.CanBeCanceled)
            {
                var registration = cancellation.Register(() => Cancel(requestId));
                completion.Task.ContinueWith(_ => registration.Dispose(), TaskContinuationOptions.ExecuteSynchronously);
            }
            return completion.Task;
        }

        internal static Task<T> Failed<T>(Exception e)
        {
            var failed = new TaskCompletionSource<T>();
            failed.SetException(e);
            return failed.Task;
        }

        internal static Done NoData(IntPtr value)
        {
            return new Done();
        }

        internal static string Text(IntPtr value)
        {
            return Utf8.Decode(value);
        }
    }
}
