/* GameGate for C++17: a header-only layer over the C ABI in gamegate.h.
 *
 * - Clients are move-only RAII objects; destroying one frees the native client, which answers
 *   every pending request with GG_SHUTDOWN (on the destroying thread in tick mode).
 * - Every asynchronous call has a callback overload (any callable, move-only ones included)
 *   and a std::future overload.
 * - Nothing here throws: failures are values (gamegate::Error, gamegate::Result), marked
 *   [[nodiscard]] so none is dropped unread, and an exception thrown by a user callback is
 *   caught before it reaches native code (see set_callback_exception_handler).
 * - Tokens and refresh tokens are gamegate::Secret: a std::string that wipes its bytes when it
 *   is destroyed.
 * - Strings are UTF-8 std::string in and out. A string with an embedded NUL is refused with
 *   GG_INVALID_ARGUMENT (C would cut it short: "alice\0-admin" would become "alice").
 * - Safe to include in Unreal Engine code: no name here is one of UE's macros (check, verify,
 *   ensure, ...), and nothing needs exceptions or RTTI.
 *
 * Futures and tick dispatch: in tick mode a future becomes ready only inside tick() on the
 * game thread, so never block on it there; poll it with wait_for(0s) each frame, or use
 * worker dispatch (Options::set_dispatch(GG_DISPATCH_WORKER)) where blocking is fine. */
#ifndef GAMEGATE_HPP
#define GAMEGATE_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "gamegate.h"

/* Unreal Engine and many console toolchains build without exceptions: then there is nothing
 * to catch, and the wrapper compiles without try/catch. */
#if defined(__cpp_exceptions) || defined(_CPPUNWIND)
#define GAMEGATE_HAS_EXCEPTIONS 1
#else
#define GAMEGATE_HAS_EXCEPTIONS 0
#endif

namespace gamegate {

/* Why a call failed. `code == GG_OK` means it did not: test with ok() or failed(). */
struct [[nodiscard]] Error {
    gg_result code = GG_OK;
    int32_t http_status = 0;   /* 0 when no HTTP response arrived */
    std::string api_code;      /* the service's own code ("1001", "INVALID_REFRESH_TOKEN") or "" */
    std::string message;       /* never contains a secret */
    int64_t retry_after_ms = 0; /* the server's Retry-After on a 429 or 503 ("try again in N s"); 0 when none */

    bool ok() const { return code == GG_OK; }
    bool failed() const { return code != GG_OK; }
    /* Kept so older code compiles; it is true on failure, the opposite of Result::ok(). */
    [[deprecated("ambiguous: use ok() or failed()")]] explicit operator bool() const { return code != GG_OK; }
    const char *name() const { return gg_result_name(code); }
};

/* A value or an error: `value` is set exactly when `error.ok()`. */
template <class T>
struct [[nodiscard]] Result {
    std::optional<T> value;
    Error error;

