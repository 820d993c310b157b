// The SaveGame slot ("GameGateSession") where earlier versions kept the Elixir refresh token in
// plain text. Read once, to move the token into the OS credential store, then deleted; nothing
// is written here any more (see UGameGateSubsystem::ConfigureElixir).
#pragma once

#include "CoreMinimal.h"
#include "GameFramework/SaveGame.h"
#include "GameGateSaveGame.generated.h"

UCLASS()
class GAMEGATE_API UGameGateSaveGame : public USaveGame
{
    GENERATED_BODY()

public:
    static constexpr const TCHAR* SlotName = TEXT("GameGateSession");

    UPROPERTY()
    FString ElixirRefreshToken;
};
