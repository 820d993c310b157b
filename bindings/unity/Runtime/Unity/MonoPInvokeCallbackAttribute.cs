// IL2CPP recognises this attribute by name. Unity ships it (AOT namespace); outside Unity
// (mono tests, .NET tools) we declare the same one so the runtime code compiles unchanged.
#if !UNITY_5_3_OR_NEWER
using System;

namespace AOT
{
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        public MonoPInvokeCallbackAttribute(Type type)
        {
        }
    }
}
#endif