    bool ok() const { return error.ok(); }
};

/* What a call that returns no data produces on success. */
struct Done {};

/* A token or a refresh token: a std::string (pass it wherever one is expected) whose bytes are
 * wiped when it is destroyed or overwritten by assignment. A copy you make into a plain
 * std::string is yours to look after. */
class Secret : public std::string {
public:
    Secret() = default;
    Secret(std::string value) : std::string(std::move(value)) {}
    Secret(const Secret &other) : std::string(other) {}
    Secret(Secret &&other) noexcept : std::string(std::move(other)) { other.wipe(); }
    Secret &operator=(const Secret &other) {
        if (this != &other) {
            wipe();
            std::string::operator=(other);
        }
        return *this;
    }
    Secret &operator=(Secret &&other) noexcept {
        if (this != &other) {
            wipe();
            std::string::operator=(std::move(other));
            other.wipe();
        }
        return *this;
    }
    ~Secret() { wipe(); }

private:
    void wipe() noexcept {
        volatile char *bytes = data();
        for (size_t i = 0; i < capacity(); i++) bytes[i] = 0;
        clear();
    }
};

struct KgenSession {
    std::string session_id, user_id, name, username, email, device_id, phonenumber;
    int64_t level = 0, rank = 0;
    std::string date_joined, playertag, location, location_name, device_model, screen_height,
        screen_width, os_name, os_version, browser_name, app_version, fb_login, google_login,
        indigg_id, indigg_wallet_address, third_party_client_id, third_party_client_name,
        namespaced_third_party_user_id, wallet_address;
    bool is_new_user = false;
    Secret access_token, refresh_token;
    std::string linked_phone, session_start_time;
    int64_t session_start_unix_ms = 0;
    std::string raw_json;
};

/* One request's numbers (gg_request_metrics), handed to the metrics callback right before the
 * request's own callback. Times in microseconds. */
struct RequestMetrics {
    uint64_t request_id = 0;
    std::string method, path; /* the path as sent, rei-keys and query values replaced */
    gg_result code = GG_OK;
    int32_t http_status = 0;
    uint32_t attempts = 0;
    bool connection_reused = false;
    int64_t dns_us = 0, connect_us = 0, tls_us = 0, first_byte_us = 0, total_us = 0;
    uint64_t bytes_sent = 0, bytes_received = 0;
};

struct ElixirSession {
    Secret token;
    int64_t token_expiry_ms = 0, token_life_ms = 0;
    Secret refresh_token;
    std::string user_id, user_status, ban_reason;
    bool new_account = false;
    std::string raw_json;
};

namespace detail {

inline std::string text(const char *s) { return s ? std::string(s) : std::string(); }

inline Error error_from(const gg_error *e) {
    if (!e) return Error{};
    Error error{e->code, e->http_status, text(e->api_code), text(e->message)};
    /* Appended fields are read only when the library that filled the struct has them. */
    if (e->struct_size >= offsetof(gg_error, retry_after_ms) + sizeof(int64_t)) error.retry_after_ms = e->retry_after_ms;
    return error;
}

/* A string from a getter of the (buf, cap, out_len) family, growing the buffer as told;
 * nullopt when the getter fails for another reason (e.g. GG_NOT_SIGNED_IN). */
template <class Getter>
std::optional<std::string> read_string(Getter getter) {
    size_t needed = 0;
    gg_result code = getter(nullptr, 0, &needed);
    while (code == GG_BUFFER_TOO_SMALL) {
        std::string buf(needed, '\0');
        code = getter(&buf[0], buf.size(), &needed);
        if (code == GG_OK) {
            buf.resize(needed - 1);
            return buf;
        }
    }
    return std::nullopt;
}

/* Set on this thread when a string with an embedded NUL was about to go down (`c_str`). */
inline bool &nul_refused() {
    static thread_local bool refused = false;
    return refused;
}

/* The C string for `s`. C strings end at the first NUL, so a std::string holding one would
 * reach the library cut short (another player's id, say): such a string goes down as a byte
 * that is never valid UTF-8, which the library refuses before anything is sent, and
 * `refused` then gives the real reason. */
inline const char *c_str(const std::string &s) {
    if (s.find('\0') == std::string::npos) return s.c_str();
    nul_refused() = true;
    return "\xff";
}

/* The reason the last synchronous call on this thread was refused. */
inline Error refused(gg_result code) {
    Error error{code, 0, {}, {}};
    error.message = read_string(gg_last_error_message).value_or(std::string());
    if (nul_refused()) {
        nul_refused() = false;
        error.code = GG_INVALID_ARGUMENT;
        error.message = "a string contains a NUL character, which would cut it short; nothing was sent";
    }
    if (error.message.empty()) error.message = gg_result_name(code);
    return error;
}

/* A refusal made by the wrapper itself, before the library is asked. */
inline Error refused_argument(const char *why) { return Error{GG_NULL_PARAM, 0, {}, why}; }

/* A synchronous call's result as an Error (ok, or why it was refused). */
inline Error to_error(gg_result code) {
    if (code == GG_OK) nul_refused() = false;
    return code == GG_OK ? Error{} : refused(code);
}

inline KgenSession convert(const kgen_session &s) {
    KgenSession out;
    out.session_id = text(s.session_id);
    out.user_id = text(s.user_id);
    out.name = text(s.name);
    out.username = text(s.username);
    out.email = text(s.email);
    out.device_id = text(s.device_id);
    out.phonenumber = text(s.phonenumber);
    out.level = s.level;
    out.rank = s.rank;
    out.date_joined = text(s.date_joined);
    out.playertag = text(s.playertag);
    out.location = text(s.location);
    out.location_name = text(s.location_name);
    out.device_model = text(s.device_model);
    out.screen_height = text(s.screen_height);
    out.screen_width = text(s.screen_width);
    out.os_name = text(s.os_name);
    out.os_version = text(s.os_version);
    out.browser_name = text(s.browser_name);
    out.app_version = text(s.app_version);
    out.fb_login = text(s.fb_login);
    out.google_login = text(s.google_login);
    out.indigg_id = text(s.indigg_id);
    out.indigg_wallet_address = text(s.indigg_wallet_address);
    out.third_party_client_id = text(s.third_party_client_id);
    out.third_party_client_name = text(s.third_party_client_name);
    out.namespaced_third_party_user_id = text(s.namespaced_third_party_user_id);
    out.wallet_address = text(s.wallet_address);
    out.is_new_user = s.is_new_user != 0;
    out.access_token = text(s.access_token);
    out.refresh_token = text(s.refresh_token);
    out.linked_phone = text(s.linked_phone);
    out.session_start_time = text(s.session_start_time);
    out.session_start_unix_ms = s.session_start_unix_ms;
    out.raw_json = text(s.raw_json);
    return out;
}

inline ElixirSession convert(const elixir_session &s) {
    ElixirSession out;
    out.token = text(s.token);
    out.token_expiry_ms = s.token_expiry_ms;
    out.token_life_ms = s.token_life_ms;
    out.refresh_token = text(s.refresh_token);
    out.user_id = text(s.user_id);
    out.user_status = text(s.user_status);
    out.ban_reason = text(s.ban_reason);
    out.new_account = s.new_account != 0;
    out.raw_json = text(s.raw_json);
    return out;
}

/* The handler, swapped under a lock: a callback on a library thread may be using the old one. */
struct ExceptionHandler {
    std::mutex lock;
    std::shared_ptr<std::function<void(std::exception_ptr)>> function;
};
inline ExceptionHandler &exception_handler() {
    static ExceptionHandler handler;
    return handler;
}

/* Runs user code from a native callback: no exception may unwind into the library. */
template <class F>
void guarded(F &&f) noexcept {
#if GAMEGATE_HAS_EXCEPTIONS
    try {
        f();
    } catch (...) {
        try {
            std::shared_ptr<std::function<void(std::exception_ptr)>> handler;
            {
                std::lock_guard<std::mutex> guard(exception_handler().lock);
                handler = exception_handler().function;
            }
            if (handler && *handler) (*handler)(std::current_exception());
        } catch (...) {
        }
    }
#else
    f();
#endif
}

/* A callable that may be move-only (a lambda holding a std::unique_ptr or a std::promise),
 * which std::function cannot hold. Virtual calls only: no RTTI, no exceptions needed. */
template <class Signature>
class UniqueFunction;

template <class R, class... Args>
class UniqueFunction<R(Args...)> {
    struct Base {
        virtual ~Base() = default;
        virtual R call(Args... args) = 0;
    };
    template <class F>
    struct Holder final : Base {
        F f;
        explicit Holder(F &&function) : f(std::move(function)) {}
        R call(Args... args) override { return f(std::forward<Args>(args)...); }
    };
    std::unique_ptr<Base> held_;

public:
    UniqueFunction() = default;
    template <class F, class = std::enable_if_t<!std::is_same<std::decay_t<F>, UniqueFunction>::value>>
    UniqueFunction(F function) : held_(std::make_unique<Holder<F>>(std::move(function))) {}
    explicit operator bool() const { return held_ != nullptr; }
    R operator()(Args... args) { return held_->call(std::forward<Args>(args)...); }
};

} // namespace detail

/* What every asynchronous call takes: any callable taking a Result<T>, copyable or not. */
template <class T>
using Callback = detail::UniqueFunction<void(Result<T>)>;

namespace detail {

/* Hands one request's outcome to its callback and frees the callback; `value()` (a T or an
 * optional T) is read, from the borrowed native data, only on success. */
template <class T, class Value>
void complete(void *user_data, const gg_error *error, Value &&value) noexcept {
    std::unique_ptr<Callback<T>> callback(static_cast<Callback<T> *>(user_data));
    guarded([&] {
        Result<T> result;
        if (error) result.error = error_from(error); else result.value = value();
        (*callback)(std::move(result));
    });
}

/* A native struct as its C++ value; nullopt for NULL. */
template <class T, class Native>
std::optional<T> converted(const Native *native) {
    return native ? std::optional<T>(convert(*native)) : std::nullopt;
}

/* The functions the library calls back; each hands its request's result to the user's callback. */
inline void kgen_session_trampoline(void *u, const gg_error *e, const kgen_session *s) {
    complete<KgenSession>(u, e, [s] { return converted<KgenSession>(s); });
}
inline void elixir_session_trampoline(void *u, const gg_error *e, const elixir_session *s) {
    complete<ElixirSession>(u, e, [s] { return converted<ElixirSession>(s); });
}
inline void json_trampoline(void *u, const gg_error *e, const char *json) {
    complete<std::string>(u, e, [json] { return text(json); });
}
inline void otp_trampoline(void *u, const gg_error *e, const char *transaction_id) {
    json_trampoline(u, e, transaction_id);
}
inline void done_trampoline(void *u, const gg_error *e) {
    complete<Done>(u, e, [] { return Done{}; });
}
/* A function the library calls for the client's whole life (the session listener, the
 * session events). The native registration keeps a pointer to this slot; replacing the
 * function swaps it under the lock, so one running on a library thread is never destroyed
 * under its feet. */
template <class F>
struct CallbackSlot {
    std::mutex lock;
    std::shared_ptr<F> function;

