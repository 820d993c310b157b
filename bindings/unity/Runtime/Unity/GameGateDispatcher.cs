// Unity only: ticks every GameGate client once per frame on the main thread, sends the library's
// log lines to the Console, frees every client on quit and before a domain reload, and the
// clients of a play session when it ends, so entering play mode twice in the Editor (with or
// without domain reload) starts clean while an editor tool's clients live on.
#if UNITY_5_3_OR_NEWER
using UnityEngine;

namespace GameGate.Unity
{
    /// <summary>Installed before the first scene loads; nothing to add to a scene.</summary>
    [AddComponentMenu("")]
    public sealed class GameGateDispatcher : MonoBehaviour
    {
        private static GameGateDispatcher instance;

        [RuntimeInitializeOnLoadMethod(RuntimeInitializeLoadType.BeforeSceneLoad)]
        private static void Install()
        {
            // A HideAndDontSave object outlives play mode in the Editor: a dispatcher left from
            // an earlier play session would tick every client a second time each frame.
            foreach (var stray in Resources.FindObjectsOfTypeAll<GameGateDispatcher>())
            {
                if (stray != instance) DestroyImmediate(stray.gameObject);
            }
            GameGateClients.InPlayMode = true;
            GameGateLog.UseDefaultSink(ToConsole);
            if (instance != null) return;
            var host = new GameObject("GameGate Dispatcher");
            host.hideFlags = HideFlags.HideAndDontSave;
            DontDestroyOnLoad(host);
            instance = host.AddComponent<GameGateDispatcher>();
        }

        // Reported when it changes; a change between Wi-Fi and cellular counts (pooled
        // connections belong to the old network).
        private NetworkReachability reportedReachability;
        private bool reachabilityReported;

        private void Update()
        {
            ReportReachability();
            GameGateClients.TickAll();
        }

        // A suspend and resume, not a focus change: alt-tab on a desktop is no suspend.
        private void OnApplicationPause(bool paused)
        {
            GameGateAppStatus.SetForeground(!paused);
        }

        private void ReportReachability()
        {
            var now = Application.internetReachability;
            if (reachabilityReported && now == reportedReachability) return;
            reportedReachability = now;
            reachabilityReported = true;
            GameGateAppStatus.SetOnline(now != NetworkReachability.NotReachable);
        }

        private void OnApplicationQuit()
        {
            ReleaseEverything();
        }

        private void OnDestroy()
        {
            if (instance == this) instance = null;
        }

        // Called from whichever thread logged: Unity's Debug methods are thread-safe.
        private static void ToConsole(LogLevel level, string line)
        {
            if (level == LogLevel.Error) Debug.LogError("GameGate: " + line);
            else if (level == LogLevel.Warn) Debug.LogWarning("GameGate: " + line);
            else Debug.Log("GameGate: " + line);
        }

        // Native code outlives the managed domain in the Editor: no client, listener or log
        // callback may point into a domain that is about to go away.
        private static void ReleaseEverything()
        {
            GameGateClients.InPlayMode = false;
            GameGateClients.DisposeAll();
            GameGateLog.Detach();
        }

#if UNITY_2019_3_OR_NEWER
        // With "Enter Play Mode Options" (no domain reload) statics survive between runs.
        [RuntimeInitializeOnLoadMethod(RuntimeInitializeLoadType.SubsystemRegistration)]
        private static void ResetStatics()
        {
            GameGateClients.DisposePlayModeClients();
            GameGateClients.ResetCallbackExceptionHandlers();
            instance = null;
        }
#endif

#if UNITY_EDITOR
        [UnityEditor.InitializeOnLoadMethod]
        private static void HookEditorLifecycle()
        {
            UnityEditor.AssemblyReloadEvents.beforeAssemblyReload += ReleaseEverything;
            UnityEditor.EditorApplication.playModeStateChanged += state =>
            {
                if (state != UnityEditor.PlayModeStateChange.ExitingPlayMode) return;
                GameGateClients.InPlayMode = false;
                GameGateClients.DisposePlayModeClients();
                if (instance != null) DestroyImmediate(instance.gameObject);
                instance = null;
            };
        }
#endif
    }
}
#endif
