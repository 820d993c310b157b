#pragma once
#include "CoreMinimal.h"
class UGameInstance;
class UBlueprintAsyncActionBase : public UObject {
public:
    virtual void Activate() {}
    void RegisterWithGameInstance(UObject*) {}
    virtual void SetReadyToDestroy() {}
protected:
    TWeakObjectPtr<UGameInstance> RegisteredWithGameInstance;
};