    std::shared_ptr<F> current() {
        std::lock_guard<std::mutex> guard(lock);
        return function;
    }
    void replace(F next) {
        auto shared = next ? std::make_shared<F>(std::move(next)) : nullptr;
        std::lock_guard<std::mutex> guard(lock);
        function = std::move(shared);
    }
};

using ListenerSlot = CallbackSlot<std::function<void(const ElixirSession *)>>;
using EventsSlot = CallbackSlot<std::function<void(uint32_t, const ElixirSession *)>>;

/* Runs `call` with the C++ view of `s` (nullptr for NULL). */
template <class F>
void with_session(const elixir_session *s, F &&call) {
    guarded([&] {
        if (s) {
            ElixirSession session = convert(*s);
            call(&session);
        } else {
            call(nullptr);
        }
    });
}

inline void session_listener_trampoline(void *u, const elixir_session *s) {
    auto listener = static_cast<ListenerSlot *>(u)->current();
    if (listener) with_session(s, [&](const ElixirSession *session) { (*listener)(session); });
}

inline void session_events_trampoline(void *u, uint32_t event, const elixir_session *s) {
    auto events = static_cast<EventsSlot *>(u)->current();
    if (events) with_session(s, [&](const ElixirSession *session) { (*events)(event, session); });
}

/* "Is the player still signed in?": a session, or nullopt for nobody. */
inline void stored_session_trampoline(void *u, const gg_error *e, const elixir_session *s) {
    complete<std::optional<ElixirSession>>(u, e, [s] { return converted<ElixirSession>(s); });
}

/* Starts one asynchronous call: hands `callback` to `start(trampoline_user_data)`, and takes it
 * back when the library refuses the call (then the callback never runs, as in C). */
/* Starts the native call with the given user data; returns its gg_result. */
using Start = std::function<gg_result(void *)>;

template <class T>
Error submit(Callback<T> callback, const Start &start) {
    if (!callback) return refused_argument("the callback is empty");
    auto owned = std::make_unique<Callback<T>>(std::move(callback));
    gg_result code = start(static_cast<void *>(owned.get()));
    if (code != GG_OK) return refused(code);
    owned.release(); /* the trampoline owns it now */
    return Error{};
}

/* The future flavour of `submit`: a refusal makes the future ready at once. */
template <class T>
std::future<Result<T>> submit_future(const Start &start) {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    std::future<Result<T>> future = promise->get_future();
    Error refusal = submit<T>([promise](Result<T> r) { promise->set_value(std::move(r)); },
                              start);
    if (refusal.failed()) {
        Result<T> r;
        r.error = std::move(refusal);
        promise->set_value(std::move(r));
    }
    return future;
}

/* Owns one native object and frees it exactly once; move-only. */
template <class T, void (*Free)(T *)>
class Owned {
public:
    explicit Owned(T *raw = nullptr) : raw_(raw) {}
    Owned(Owned &&other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
    Owned &operator=(Owned &&other) noexcept {
        if (this != &other) {
            reset();
            raw_ = std::exchange(other.raw_, nullptr);
        }
        return *this;
    }
    Owned(const Owned &) = delete;
    Owned &operator=(const Owned &) = delete;
    ~Owned() { reset(); }

    void reset() { Free(std::exchange(raw_, nullptr)); }
    T *get() const { return raw_; }

private:
    T *raw_;
};

/* The Result of a native constructor: the wrapper around `raw`, or why it was refused. */
/* `keep`: what the options' callbacks need while the client lives (the metrics function). */
template <class Client, class Native>
Result<Client> created(gg_result code, Native *raw, std::shared_ptr<void> keep) {
    Result<Client> result;
    if (code != GG_OK) {
        result.error = refused(code);
    } else {
        result.value = Client(raw);
        result.value->keep_ = std::move(keep);
    }
    return result;
}

using MetricsFunction = std::function<void(const RequestMetrics &)>;

inline void metrics_trampoline(void *u, const gg_request_metrics *m) {
    const auto &function = *static_cast<const MetricsFunction *>(u);
    guarded([&] {
        RequestMetrics out;
        out.request_id = m->request_id;
        out.method = text(m->method);
        out.path = text(m->path);
        out.code = m->code;
        out.http_status = m->http_status;
        out.attempts = m->attempts;
        out.connection_reused = m->connection_reused != 0;
        out.dns_us = m->dns_us;
        out.connect_us = m->connect_us;
        out.tls_us = m->tls_us;
        out.first_byte_us = m->first_byte_us;
        out.total_us = m->total_us;
        out.bytes_sent = m->bytes_sent;
        out.bytes_received = m->bytes_received;
        function(out);
    });
}

} // namespace detail

/* Where exceptions thrown by your callbacks go (they never reach native code). Default: dropped. */
inline void set_callback_exception_handler(std::function<void(std::exception_ptr)> handler) {
    auto shared = handler ? std::make_shared<std::function<void(std::exception_ptr)>>(std::move(handler)) : nullptr;
    std::lock_guard<std::mutex> guard(detail::exception_handler().lock);
    detail::exception_handler().function = std::move(shared);
}

/* Process-wide counters (gg_stats): clients, threads, requests, connections. */
struct Stats {
    uint64_t live_clients = 0, live_threads = 0, requests_started = 0, requests_finished = 0, io_wakeups = 0,
             connections_opened = 0;
};

inline Result<Stats> stats() {
    gg_stats native{};
    native.struct_size = sizeof native;
    Result<Stats> result;
    result.error = detail::to_error(gg_get_stats(&native));
    if (result.error.ok()) {
        result.value = Stats{native.live_clients, native.live_threads, native.requests_started, native.requests_finished,
                             native.io_wakeups, native.connections_opened};
    }
    return result;
}

namespace detail {
using LogFunction = std::function<void(int32_t level, const std::string &message)>;
inline CallbackSlot<LogFunction> &log_slot() {
    static CallbackSlot<LogFunction> slot;
    return slot;
}
inline void log_trampoline(void *, int32_t level, const char *message) {
    auto function = log_slot().current();
    if (function) guarded([&] { (*function)(level, text(message)); });
}
} // namespace detail

/* The library's log lines up to `max_level` (GG_LOG_ERROR .. GG_LOG_TRACE), from any thread;
 * never a secret. An empty function or GG_LOG_OFF turns logging off. */
inline Error set_log_callback(int32_t max_level, std::function<void(int32_t level, const std::string &message)> callback) {
    bool on = callback && max_level != GG_LOG_OFF;
    detail::log_slot().replace(on ? std::move(callback) : nullptr);
    gg_set_log_callback(on ? max_level : GG_LOG_OFF, on ? detail::log_trampoline : nullptr, nullptr);
    return Error{};
}

inline const char *version() { return gg_version(); }

/* The app's life, process-wide, as the engine reports it: GG_APP_FOREGROUND / GG_APP_BACKGROUND,
 * GG_NET_ONLINE / GG_NET_OFFLINE / GG_NET_UNKNOWN (see gamegate.h). */
inline Error set_application_status(uint32_t status) { return detail::to_error(gg_set_application_status(status)); }
inline Error set_network_status(uint32_t status) { return detail::to_error(gg_set_network_status(status)); }

/* Transport settings; a client copies them when it is created. */
class Options {
public:
    Options() : options_(gg_options_new()) {}
    Options(Options &&other) noexcept : options_(std::exchange(other.options_, nullptr)), metrics_(std::move(other.metrics_)) {}
    Options &operator=(Options &&other) noexcept {
        std::swap(options_, other.options_);
        std::swap(metrics_, other.metrics_);
        return *this;
    }
    Options(const Options &) = delete;
    Options &operator=(const Options &) = delete;
    ~Options() { gg_options_free(options_); }

