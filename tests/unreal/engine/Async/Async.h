#pragma once
#include "CoreMinimal.h"
// Async/Async.h and Async/TaskGraphInterfaces.h: run a function on a named thread.
namespace ENamedThreads { enum Type { GameThread = 0, AnyThread = 1 }; }
inline void AsyncTask(ENamedThreads::Type Thread, TUniqueFunction<void()> Function) { (void)Thread; (void)Function; }
