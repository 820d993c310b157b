// Every live client, so a dispatcher can tick them all and free them all (on quit, before a
// domain reload). Holding them here also means a client is never freed by the finalizer on
// some other thread: it lives until Dispose or DisposeAll.
using System;
using System.Collections.Generic;

namespace GameGate
{
    public static class GameGateClients
    {
        private static readonly object Lock = new object();
        private static readonly List<GameGateClient> Live = new List<GameGateClient>();

        /// <summary>Exceptions thrown by your callbacks and event handlers land here (they never
        /// reach native code). Without a handler they are written to the console / Unity log.</summary>
        public static event Action<Exception> CallbackException;

        public static int Count
        {
            get { lock (Lock) return Live.Count; }
        }

        /// <summary>Ticks every live client; returns how many callbacks ran.</summary>
        public static int TickAll()
        {
            int ran = 0;
            foreach (var client in Snapshot()) ran += client.Tick();
            return ran;
        }

        /// <summary>Disposes every live client (pending requests complete with Shutdown).</summary>
        public static void DisposeAll()
        {
            foreach (var client in Snapshot()) client.Dispose();
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