    Error set_base_url(const std::string &url) { return detail::to_error(gg_options_set_base_url(options_, detail::c_str(url))); }
    Error set_timeout_ms(uint32_t ms) { return detail::to_error(gg_options_set_timeout_ms(options_, ms)); }
    Error set_dispatch(uint32_t mode) { return detail::to_error(gg_options_set_dispatch(options_, mode)); }
    Error add_root_certificates_pem(const std::string &pem) {
        return detail::to_error(gg_options_add_root_certificates_pem(options_, detail::c_str(pem)));
    }
    Error set_worker_threads(uint32_t count) { return detail::to_error(gg_options_set_worker_threads(options_, count)); }
    Error set_max_body_bytes(uint64_t bytes) { return detail::to_error(gg_options_set_max_body_bytes(options_, bytes)); }
    Error set_refresh_margin_ms(uint32_t ms) { return detail::to_error(gg_options_set_refresh_margin_ms(options_, ms)); }
    Error set_user_agent(const std::string &agent) { return detail::to_error(gg_options_set_user_agent(options_, detail::c_str(agent))); }
    /* Transient failures retried (KGeN session creation and GETs only); 0 disables. */
    Error set_retries(uint32_t max_retries, uint32_t base_delay_ms) {
        return detail::to_error(gg_options_set_retries(options_, max_retries, base_delay_ms));
    }
    Error set_background_refresh(bool enabled) {
        return detail::to_error(gg_options_set_background_refresh(options_, enabled ? 1 : 0));
    }
    /* A pooled connection idle longer is closed, never reused (default 60000). */
    Error set_max_idle_ms(uint32_t ms) { return detail::to_error(gg_options_set_max_idle_ms(options_, ms)); }
    /* Every request through an HTTP proxy, "http://[user:password@]host:port"; "" removes it. */
    Error set_proxy(const std::string &proxy_url) { return detail::to_error(gg_options_set_proxy(options_, detail::c_str(proxy_url))); }
    /* With no proxy set: https_proxy / http_proxy / no_proxy from the environment, as curl does. */
    Error set_proxy_from_environment(bool enabled) {
        return detail::to_error(gg_options_set_proxy_from_environment(options_, enabled ? 1 : 0));
    }
    /* Development only: http:// to any host (a LAN emulator), not only loopback; logged as a warning. */
    Error set_allow_plain_http(bool enabled) { return detail::to_error(gg_options_set_allow_plain_http(options_, enabled ? 1 : 0)); }
    /* GG_TRUST_DEFAULT (the OS's verifier and store), GG_TRUST_BUNDLED or GG_TRUST_OS. */
    Error set_trust(uint32_t mode) { return detail::to_error(gg_options_set_trust(options_, mode)); }
    /* Tick dispatch: a tick stops delivering once `us` went by (one callback at least); 0: no budget. */
    Error set_tick_budget_us(uint32_t us) { return detail::to_error(gg_options_set_tick_budget_us(options_, us)); }
    /* Each request's numbers, right before its own callback, in dispatch context; an empty
     * function removes it. Clients created from these options keep the function alive. */
    Error set_metrics_callback(std::function<void(const RequestMetrics &)> callback) {
        auto function = callback ? std::make_shared<detail::MetricsFunction>(std::move(callback)) : nullptr;
        Error e = detail::to_error(gg_options_set_metrics_callback(options_, function ? detail::metrics_trampoline : nullptr, function.get()));
        if (e.ok()) metrics_ = std::move(function);
        return e;
    }

