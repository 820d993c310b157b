// Reads a compiled GameGate.Runtime.dll by reflection and checks what IL2CPP needs and what
// each platform's build must say: every native import names the expected library ("gamegate",
// or "__Internal" where the library is linked statically), and every delegate handed to
// native code is a static method marked [MonoPInvokeCallback] with its own delegate type.
// Usage: CheckRuntime.exe <GameGate.Runtime.dll> <expected library name>
using System;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

static class CheckRuntime
{
    static int Main(string[] args)
    {
        var assembly = Assembly.LoadFrom(args[0]);
        string expected = args[1];
        int problems = 0, imports = 0, callbacks = 0;
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var nativeDelegateTypes = new System.Collections.Generic.HashSet<Type>();
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(All))
            {
                var import = method.GetCustomAttributes(typeof(DllImportAttribute), false).Cast<DllImportAttribute>().FirstOrDefault();
                if (import == null) continue;
                imports++;
                if (import.Value != expected)
                {
                    Console.Error.WriteLine("{0}.{1} imports from \"{2}\", not \"{3}\"", type.Name, method.Name, import.Value, expected);
                    problems++;
                }
                if (import.CallingConvention != CallingConvention.Cdecl)
                {
                    Console.Error.WriteLine("{0}.{1} is not Cdecl", type.Name, method.Name);
                    problems++;
                }
                foreach (var parameter in method.GetParameters())
                    if (typeof(Delegate).IsAssignableFrom(parameter.ParameterType)) nativeDelegateTypes.Add(parameter.ParameterType);
            }
        }
        foreach (var type in assembly.GetTypes())
        {
            // Fields the compiler made (mcs caches method groups in them) are not the code's own.
            foreach (var field in type.GetFields(All).Where(f => nativeDelegateTypes.Contains(f.FieldType) && !f.Name.StartsWith("<")))
            {
                callbacks++;
                var target = field.IsStatic ? field.GetValue(null) as Delegate : null;
                var marker = target == null ? null : target.Method.GetCustomAttributes(false).FirstOrDefault(a => a.GetType().Name == "MonoPInvokeCallbackAttribute");
                bool ok = target != null && target.Method.IsStatic && target.Target == null && marker != null
                    && target.Method.GetCustomAttributesData().Any(d => d.AttributeType.Name == "MonoPInvokeCallbackAttribute"
                        && d.ConstructorArguments.Count == 1 && (Type)d.ConstructorArguments[0].Value == field.FieldType);
                if (!ok || !field.IsStatic || !field.IsInitOnly)
                {
                    Console.Error.WriteLine("{0}.{1}: a delegate for native code must be a static readonly field holding a static method marked [MonoPInvokeCallback(typeof({2}))]",
                        type.Name, field.Name, field.FieldType.Name);
                    problems++;
                }
            }
        }
        if (imports == 0 || callbacks < nativeDelegateTypes.Count)
        {
            Console.Error.WriteLine("found {0} imports and {1} callback fields for {2} delegate types", imports, callbacks, nativeDelegateTypes.Count);
            problems++;
        }
        Console.WriteLine("{0}: {1} native imports from \"{2}\", {3} callbacks for native code; {4} problems", args[0], imports, expected, callbacks, problems);
        return problems == 0 ? 0 : 1;
    }
}
