using UnrealBuildTool;

public class GameGate : ModuleRules
{
    public GameGate(ReadOnlyTargetRules Target) : base(Target)
    {
        PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;
        CppStandard = CppStandardVersion.Cpp17;
        PublicDependencyModuleNames.AddRange(new string[] { "Core", "CoreUObject", "Engine", "GameGateLibrary" });
        PrivateDependencyModuleNames.AddRange(new string[] { "Projects" });
    }
}