    const gg_options *get() const { return options_; }
    /* What a client created from these options must keep alive. */
    std::shared_ptr<void> keepalive() const { return metrics_; }

private:
    gg_options *options_;
    std::shared_ptr<detail::MetricsFunction> metrics_;
};

/* Optional player fields for KgenClient::create_session. */
class KgenProfile {
public:
    KgenProfile() : profile_(kgen_profile_new()) {}
    KgenProfile(KgenProfile &&other) noexcept : profile_(std::exchange(other.profile_, nullptr)) {}
    KgenProfile &operator=(KgenProfile &&other) noexcept {
        std::swap(profile_, other.profile_);
        return *this;
    }
    KgenProfile(const KgenProfile &) = delete;
    KgenProfile &operator=(const KgenProfile &) = delete;
    ~KgenProfile() { kgen_profile_free(profile_); }

    Error set_text(const std::string &field, const std::string &value) {
        return detail::to_error(kgen_profile_set_text(profile_, detail::c_str(field), detail::c_str(value)));
    }
    Error set_int(const std::string &field, int64_t value) {
        return detail::to_error(kgen_profile_set_int(profile_, detail::c_str(field), value));
    }
    Error set_flag(const std::string &field, bool value) {
        return detail::to_error(kgen_profile_set_flag(profile_, detail::c_str(field), value ? 1 : 0));
    }

    const kgen_profile *get() const { return profile_; }

private:
    kgen_profile *profile_;
};

/* A game server's connection to KGeN. Thread-safe; move-only. */
class KgenClient {
public:
    static Result<KgenClient> create(const std::string &client_id, const std::string &client_secret,
                                     const Options *options = nullptr) {
        kgen_client *raw = nullptr;
        gg_result code = kgen_client_new(detail::c_str(client_id), detail::c_str(client_secret),
                                         options ? options->get() : nullptr, &raw);
        return detail::created<KgenClient>(code, raw, options ? options->keepalive() : nullptr);
    }

    /* Frees the native client now (pending requests get GG_SHUTDOWN). */
    void reset() { client_.reset(); }

    uint32_t tick() { return kgen_client_tick(client_.get()); }
    Error cancel(uint64_t request_id) { return detail::to_error(kgen_client_cancel(client_.get(), request_id)); }
    /* One connection resolved, connected and through TLS now, for the next call; nothing calls back. */
    Error prepare() { return detail::to_error(kgen_client_prepare(client_.get())); }

