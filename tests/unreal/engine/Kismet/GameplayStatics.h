#pragma once
#include "CoreMinimal.h"
class USaveGame;
// DECLARE_DELEGATE_ThreeParams(FAsyncSaveGameToSlotDelegate, const FString&, const int32, bool)
struct FAsyncSaveGameToSlotDelegate {
    template <class F> static FAsyncSaveGameToSlotDelegate CreateLambda(F&&) {
        static_assert(std::is_invocable_v<F, const FString&, const int32, bool>, "the engine calls it with (slot, user index, success)");
        return {};
    }
};
class UGameplayStatics {
public:
    static USaveGame* LoadGameFromSlot(const FString&, int32) { return nullptr; }
    static USaveGame* CreateSaveGameObject(UClass*) { return nullptr; }
    static void AsyncSaveGameToSlot(USaveGame*, const FString&, int32, FAsyncSaveGameToSlotDelegate = {}) {}
    static bool SaveGameToSlot(USaveGame*, const FString&, int32) { return true; }
    static bool DoesSaveGameExist(const FString&, const int32) { return false; }
    static bool DeleteGameInSlot(const FString&, const int32) { return true; }
};
