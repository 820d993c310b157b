#pragma once
#include "Kismet/BlueprintAsyncActionBase.h"
class FTimerManager;
// Engine/CancellableAsyncAction.h: an async action Blueprint can cancel; after Cancel it is
// no longer active and broadcasts nothing.
class UCancellableAsyncAction : public UBlueprintAsyncActionBase {
public:
    using Super = UCancellableAsyncAction; // GENERATED_BODY's, for the subclass
    virtual void Cancel() { SetReadyToDestroy(); }
    virtual bool IsActive() const { return true; }
    virtual bool ShouldBroadcastDelegates() const { return IsActive(); }
    bool IsRegistered() const { return true; }
    FTimerManager* GetTimerManager() const { return nullptr; }
};