    Error create_session(const std::string &user_id, Callback<KgenSession> callback,
                         uint64_t *request_id = nullptr, const KgenProfile *profile = nullptr) {
        return detail::submit<KgenSession>(std::move(callback), start_session(user_id, profile, request_id));
    }
    std::future<Result<KgenSession>> create_session(const std::string &user_id, const KgenProfile *profile = nullptr,
                                                    uint64_t *request_id = nullptr) {
        return detail::submit_future<KgenSession>(start_session(user_id, profile, request_id));
    }

    /* Any S2S call; `body_json` empty = no body. The result is the response body. */
    Error request(const std::string &method, const std::string &path, const std::string &body_json,
                  Callback<std::string> callback, uint64_t *request_id = nullptr) {
        return detail::submit<std::string>(std::move(callback), start_request(method, path, body_json, request_id));
    }
    std::future<Result<std::string>> request(const std::string &method, const std::string &path,
                                             const std::string &body_json = std::string(),
                                             uint64_t *request_id = nullptr) {
        return detail::submit_future<std::string>(start_request(method, path, body_json, request_id));
    }

    kgen_client *get() const { return client_.get(); }

private:
    friend Result<KgenClient> detail::created<KgenClient, kgen_client>(gg_result, kgen_client *, std::shared_ptr<void>);
    explicit KgenClient(kgen_client *client) : client_(client) {}

    detail::Start start_session(const std::string &user_id, const KgenProfile *profile, uint64_t *request_id) {
        return [this, &user_id, profile, request_id](void *u) {
            return kgen_create_session_with_profile(client_.get(), detail::c_str(user_id), profile ? profile->get() : nullptr,
                                                    detail::kgen_session_trampoline, u, request_id);
        };
    }
    detail::Start start_request(const std::string &method, const std::string &path, const std::string &body,
                       uint64_t *request_id) {
        return [this, &method, &path, &body, request_id](void *u) {
            return kgen_request(client_.get(), detail::c_str(method), detail::c_str(path), body.empty() ? nullptr : detail::c_str(body),
                                detail::json_trampoline, u, request_id);
        };
    }

    detail::Owned<kgen_client, kgen_client_free> client_;
    std::shared_ptr<void> keep_; /* declared after the client: destroyed after its free */
};

/* A player's connection to Elixir. Thread-safe; move-only. */
class ElixirClient {
public:
    using SessionListener = std::function<void(const ElixirSession *session /* nullptr = signed out */)>;
    /* `event` is GG_SESSION_SIGNED_IN, _REFRESHED, _SIGNED_OUT or _REVOKED (session nullptr for the last two). */
    using SessionEvents = std::function<void(uint32_t event, const ElixirSession *session)>;

    static Result<ElixirClient> create(const std::string &api_key, const Options *options = nullptr) {
        elixir_client *raw = nullptr;
        gg_result code = elixir_client_new(detail::c_str(api_key), options ? options->get() : nullptr, &raw);
        return detail::created<ElixirClient>(code, raw, options ? options->keepalive() : nullptr);
    }

    ElixirClient(ElixirClient &&other) noexcept
        : client_(std::exchange(other.client_, nullptr)), listener_(std::move(other.listener_)), events_(std::move(other.events_)),
          keep_(std::move(other.keep_)) {}
    ElixirClient &operator=(ElixirClient &&other) noexcept {
        if (this != &other) {
            reset();
            client_ = std::exchange(other.client_, nullptr);
            listener_ = std::move(other.listener_);
            events_ = std::move(other.events_);
            keep_ = std::move(other.keep_);
        }
        return *this;
    }
    ElixirClient(const ElixirClient &) = delete;
    ElixirClient &operator=(const ElixirClient &) = delete;
    ~ElixirClient() { reset(); }

    /* Frees the native client now (pending requests get GG_SHUTDOWN); the listener goes after,
     * because no callback runs once the free has returned. */
    void reset() {
        elixir_client_free(std::exchange(client_, nullptr));
        listener_.reset();
        events_.reset();
        keep_.reset();
    }

    uint32_t tick() { return elixir_client_tick(client_); }
    Error cancel(uint64_t request_id) { return detail::to_error(elixir_client_cancel(client_, request_id)); }
    /* One connection resolved, connected and through TLS now (a sign-in screen opening). */
    Error prepare() { return detail::to_error(elixir_client_prepare(client_)); }

    /* Called on every session change, before the call's own callback; an empty function removes it. */
    Error set_session_listener(SessionListener listener) {
        return install(listener_, std::move(listener), elixir_client_set_session_listener, detail::session_listener_trampoline);
    }
    /* Every session change with why it changed, before the call's own callback; an empty
     * function removes it. */
    Error set_session_events(SessionEvents events) {
        return install(events_, std::move(events), elixir_client_set_session_events, detail::session_events_trampoline);
    }

