// Where the Elixir refresh token is kept between launches (SaveGame slot "GameGateSession").
// A shipping game may prefer the platform's secure storage: see UGameGateSubsystem.
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
