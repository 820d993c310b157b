#pragma once
#include "CoreMinimal.h"
class USaveGame : public UObject {};