    /* Keeps the session in the OS credential store under `slot` (once per client): restores and
     * refreshes a stored one (GG_SESSION_SIGNED_IN), then writes every change; the result is
     * the session, nullopt when nothing was stored, or the error (GG_UNSUPPORTED: no store here). */
    Error use_os_store(const std::string &slot, Callback<std::optional<ElixirSession>> callback,
                       uint64_t *request_id = nullptr) {
        return detail::submit<std::optional<ElixirSession>>(std::move(callback), start_use_os_store(slot, request_id));
    }
    std::future<Result<std::optional<ElixirSession>>> use_os_store(const std::string &slot, uint64_t *request_id = nullptr) {
        return detail::submit_future<std::optional<ElixirSession>>(start_use_os_store(slot, request_id));
    }
    Error set_device_info(const std::string &device_model, const std::string &device_unique_id) {
        return detail::to_error(elixir_client_set_device_info(client_, detail::c_str(device_model), detail::c_str(device_unique_id)));
    }
    Error restore_session(const std::string &refresh_token) {
        return detail::to_error(elixir_client_restore_session(client_, detail::c_str(refresh_token)));
    }
    /* The current tokens; nullopt when not signed in. */
    std::optional<std::string> access_token() const { return copy(elixir_client_access_token); }
    std::optional<std::string> refresh_token() const { return copy(elixir_client_refresh_token); }
    /* Whether a session is held, without copying any token (cheap enough for UI bindings). */
    bool is_signed_in() const {
        size_t needed = 0;
        return elixir_client_refresh_token(client_, nullptr, 0, &needed) == GG_BUFFER_TOO_SMALL;
    }

    /* E-mails a code; the result is the transaction id for verify_otp. */
    Error request_otp(const std::string &email, Callback<std::string> callback,
                      uint64_t *request_id = nullptr) {
        return detail::submit<std::string>(std::move(callback), [&](void *u) {
            return elixir_otp_request(client_, detail::c_str(email), detail::otp_trampoline, u, request_id);
        });
    }
    std::future<Result<std::string>> request_otp(const std::string &email, uint64_t *request_id = nullptr) {
        return detail::submit_future<std::string>([&](void *u) {
            return elixir_otp_request(client_, detail::c_str(email), detail::otp_trampoline, u, request_id);
        });
    }

    Error verify_otp(const std::string &transaction_id, const std::string &code,
                     Callback<ElixirSession> callback, uint64_t *request_id = nullptr) {
        return detail::submit<ElixirSession>(std::move(callback), start_verify_otp(transaction_id, code, request_id));
    }
    std::future<Result<ElixirSession>> verify_otp(const std::string &transaction_id, const std::string &code,
                                                  uint64_t *request_id = nullptr) {
        return detail::submit_future<ElixirSession>(start_verify_otp(transaction_id, code, request_id));
    }

    Error verify_qr(const std::string &qr_value, Callback<ElixirSession> callback,
                    uint64_t *request_id = nullptr) {
        return detail::submit<ElixirSession>(std::move(callback), start_with_text(elixir_qr_verify, qr_value, request_id));
    }
    std::future<Result<ElixirSession>> verify_qr(const std::string &qr_value, uint64_t *request_id = nullptr) {
        return detail::submit_future<ElixirSession>(start_with_text(elixir_qr_verify, qr_value, request_id));
    }

    Error reikey_sign_in(const std::string &reikey, Callback<ElixirSession> callback,
                         uint64_t *request_id = nullptr) {
        return detail::submit<ElixirSession>(std::move(callback), start_with_text(elixir_reikey_sign_in, reikey, request_id));
    }
    std::future<Result<ElixirSession>> reikey_sign_in(const std::string &reikey, uint64_t *request_id = nullptr) {
        return detail::submit_future<ElixirSession>(start_with_text(elixir_reikey_sign_in, reikey, request_id));
    }

    Error reikey_close(const std::string &reikey, Callback<Done> callback,
                       uint64_t *request_id = nullptr) {
        return detail::submit<Done>(std::move(callback), start_with_text(elixir_reikey_close, reikey, request_id));
    }
    std::future<Result<Done>> reikey_close(const std::string &reikey, uint64_t *request_id = nullptr) {
        return detail::submit_future<Done>(start_with_text(elixir_reikey_close, reikey, request_id));
    }

    Error refresh(Callback<ElixirSession> callback, uint64_t *request_id = nullptr) {
        return detail::submit<ElixirSession>(std::move(callback), start_plain(elixir_session_refresh, request_id));
    }
    std::future<Result<ElixirSession>> refresh(uint64_t *request_id = nullptr) {
        return detail::submit_future<ElixirSession>(start_plain(elixir_session_refresh, request_id));
    }

    Error sign_out(Callback<Done> callback, uint64_t *request_id = nullptr) {
        return detail::submit<Done>(std::move(callback), start_plain(elixir_sign_out, request_id));
    }
    std::future<Result<Done>> sign_out(uint64_t *request_id = nullptr) {
        return detail::submit_future<Done>(start_plain(elixir_sign_out, request_id));
    }

    /* An authorized call; the result is the envelope's `data` as JSON. `body_json` empty = no body. */
    Error request(const std::string &method, const std::string &path, const std::string &body_json,
                  Callback<std::string> callback, uint64_t *request_id = nullptr) {
        return detail::submit<std::string>(std::move(callback), start_request(method, path, body_json, request_id));
    }
    std::future<Result<std::string>> request(const std::string &method, const std::string &path,
                                             const std::string &body_json = std::string(),
                                             uint64_t *request_id = nullptr) {
        return detail::submit_future<std::string>(start_request(method, path, body_json, request_id));
    }

    elixir_client *get() const { return client_; }

private:
    friend Result<ElixirClient> detail::created<ElixirClient, elixir_client>(gg_result, elixir_client *, std::shared_ptr<void>);
    explicit ElixirClient(elixir_client *client) : client_(client) {}


    template <class Getter>
    std::optional<std::string> copy(Getter getter) const {
        return detail::read_string([&](char *buf, size_t cap, size_t *len) { return getter(client_, buf, cap, len); });
    }

