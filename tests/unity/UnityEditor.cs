// A stand-in for the parts of UnityEditor that GameGate's Unity runtime uses (editor builds
// only). Declarations only.
using System;

#pragma warning disable 67 // events that nothing raises here

namespace UnityEditor
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class InitializeOnLoadMethodAttribute : Attribute { }

    public enum PlayModeStateChange { EnteredEditMode, ExitingEditMode, EnteredPlayMode, ExitingPlayMode }

    public static class AssemblyReloadEvents
    {
        public delegate void AssemblyReloadCallback();
        public static event AssemblyReloadCallback beforeAssemblyReload;
    }

    public static class EditorApplication
    {
        public delegate void CallbackFunction();
        public static event Action<PlayModeStateChange> playModeStateChanged;
        public static CallbackFunction update;
    }
}
