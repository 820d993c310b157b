/* Keeping the player's session: a credential store of the game's own (hooks completed at once
 * and from another thread, as console save APIs do), and the OS store, which the test command
 * runs twice: against a real gnome-keyring-daemon in a private D-Bus session
 * (GG_EXPECT_OS_STORE=secret-service) and with no D-Bus at all (=unsupported, with an empty
 * HOME that must stay empty: no plaintext file instead). */
#include "gg_test.h"

#include <dirent.h>
#include <pthread.h>

#include "gamegate.h"
#include "gg_emulator.h"

/* ---- a store of the game's own: a small in-memory table -------------------------------- */

#define ENTRIES 16
typedef struct game_store {
    pthread_mutex_t lock;
    char names[ENTRIES][256];
    char values[ENTRIES][512];
    int saves, erases, loads;
    int complete_later; /* complete loads from another thread */
} game_store;

static int find(game_store *s, const char *entry) {
    for (int i = 0; i < ENTRIES; i++)
        if (strcmp(s->names[i], entry) == 0) return i;
    return -1;
}

typedef struct later {
    gg_store_op *op;
    char value[512];
    int has_value;
} later;

static void *complete_from_another_thread(void *arg) {
    later *l = (later *)arg;
    CHECK_EQ_INT(gg_store_op_complete(l->op, GG_OK, l->has_value ? l->value : NULL), GG_OK);
    free(l);
    return NULL;
}

static void store_load(void *user_data, const char *entry, gg_store_op *op) {
    game_store *s = (game_store *)user_data;
    pthread_mutex_lock(&s->lock);
    s->loads++;
    int at = find(s, entry);
    later *l = (later *)calloc(1, sizeof *l);
    l->op = op;
    if (at >= 0) {
        snprintf(l->value, sizeof l->value, "%s", s->values[at]);
        l->has_value = 1;
    }
    int async = s->complete_later;
    pthread_mutex_unlock(&s->lock);
    if (async) {
        pthread_t t;
        pthread_create(&t, NULL, complete_from_another_thread, l);
        pthread_detach(t);
    } else {
        complete_from_another_thread(l);
    }
}

static void store_save(void *user_data, const char *entry, const char *value, gg_store_op *op) {
    game_store *s = (game_store *)user_data;
    pthread_mutex_lock(&s->lock);
    s->saves++;
    int at = find(s, entry);
    if (at < 0) at = find(s, "");
    if (at >= 0) {
        snprintf(s->names[at], sizeof s->names[at], "%s", entry);
        snprintf(s->values[at], sizeof s->values[at], "%s", value);
    }
    pthread_mutex_unlock(&s->lock);
    CHECK_EQ_INT(gg_store_op_complete(op, at >= 0 ? GG_OK : GG_INTERNAL, NULL), GG_OK);
}

static void store_erase(void *user_data, const char *entry, gg_store_op *op) {
    game_store *s = (game_store *)user_data;
    pthread_mutex_lock(&s->lock);
    s->erases++;
    int at = find(s, entry);
    if (at >= 0) s->names[at][0] = s->values[at][0] = '\0';
    pthread_mutex_unlock(&s->lock);
    CHECK_EQ_INT(gg_store_op_complete(op, GG_OK, NULL), GG_OK);
}

/* The one value the table holds ("" when none). */
static void stored_value(game_store *s, char *out, size_t cap) {
    pthread_mutex_lock(&s->lock);
    out[0] = '\0';
    for (int i = 0; i < ENTRIES; i++)
        if (s->names[i][0]) snprintf(out, cap, "%s", s->values[i]);
    pthread_mutex_unlock(&s->lock);
}

/* An empty table. */
static void open_store(game_store *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
}

static gg_credential_store hooks_for(game_store *s) {
    gg_credential_store hooks;
    memset(&hooks, 0, sizeof hooks);
    hooks.struct_size = sizeof hooks;
    hooks.user_data = s;
    hooks.load = store_load;
    hooks.save = store_save;
    hooks.erase = store_erase;
    return hooks;
}