    template <class Native>
    detail::Start start_with_text(Native native, const std::string &text, uint64_t *request_id) {
        return [this, native, &text, request_id](void *u) {
            return native(client_, detail::c_str(text), trampoline_for(native), u, request_id);
        };
    }
    template <class Native>
    detail::Start start_plain(Native native, uint64_t *request_id) {
        return [this, native, request_id](void *u) { return native(client_, trampoline_for(native), u, request_id); };
    }
    detail::Start start_use_os_store(const std::string &slot, uint64_t *request_id) {
        return [this, &slot, request_id](void *u) {
            return elixir_client_use_os_store(client_, detail::c_str(slot), detail::stored_session_trampoline, u, request_id);
        };
    }
    detail::Start start_verify_otp(const std::string &transaction_id, const std::string &code, uint64_t *request_id) {
        return [this, &transaction_id, &code, request_id](void *u) {
            return elixir_otp_verify(client_, detail::c_str(transaction_id), detail::c_str(code), detail::elixir_session_trampoline, u,
                                     request_id);
        };
    }
    detail::Start start_request(const std::string &method, const std::string &path, const std::string &body,
                       uint64_t *request_id) {
        return [this, &method, &path, &body, request_id](void *u) {
            return elixir_request(client_, detail::c_str(method), detail::c_str(path), body.empty() ? nullptr : detail::c_str(body),
                                  detail::json_trampoline, u, request_id);
        };
    }

    /* The trampoline whose callback type matches the native call's callback parameter. */
    template <class... Rest>
    static elixir_session_callback trampoline_for(gg_result (*)(elixir_client *, const char *, elixir_session_callback, Rest...)) {
        return detail::elixir_session_trampoline;
    }
    template <class... Rest>
    static gg_done_callback trampoline_for(gg_result (*)(elixir_client *, const char *, gg_done_callback, Rest...)) {
        return detail::done_trampoline;
    }
    template <class... Rest>
    static elixir_session_callback trampoline_for(gg_result (*)(elixir_client *, elixir_session_callback, Rest...)) {
        return detail::elixir_session_trampoline;
    }
    template <class... Rest>
    static gg_done_callback trampoline_for(gg_result (*)(elixir_client *, gg_done_callback, Rest...)) {
        return detail::done_trampoline;
    }

    /* Registers the slot with the library on first use, then swaps the function in it. */
    template <class Slot, class F, class Native, class Trampoline>
    Error install(std::unique_ptr<Slot> &slot, F function, Native native, Trampoline trampoline) {
        if (!slot) {
            auto fresh = std::make_unique<Slot>();
            Error e = detail::to_error(native(client_, trampoline, fresh.get()));
            if (!e.ok()) return e;
            slot = std::move(fresh);
        }
        slot->replace(std::move(function));
        return Error{};
    }

    elixir_client *client_ = nullptr;
    std::unique_ptr<detail::ListenerSlot> listener_;
    std::unique_ptr<detail::EventsSlot> events_;
    std::shared_ptr<void> keep_;
};

/* A game server's signed connection to Elixir (server-side calls such as POST /sdk/v2/game-stats,
 * signed with the game's RSA private key, PKCS#8 PEM). Holds the key: servers only, never a
 * game build. Thread-safe; move-only. */
class ElixirServer {
public:
    static Result<ElixirServer> create(const std::string &api_key, const std::string &private_key_pem,
                                       const Options *options = nullptr) {
        elixir_server *raw = nullptr;
        gg_result code = elixir_server_new(detail::c_str(api_key), detail::c_str(private_key_pem),
                                           options ? options->get() : nullptr, &raw);
        return detail::created<ElixirServer>(code, raw, options ? options->keepalive() : nullptr);
    }

    /* Frees the native client now (pending requests get GG_SHUTDOWN; the key is wiped). */
    void reset() { server_.reset(); }

    uint32_t tick() { return elixir_server_tick(server_.get()); }
    Error cancel(uint64_t request_id) { return detail::to_error(elixir_server_cancel(server_.get(), request_id)); }
    Error prepare() { return detail::to_error(elixir_server_prepare(server_.get())); }

    /* A signed call; `body_json` empty = no body. The result is the envelope's data as JSON. */
    Error request(const std::string &method, const std::string &path, const std::string &body_json,
                  Callback<std::string> callback, uint64_t *request_id = nullptr) {
        return detail::submit<std::string>(std::move(callback), start_request(method, path, body_json, request_id));
    }
    std::future<Result<std::string>> request(const std::string &method, const std::string &path,
                                             const std::string &body_json = std::string(),
                                             uint64_t *request_id = nullptr) {
        return detail::submit_future<std::string>(start_request(method, path, body_json, request_id));
    }

    elixir_server *get() const { return server_.get(); }

private:
    friend Result<ElixirServer> detail::created<ElixirServer, elixir_server>(gg_result, elixir_server *, std::shared_ptr<void>);
    explicit ElixirServer(elixir_server *server) : server_(server) {}

    detail::Start start_request(const std::string &method, const std::string &path, const std::string &body,
                                uint64_t *request_id) {
        return [this, &method, &path, &body, request_id](void *u) {
            return elixir_server_request(server_.get(), detail::c_str(method), detail::c_str(path),
                                         body.empty() ? nullptr : detail::c_str(body), detail::json_trampoline, u, request_id);
        };
    }

    detail::Owned<elixir_server, elixir_server_free> server_;
    std::shared_ptr<void> keep_; /* declared after the server: destroyed after its free */
};

} // namespace gamegate

#endif /* GAMEGATE_HPP */
