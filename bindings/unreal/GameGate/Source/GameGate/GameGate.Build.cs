using UnrealBuildTool;

public class GameGate : ModuleRules
{
    public GameGate(ReadOnlyTargetRules Target) : base(Target)
    {
        PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;
        // No CppStandard override: forcing one takes the module off the engine's shared PCH
        // (UE 5.3+ builds C++20). gamegate.hpp is compiled as C++20 by the test command.
        PublicDependencyModuleNames.AddRange(new string[] { "Core", "CoreUObject", "Engine", "DeveloperSettings", "GameGateLibrary" });
        PrivateDependencyModuleNames.AddRange(new string[] { "Projects" });
    }
}
