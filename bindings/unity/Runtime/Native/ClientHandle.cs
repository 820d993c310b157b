// A native client owned by a SafeHandle: freed exactly once, never while a call is using it.
// Dispose from inside one of the client's own callbacks is safe: Tick holds a reference, so
// the native free runs when that Tick returns.
using System;
using System.Runtime.InteropServices;

namespace GameGate.Native
{
    internal sealed class ClientHandle : SafeHandle
    {
        private readonly Action<IntPtr> free;
        // The Elixir session listener's handle: freed after the native client, when no
        // listener call can come any more.
        internal GCHandle Listener;
        // The options' metrics handler, kept as long as the native client may call it.
        internal GCHandle Metrics;

        internal ClientHandle(IntPtr client, Action<IntPtr> free) : base(IntPtr.Zero, true)
        {
            this.free = free;
            SetHandle(client);
        }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        protected override bool ReleaseHandle()
        {
            free(handle);
            if (Listener.IsAllocated) Listener.Free();
            if (Metrics.IsAllocated) Metrics.Free();
            return true;
        }
    }

    /// <summary>Keeps the handle alive for the duration of one native call.</summary>
    internal struct Lease : IDisposable
    {
        private readonly ClientHandle handle;
        private readonly bool added;
        internal readonly IntPtr Raw;

        internal Lease(ClientHandle handle)
        {
            bool ok = false;
            handle.DangerousAddRef(ref ok); // ObjectDisposedException once disposed
            this.handle = handle;
            added = ok;
            Raw = handle.DangerousGetHandle();
        }

        public void Dispose()
        {
            if (added) handle.DangerousRelease();
        }
    }
}
