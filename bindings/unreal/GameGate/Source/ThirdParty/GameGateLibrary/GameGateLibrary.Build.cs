// The prebuilt GameGate library: headers from the repository's include/, binaries under lib/
// (filled by the build for each platform; see the plugin README).
using System.IO;
using UnrealBuildTool;

public class GameGateLibrary : ModuleRules
{
    public GameGateLibrary(ReadOnlyTargetRules Target) : base(Target)
    {
        Type = ModuleType.External;
        PublicSystemIncludePaths.Add(Path.Combine(ModuleDirectory, "include"));
        string Lib = Path.Combine(ModuleDirectory, "lib");

        if (Target.Platform == UnrealTargetPlatform.Win64)
        {
            string Dir = Path.Combine(Lib, "Win64");
            PublicAdditionalLibraries.Add(Path.Combine(Dir, "gamegate.dll.lib"));
            PublicDelayLoadDLLs.Add("gamegate.dll");
            RuntimeDependencies.Add("$(BinaryOutputDir)/gamegate.dll", Path.Combine(Dir, "gamegate.dll"));
        }
        else if (Target.Platform == UnrealTargetPlatform.Mac)
        {
            string Dylib = Path.Combine(Lib, "Mac", "libgamegate.dylib");
            PublicAdditionalLibraries.Add(Dylib);
            RuntimeDependencies.Add("$(BinaryOutputDir)/libgamegate.dylib", Dylib);
        }
        else if (Target.Platform == UnrealTargetPlatform.Linux)
        {
            string So = Path.Combine(Lib, "Linux", "x86_64-unknown-linux-gnu", "libgamegate.so");
            PublicAdditionalLibraries.Add(So);
            RuntimeDependencies.Add("$(BinaryOutputDir)/libgamegate.so", So);
        }
        else if (Target.Platform == UnrealTargetPlatform.LinuxArm64)
        {
            // ARM64 Linux servers (Graviton, Ampere): the aarch64 build of the same library.
            string So = Path.Combine(Lib, "Linux", "aarch64-unknown-linux-gnu", "libgamegate.so");
            PublicAdditionalLibraries.Add(So);
            RuntimeDependencies.Add("$(BinaryOutputDir)/libgamegate.so", So);
        }
        else if (Target.Platform == UnrealTargetPlatform.Android)
        {
            PublicAdditionalLibraries.Add(Path.Combine(Lib, "Android", "arm64-v8a", "libgamegate.so"));
            AdditionalPropertiesForReceipt.Add("AndroidPlugin", Path.Combine(ModuleDirectory, "GameGateLibrary_APL.xml"));
        }
        else if (Target.Platform == UnrealTargetPlatform.IOS)
        {
            // iOS links the static library into the app, with the frameworks its certificate
            // check asks (GG_TRUST_DEFAULT: the Security framework's trust evaluation). The
            // Keychain is loaded at run time; randomness comes from libSystem.
            PublicAdditionalLibraries.Add(Path.Combine(Lib, "IOS", "libgamegate.a"));
            PublicFrameworks.AddRange(new string[] { "Security", "CoreFoundation" });
        }
    }
}
