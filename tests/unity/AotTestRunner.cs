// Runs the NUnit fixtures of the C# suite without nunit-console, whose own machinery needs a
// JIT: under mono's full AOT (every method compiled ahead of time, no JIT at all) this is the
// closest stand-in for IL2CPP that runs here. Each [Test] of each [TestFixture] runs on a fresh
// instance, then its [TearDown]; a failure prints its message and the run exits 1.
// `--references` (run with the JIT) prints the file of every assembly the suite can load,
// transitively: the set that must be compiled ahead of time.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using NUnit.Framework;

static class AotTestRunner
{
    static int Main(string[] args)
    {
        // Referenced at compile time, so nothing is loaded by name at run time.
        var assembly = typeof(GameGate.Tests.GameGateTests).Assembly;
        if (args.Length == 1 && args[0] == "--references")
        {
            PrintReferences(typeof(AotTestRunner).Assembly, new HashSet<string>());
            return 0;
        }
        int passed = 0, failed = 0;
        foreach (var fixture in assembly.GetTypes().Where(t => t.IsDefined(typeof(TestFixtureAttribute), false)))
        {
            var methods = fixture.GetMethods(BindingFlags.Public | BindingFlags.Instance);
            var tearDown = methods.FirstOrDefault(m => m.IsDefined(typeof(TearDownAttribute), false));
            foreach (var test in methods.Where(m => m.IsDefined(typeof(TestAttribute), false)).OrderBy(m => m.Name))
            {
                var instance = Activator.CreateInstance(fixture);
                string failure = Run(test, instance);
                if (tearDown != null) failure = failure ?? Run(tearDown, instance);
                if (failure == null)
                {
                    passed++;
                    Console.WriteLine("  ok      " + test.Name);
                }
                else
                {
                    failed++;
                    Console.WriteLine("  FAILED  " + test.Name + ": " + failure);
                }
            }
        }
        Console.WriteLine("c# suite under full AOT: " + passed + " passed, " + failed + " failed");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    static void PrintReferences(Assembly assembly, HashSet<string> seen)
    {
        if (!seen.Add(assembly.FullName)) return;
        Console.WriteLine(assembly.Location);
        foreach (var name in assembly.GetReferencedAssemblies())
        {
            Assembly referenced;
            try { referenced = Assembly.Load(name); }
            catch (Exception) { continue; } // named but never loadable here: never loaded at run time either
            PrintReferences(referenced, seen);
        }
    }

    static string Run(MethodInfo method, object instance)
    {
        try
        {
            method.Invoke(instance, null);
            return null;
        }
        catch (TargetInvocationException e)
        {
            return e.InnerException.GetType().Name + ": " + e.InnerException.Message;
        }
    }
}