/* ---- what the game hears ----------------------------------------------------------------- */

typedef struct heard {
    int calls;
    int code;
    int had_session;
    char api_code[64];
    char message[512];
    char refresh_token[512];
    char events[16];        /* 'I' signed in, 'R' refreshed, 'O' signed out, 'X' revoked */
    char kept_at_event[512]; /* what the game's store held when the event came */
    game_store *store;
} heard;

static void on_check(void *user_data, const gg_error *error, const elixir_session *s) {
    heard *h = (heard *)user_data;
    h->calls++;
    h->code = error ? error->code : GG_OK;
    h->had_session = s != NULL;
    snprintf(h->api_code, sizeof h->api_code, "%s", error ? error->api_code : "");
    snprintf(h->message, sizeof h->message, "%s", error ? error->message : "");
    snprintf(h->refresh_token, sizeof h->refresh_token, "%s", s ? s->refresh_token : "");
}

static void on_event(void *user_data, uint32_t event, const elixir_session *s) {
    heard *h = (heard *)user_data;
    size_t n = strlen(h->events);
    if (n + 1 < sizeof h->events) h->events[n] = " IROX"[event <= 4 ? event : 0];
    if (h->store) stored_value(h->store, h->kept_at_event, sizeof h->kept_at_event);
    (void)s;
}

static elixir_client *client_at(const char *url) {
    return emulator_elixir_client(url, 5000, 0);
}

typedef struct otp_wait {
    int calls;
    int code;
    char id[128];
} otp_wait;

static void on_otp(void *user_data, const gg_error *error, const char *transaction_id) {
    otp_wait *w = (otp_wait *)user_data;
    w->calls++;
    w->code = error ? error->code : GG_OK;
    snprintf(w->id, sizeof w->id, "%s", transaction_id ? transaction_id : "");
}

/* The e-mail flow: request a code, read it from the emulator, verify it. */
static void sign_in(elixir_client *c, const char *who, heard *h) {
    char email[128], path[256], reply[512], code[16];
    snprintf(email, sizeof email, "%s-%.0f@example.com", who, gg_now_seconds() * 1e6);
    otp_wait w;
    memset(&w, 0, sizeof w);
    CHECK_EQ_INT(elixir_otp_request(c, email, on_otp, &w, NULL), GG_OK);
    TICK_UNTIL(elixir_client_tick, c, &w.calls, 1);
    CHECK_EQ_INT(w.code, GG_OK);
    snprintf(path, sizeof path, "/_emulator/elixir/otp?email=%s", email);
    emulator_call("GET", path, NULL, reply, sizeof reply);
    json_string(reply, "code", code, sizeof code);
    int before = h->calls;
    CHECK_EQ_INT(elixir_otp_verify(c, w.id, code, on_check, h, NULL), GG_OK);
    TICK_UNTIL(elixir_client_tick, c, &h->calls, before + 1);
    CHECK_EQ_INT(h->code, GG_OK);
}

/* Attaches `hooks` (NULL: the OS store) under `slot` and waits for the answer. */
static void attach(elixir_client *c, const gg_credential_store *hooks, const char *slot, heard *h) {
    int before = h->calls;
    if (hooks) {
        CHECK_EQ_INT(elixir_client_use_store(c, hooks, slot, on_check, h, NULL), GG_OK);
    } else {
        CHECK_EQ_INT(elixir_client_use_os_store(c, slot, on_check, h, NULL), GG_OK);
    }
    TICK_UNTIL(elixir_client_tick, c, &h->calls, before + 1);
}

static void on_signed_out(void *user_data, const gg_error *error) {
    (void)error;
    (*(int *)user_data)++;
}

