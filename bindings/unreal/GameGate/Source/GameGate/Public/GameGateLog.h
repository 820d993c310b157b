// The plugin's log category: its own messages and, by default, the library's (warnings and
// errors; Project Settings > GameGate > Log Level for more). Lines never carry a secret.
#pragma once

#include "CoreMinimal.h"

GAMEGATE_API DECLARE_LOG_CATEGORY_EXTERN(LogGameGate, Log, All);

enum class EGameGateLogLevel : uint8;

/** How much of the library's log reaches LogGameGate (the module starts at Warning; the
 *  subsystem applies Project Settings > GameGate > Log Level). Process-wide. */
GAMEGATE_API void GameGateSetLogLevel(EGameGateLogLevel Level);
