// A stand-in for the parts of Unreal Engine's CoreMinimal.h (and UObject) that the GameGate
// plugin uses, so the test command can compile the plugin's sources the way a UE module is
// compiled: after the engine's macros (check, verify, ensure, TEXT, ...), C++20, no exceptions,
// no RTTI. It models declarations, not behaviour; it knows nothing of UHT (see README.md).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <functional>
#include <optional>
#include "unreal_macros.h"

using int32 = int32_t;
using int64 = int64_t;
using uint8 = uint8_t;
using uint32 = uint32_t;
using TCHAR = char16_t;

#define GAMEGATE_API
#define UCLASS(...)
#define USTRUCT(...)
#define UENUM(...)
#define UMETA(...)
#define UPROPERTY(...)
#define UFUNCTION(...)
#define GENERATED_BODY(...)
// Windows, so the module's DLL loading is compiled too (UE defines every PLATFORM_* as 0 or 1).
#define PLATFORM_WINDOWS 1
#define PLATFORM_ANDROID 0
// Build.h: 1 in every build that may run a server (editor, server, listen-server games).
#define WITH_SERVER_CODE 1

// CoreMiscDefines.h
enum { INDEX_NONE = -1 };

template <class T> typename std::remove_reference<T>::type&& MoveTemp(T&& v) { return static_cast<typename std::remove_reference<T>::type&&>(v); }

class FString {
public:
    FString() = default;
    FString(const TCHAR* s) : text_(s ? s : u"") {}
    const TCHAR* operator*() const { return text_.c_str(); }
    bool IsEmpty() const { return text_.empty(); }
    int32 Len() const { return static_cast<int32>(text_.size()); }
    bool Contains(const TCHAR* s) const { return text_.find(s) != std::u16string::npos; }
    bool operator==(const FString& o) const { return text_ == o.text_; }
private:
    std::u16string text_;
};

// TCHAR_TO_UTF8 / UTF8_TO_TCHAR: temporaries converting for the length of one expression.
struct FTCHARToUTF8 {
    explicit FTCHARToUTF8(const TCHAR* s) { for (; s && *s; ++s) text.push_back(static_cast<char>(*s)); }
    FTCHARToUTF8(const TCHAR* s, int32 length) { for (int32 i = 0; s && i < length; ++i) text.push_back(static_cast<char>(s[i])); }
    const char* Get() const { return text.c_str(); }
    int32 Length() const { return static_cast<int32>(text.size()); }
    std::string text;
};
struct FUTF8ToTCHAR {
    explicit FUTF8ToTCHAR(const char* s) { for (; s && *s; ++s) text.push_back(static_cast<TCHAR>(static_cast<unsigned char>(*s))); }
    const TCHAR* Get() const { return text.c_str(); }
    std::u16string text;
};
#define TCHAR_TO_UTF8(s) (FTCHARToUTF8((const TCHAR*)(s)).Get())
#define UTF8_TO_TCHAR(s) (FUTF8ToTCHAR((const char*)(s)).Get())

template <class T> class TOptional {
public:
    bool IsSet() const { return value_.has_value(); }
    T& GetValue() { return *value_; }
    const T& GetValue() const { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    template <class... A> void Emplace(A&&... a) { value_.emplace(std::forward<A>(a)...); }
    void Reset() { value_.reset(); }
private:
    std::optional<T> value_;
};

template <class F> using TFunction = std::function<F>;
// Move-only in the engine; the stand-in only needs what the plugin passes to be callable.
template <class F> using TUniqueFunction = std::function<F>;

// UObject/NameTypes.h
class FName {
public:
    FName() = default;
    FName(const TCHAR* s) : text_(s ? s : u"") {}
private:
    std::u16string text_;
};

// CoreGlobals.h
inline bool IsInGameThread() { return true; }

class UClass {};
class UObject {
public:
    virtual ~UObject() = default;
    static UClass* StaticClass() { static UClass c; return &c; }
};

template <class T> class TWeakObjectPtr {
public:
    TWeakObjectPtr() = default;
    TWeakObjectPtr(T* object) : object_(object) {}
    T* Get() const { return object_; }
    bool IsValid() const { return object_ != nullptr; }
private:
    T* object_ = nullptr;
};

template <class T> T* NewObject(UObject* = nullptr) { return new T(); }
// UObject/UObjectGlobals.h: the class default object, where config values are loaded.
template <class T> const T* GetDefault() { static T object; return &object; }
template <class T> T* Cast(UObject* object) { return static_cast<T*>(object); }

struct TStatId {};
#define RETURN_QUICK_DECLARE_CYCLE_STAT(Name, Group) return TStatId()

struct FLogCategoryTemp {};
inline FLogCategoryTemp LogTemp;
// Logging/LogMacros.h
#define DECLARE_LOG_CATEGORY_EXTERN(Name, DefaultVerbosity, CompileTimeVerbosity) \
    struct FLogCategory##Name {}; extern FLogCategory##Name Name
#define DEFINE_LOG_CATEGORY(Name) FLogCategory##Name Name
// The arguments are evaluated (and so used), as the engine's formatting does.
template <class... A> inline void GameGateStandInUsed(const A&...) {}
#define UE_LOG(Category, Verbosity, Format, ...) ((void)(Category), (void)(Format), GameGateStandInUsed(__VA_ARGS__))

// Dynamic multicast delegates: a type with Broadcast taking the declared parameters.
#define GG_DELEGATE_TYPE(Name, ...) \
    struct Name { void Broadcast(__VA_ARGS__) const {} }
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE(Name) GG_DELEGATE_TYPE(Name)
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(Name, T1, N1) GG_DELEGATE_TYPE(Name, T1)
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(Name, T1, N1, T2, N2) GG_DELEGATE_TYPE(Name, T1, T2)
#define DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(Name, T1, N1, T2, N2, T3, N3) GG_DELEGATE_TYPE(Name, T1, T2, T3)