static void sign_out(elixir_client *c) {
    int calls = 0;
    CHECK_EQ_INT(elixir_sign_out(c, on_signed_out, &calls, NULL), GG_OK);
    TICK_UNTIL(elixir_client_tick, c, &calls, 1);
}

/* ---- the game's own store ------------------------------------------------------------------ */

static void test_arguments_are_checked(void) {
    static game_store s;
    open_store(&s);
    gg_credential_store hooks = hooks_for(&s);
    elixir_client *c = client_at(emulator_url);
    heard h;
    memset(&h, 0, sizeof h);
    CHECK_EQ_INT(elixir_client_use_store(NULL, &hooks, "main", on_check, &h, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_client_use_store(c, NULL, "main", on_check, &h, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_client_use_store(c, &hooks, NULL, on_check, &h, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_client_use_store(c, &hooks, "main", NULL, &h, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_client_use_store(c, &hooks, "a/b", on_check, &h, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(elixir_client_use_store(c, &hooks, "", on_check, &h, NULL), GG_INVALID_ARGUMENT);
    gg_credential_store small = hooks;
    small.struct_size = 4;
    CHECK_EQ_INT(elixir_client_use_store(c, &small, "main", on_check, &h, NULL), GG_INVALID_ARGUMENT);
    gg_credential_store missing = hooks;
    missing.erase = NULL;
    CHECK_EQ_INT(elixir_client_use_store(c, &missing, "main", on_check, &h, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(elixir_client_use_os_store(c, NULL, on_check, &h, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(gg_store_op_complete(NULL, GG_OK, NULL), GG_NULL_PARAM);
    CHECK_EQ_INT(h.calls, 0);
    /* One store per client: the second attach is refused at once. */
    attach(c, &hooks, "main", &h);
    CHECK_EQ_INT(h.code, GG_OK);
    CHECK_EQ_INT(elixir_client_use_store(c, &hooks, "other", on_check, &h, NULL), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(elixir_client_use_os_store(c, "other", on_check, &h, NULL), GG_INVALID_ARGUMENT);
    elixir_client_free(c);
    pthread_mutex_destroy(&s.lock);
}

/* A launch with nothing stored, a sign-in, a refresh, a relaunch that restores, a sign-out. */
static void test_the_session_survives_a_restart_and_sign_out_erases_it(void) {
    static game_store s;
    open_store(&s);
    s.complete_later = 1;
    gg_credential_store hooks = hooks_for(&s);
    char kept[512], held[512];

    elixir_client *c = client_at(emulator_url);
    static heard h;
    memset(&h, 0, sizeof h);
    h.store = &s;
    CHECK_EQ_INT(elixir_client_set_session_events(c, on_event, &h), GG_OK);
    attach(c, &hooks, "profile-1", &h);
    CHECK_EQ_INT(h.code, GG_OK);
    CHECK_EQ_INT(h.had_session, 0); /* nobody signed in yet */
    sign_in(c, "kept", &h);
    stored_value(&s, kept, sizeof kept);
    CHECK_STR(kept, h.refresh_token);
    CHECK_STR(h.kept_at_event, h.refresh_token); /* written before the game heard of it */

    int before = h.calls;
    CHECK_EQ_INT(elixir_session_refresh(c, on_check, &h, NULL), GG_OK);
    TICK_UNTIL(elixir_client_tick, c, &h.calls, before + 1);
    CHECK_EQ_INT(h.code, GG_OK);
    stored_value(&s, kept, sizeof kept);
    CHECK_STR(kept, h.refresh_token); /* the rotated token, not the first */
    CHECK_STR(h.kept_at_event, h.refresh_token);
    CHECK_STR(h.events, "IR");
    elixir_client_free(c);

    /* The next launch: the stored session is restored and refreshed; the game hears SIGNED_IN. */
    c = client_at(emulator_url);
    memset(&h, 0, sizeof h);
    h.store = &s;
    CHECK_EQ_INT(elixir_client_set_session_events(c, on_event, &h), GG_OK);
    attach(c, &hooks, "profile-1", &h);
    CHECK_EQ_INT(h.code, GG_OK);
    CHECK_EQ_INT(h.had_session, 1);
    CHECK_STR(h.events, "I");
    CHECK(strcmp(h.refresh_token, kept) != 0); /* refreshed at once: rotated again */
    stored_value(&s, held, sizeof held);
    CHECK_STR(held, h.refresh_token);
    char in_client[512];
    CHECK_EQ_INT(elixir_client_refresh_token(c, in_client, sizeof in_client, NULL), GG_OK);
    CHECK_STR(in_client, held);

    sign_out(c);
    stored_value(&s, held, sizeof held);
    CHECK_STR(held, "");
    CHECK_STR(h.events, "IO");
    elixir_client_free(c);

    /* Another slot is another profile. */
    c = client_at(emulator_url);
    memset(&h, 0, sizeof h);
    attach(c, &hooks, "profile-2", &h);
    CHECK_EQ_INT(h.had_session, 0);
    elixir_client_free(c);
    pthread_mutex_destroy(&s.lock);
}

/* A stored token the service refuses is erased (REVOKED); a network failure keeps it. */
static void test_revocation_erases_and_a_network_failure_keeps(void) {
    static game_store s;
    open_store(&s);
    gg_credential_store hooks = hooks_for(&s);
    char held[512];

    /* A real session, kept. */
    elixir_client *c = client_at(emulator_url);
    heard h;
    memset(&h, 0, sizeof h);
    attach(c, &hooks, "main", &h);
    sign_in(c, "revoked", &h);
    elixir_client_free(c);
    stored_value(&s, held, sizeof held);
    CHECK(held[0] != '\0');

    /* The refresh is lost on the network (the same service, whose connection closes without an
     * answer): the answer says so, and the stored session stays for the next launch. */
    char cut[256];
    snprintf(cut, sizeof cut, "%s/_faults/close-without-answer", emulator_url);
    c = client_at(cut);
    memset(&h, 0, sizeof h);
    attach(c, &hooks, "main", &h);
    CHECK_EQ_INT(h.code, GG_NETWORK);
    elixir_client_free(c);
    char after[512];
    stored_value(&s, after, sizeof after);
    CHECK_STR(after, held);

    /* Make the emulator forget nothing but reject the token: use it up on another client. */
    elixir_client *other = client_at(emulator_url);
    CHECK_EQ_INT(elixir_client_restore_session(other, held), GG_OK);
    heard r;
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(elixir_session_refresh(other, on_check, &r, NULL), GG_OK);
    TICK_UNTIL(elixir_client_tick, other, &r.calls, 1);
    CHECK_EQ_INT(r.code, GG_OK); /* rotated: the stored token is dead now */
    elixir_client_free(other);

    c = client_at(emulator_url);
    memset(&h, 0, sizeof h);
    CHECK_EQ_INT(elixir_client_set_session_events(c, on_event, &h), GG_OK);
    attach(c, &hooks, "main", &h);
    CHECK_EQ_INT(h.code, GG_API_ERROR);
    CHECK_STR(h.api_code, "INVALID_REFRESH_TOKEN");
    CHECK_STR(h.events, "X");
    stored_value(&s, held, sizeof held);
    CHECK_STR(held, "");
    elixir_client_free(c);
    pthread_mutex_destroy(&s.lock);
}

/* A store that never answers (a keyring waiting on an unlock prompt): the launch question is
 * still answered, with GG_TIMEOUT, within twice the request timeout. */
static gg_store_op *held_op;

static void load_and_hold(void *user_data, const char *entry, gg_store_op *op) {
    game_store *s = (game_store *)user_data;
    (void)entry;
    pthread_mutex_lock(&s->lock);
    held_op = op;
    pthread_mutex_unlock(&s->lock);
}

static void test_a_store_that_never_answers_times_out(void) {
    static game_store s;
    open_store(&s);
    gg_credential_store hooks = hooks_for(&s);
    hooks.load = load_and_hold;
    held_op = NULL;
    elixir_client *c = emulator_elixir_client(emulator_url, 200, 0);
    heard h;
    memset(&h, 0, sizeof h);
    attach(c, &hooks, "held", &h);
    CHECK_EQ_INT(h.calls, 1);
    CHECK_EQ_INT(h.code, GG_TIMEOUT);
    /* The game answers at last: the store thread goes on, the late answer is dropped. */
    pthread_mutex_lock(&s.lock);
    gg_store_op *op = held_op;
    pthread_mutex_unlock(&s.lock);
    CHECK(op != NULL);
    if (op) CHECK_EQ_INT(gg_store_op_complete(op, GG_OK, NULL), GG_OK);
    for (int i = 0; i < 20; i++) elixir_client_tick(c);
    CHECK_EQ_INT(h.calls, 1);
    elixir_client_free(c);
    pthread_mutex_destroy(&s.lock);
}

/* ---- the OS store --------------------------------------------------------------------------- */

static int directory_is_empty(const char *path) {
    DIR *d = opendir(path);
    if (!d) return 1;
    int entries = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) entries++;
    closedir(d);
    return entries == 0;
}

static void test_the_os_store(void) {
    const char *expect = getenv("GG_EXPECT_OS_STORE");
    if (!expect) {
        /* The test command runs this test in suites of its own, each with its environment
         * (a keyring in a private D-Bus session; no D-Bus and an empty HOME). */
        fprintf(stderr, "  the OS store is tested by its own suites (GG_EXPECT_OS_STORE not set here)\n");
        return;
    }
    char slot[64];
    snprintf(slot, sizeof slot, "os-%.0f", gg_now_seconds() * 1e3);
    elixir_client *c = client_at(emulator_url);
    heard h;
    memset(&h, 0, sizeof h);
    attach(c, NULL, slot, &h);
    if (strcmp(expect, "unsupported") == 0) {
        CHECK_EQ_INT(h.code, GG_UNSUPPORTED);
        CHECK(strstr(h.message, "plaintext") != NULL);
        fprintf(stderr, "  no OS store here: %s\n", h.message);
        /* Signing in still works; nothing lands on disk. */
        sign_in(c, "no-store", &h);
        elixir_client_free(c);
        const char *home = getenv("HOME");
        CHECK(home != NULL && directory_is_empty(home));
        return;
    }
    CHECK_EQ_INT(h.code, GG_OK);
    CHECK_EQ_INT(h.had_session, 0);
    sign_in(c, "os-store", &h);
    elixir_client_free(c);

    c = client_at(emulator_url);
    memset(&h, 0, sizeof h);
    CHECK_EQ_INT(elixir_client_set_session_events(c, on_event, &h), GG_OK);
    attach(c, NULL, slot, &h);
    CHECK_EQ_INT(h.code, GG_OK);
    CHECK_EQ_INT(h.had_session, 1);
    CHECK_STR(h.events, "I");
    sign_out(c);
    elixir_client_free(c);

    c = client_at(emulator_url);
    memset(&h, 0, sizeof h);
    attach(c, NULL, slot, &h);
    CHECK_EQ_INT(h.code, GG_OK);
    CHECK_EQ_INT(h.had_session, 0); /* sign-out erased it */
    elixir_client_free(c);
}

int main(void) {
    emulator_url = emulator_url_from_env();
    RUN(test_arguments_are_checked);
    RUN(test_the_session_survives_a_restart_and_sign_out_erases_it);
    RUN(test_revocation_erases_and_a_network_failure_keeps);
    RUN(test_a_store_that_never_answers_times_out);
    RUN(test_the_os_store);
    wait_for_threads_to_end();
    return gg_test_summary("c credential store");
}
