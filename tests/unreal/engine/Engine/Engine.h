#pragma once
#include "CoreMinimal.h"
// The part of FWorldContext (Engine/Engine.h) the plugin reads.
struct FWorldContext {
    /** The PIE instance of this world; INDEX_NONE outside Play In Editor. */
    int32 PIEInstance = INDEX_NONE;
};
