#pragma once
#include "CoreMinimal.h"
enum class ETickableTickType { Conditional, Always, Never };
class FTickableGameObject {
public:
    virtual ~FTickableGameObject() = default;
    virtual void Tick(float DeltaTime) = 0;
    virtual TStatId GetStatId() const = 0;
    virtual bool IsTickable() const { return true; }
    virtual bool IsTickableInEditor() const { return false; }
    virtual ETickableTickType GetTickableTickType() const { return ETickableTickType::Conditional; }
};
