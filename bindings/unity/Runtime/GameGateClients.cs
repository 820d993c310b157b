// Every live client, so a dispatcher can tick them all and free them all (on quit, before a
// domain reload). Holding them here also means a client is never freed by the finalizer on
// some other thread: it lives until Dispose or DisposeAll.
using System;
using System.Collections.Generic;

namespace GameGate
{
    /// <summary>Every live client: ticked together by the Unity dispatcher, disposed together
    /// on quit, and those made during play mode disposed when it ends.</summary>
    public static class GameGateClients
    {
        private static readonly object Lock = new object();
        private static readonly List<GameGateClient> Live = new List<GameGateClient>();
        // TickAll runs every frame: it ticks from a list kept per thread instead of allocating
        // a copy of Live each time (a copy, since a callback may dispose or create clients).
        [ThreadStatic] private static List<GameGateClient> tickList;
        [ThreadStatic] private static bool ticking;

        /// <summary>Exceptions thrown by your callbacks and event handlers land here (they never
        /// reach native code). Without a handler they are written to the console / Unity log.</summary>
        public static event Action<Exception> CallbackException;

        // Set by the Unity dispatcher while a play session runs: clients created meanwhile belong
        // to it and are disposed when it ends; an editor tool's clients live on.
        internal static volatile bool InPlayMode;

        /// <summary>How many clients are live (created and not disposed).</summary>
        public static int Count
        {
            get { lock (Lock) return Live.Count; }
        }

        /// <summary>Ticks every live client; returns how many callbacks ran.</summary>
        public static int TickAll()
        {
            int ran = 0;
            if (ticking)
            {
                // TickAll from inside a callback: the per-thread list is in use.
                foreach (var client in Snapshot()) ran += client.Tick();
                return ran;
            }
            var clients = tickList ?? (tickList = new List<GameGateClient>());
            lock (Lock) clients.AddRange(Live);
            ticking = true;
            try
            {
                for (int i = 0; i < clients.Count; i++) ran += clients[i].Tick();
            }
            finally
            {
                ticking = false;
                clients.Clear();
            }
            return ran;
        }

        /// <summary>Forgets the CallbackException handlers: a new play session in the Unity
        /// Editor (with domain reload off) must not call handlers of the previous one.</summary>
        public static void ResetCallbackExceptionHandlers()
        {
            CallbackException = null;
        }

        /// <summary>Disposes every live client (pending requests complete with Shutdown).</summary>
        public static void DisposeAll()
        {
            foreach (var client in Snapshot()) client.Dispose();
        }

        /// <summary>Disposes the clients created during play mode (the Unity dispatcher does it
        /// when play mode ends); clients an editor tool made outside play mode stay live.</summary>
        public static void DisposePlayModeClients()
        {
            foreach (var client in Snapshot())
                if (client.CreatedInPlayMode) client.Dispose();
        }

        internal static void Register(GameGateClient client)
        {
            lock (Lock) Live.Add(client);
        }

        internal static void Unregister(GameGateClient client)
        {
            lock (Lock) Live.Remove(client);
        }

        internal static void ReportCallbackException(Exception e)
        {
            var handler = CallbackException;
            if (handler != null)
            {
                try
                {
                    handler(e);
                    return;
                }
                catch (Exception)
                {
                    // A throwing handler falls back to the log below.
                }
            }
#if UNITY_5_3_OR_NEWER
            UnityEngine.Debug.LogException(e);
#else
            Console.Error.WriteLine("GameGate: a callback threw: " + e);
#endif
        }

        private static GameGateClient[] Snapshot()
        {
            lock (Lock) return Live.ToArray();
        }
    }
}
