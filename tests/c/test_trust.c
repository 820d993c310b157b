/* Whom TLS trusts, from C. A CA that only the OS store holds signs the emulator's HTTPS
 * certificate: the default and GG_TRUST_OS trust it; GG_TRUST_BUNDLED refuses it, saying who
 * refused and why. The OS store is OpenSSL's on Linux (SSL_CERT_FILE) and the current user's
 * ROOT store on Windows (wine's CryptoAPI chain engine, which also fetches the certificate's
 * revocation list from the emulator). On Windows, too: the chain engine refuses the CA before
 * it is in the store and accepts it added by the game, and a revocation fetch that outlasts
 * the request ends with the request's deadline. */
#include "gg_test.h"

#include "gamegate.h"
#include "gg_emulator.h"


typedef struct outcome {
    int calls;
    int code;
    char message[512];
} outcome;

static void on_session(void *user_data, const gg_error *error, const kgen_session *session) {
    outcome *o = (outcome *)user_data;
    (void)session;
    o->calls++;
    o->code = error ? error->code : GG_OK;
    snprintf(o->message, sizeof o->message, "%s", error ? error->message : "");
}

static char https_url[128], wrong_host_url[128], ca_pem[4096], revocation_held_url[128];

#ifndef _WIN32
/* Puts the emulator's CA into the OS trust store of this process: OpenSSL's variables, which
 * name it on Linux. */
static void trust_the_ca_in_the_os_store(void) {
    static char path[256];
    snprintf(path, sizeof path, "%s/gamegate-test-os-ca.pem", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(ca_pem, f);
    fclose(f);
    CHECK_EQ_INT(setenv("SSL_CERT_FILE", path, 1), 0);
    CHECK_EQ_INT(setenv("SSL_CERT_DIR", "/nonexistent-gamegate-test", 1), 0);
}

static void forget_the_ca(void) {}
#else
#include <windows.h>
#include <wincrypt.h>

static BYTE ca_der[4096];
static DWORD ca_der_len;

/* Puts the emulator's CA into the current user's ROOT store, where an enterprise's or a
 * TLS-inspecting proxy's root lives. (Through a store closed at once: wine writes a store's
 * additions to the registry, where the chain engine reads them, only when it is closed.) */
static void trust_the_ca_in_the_os_store(void) {
    ca_der_len = sizeof ca_der;
    CHECK(CryptStringToBinaryA(ca_pem, 0, CRYPT_STRING_BASE64HEADER, ca_der, &ca_der_len, NULL, NULL));
    CHECK(CertAddEncodedCertificateToSystemStoreA("ROOT", ca_der, ca_der_len));
}

/* Takes it out again: later suites of the same emulator expect an unknown CA. The store is the
 * registry key the add wrote (wine does not carry CertDeleteCertificateFromStore there). */
static void forget_the_ca(void) {
    PCCERT_CONTEXT ca = CertCreateCertificateContext(X509_ASN_ENCODING, ca_der, ca_der_len);
    BYTE sha1[20];
    DWORD size = sizeof sha1;
    CHECK(ca != NULL && CertGetCertificateContextProperty(ca, CERT_SHA1_HASH_PROP_ID, sha1, &size));
    if (ca) CertFreeCertificateContext(ca);
    char key[128];
    int at = snprintf(key, sizeof key, "Software\\Microsoft\\SystemCertificates\\Root\\Certificates\\");
    for (DWORD i = 0; i < size && at < (int)sizeof key - 2; i++) at += snprintf(key + at, sizeof key - (size_t)at, "%02X", sha1[i]);
    CHECK_EQ_INT((int)RegDeleteKeyA(HKEY_CURRENT_USER, key), ERROR_SUCCESS);
}
#endif

static void session_with_trust(const char *url, int32_t mode, const char *root_pem, outcome *o) {
    gg_options *opts = gg_options_new();
    if (root_pem) CHECK_EQ_INT(gg_options_add_root_certificates_pem(opts, root_pem), GG_OK);
    CHECK_EQ_INT(gg_options_set_base_url(opts, url), GG_OK);
    CHECK_EQ_INT(gg_options_set_timeout_ms(opts, 5000), GG_OK);
    CHECK_EQ_INT(gg_options_set_retries(opts, 0, 0), GG_OK);
    if (mode >= 0) CHECK_EQ_INT(gg_options_set_trust(opts, (uint32_t)mode), GG_OK);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, opts, &c), GG_OK);
    gg_options_free(opts);
    memset(o, 0, sizeof *o);
    if (!c) return;
    CHECK_EQ_INT(kgen_create_session(c, "trust-player", on_session, o, NULL), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &o->calls, 1);
    kgen_client_free(c);
}

static void test_trust_modes_are_checked(void) {
    gg_options *o = gg_options_new();
    CHECK_EQ_INT(gg_options_set_trust(NULL, GG_TRUST_OS), GG_NULL_PARAM);
    CHECK_EQ_INT(gg_options_set_trust(o, 3), GG_INVALID_ARGUMENT);
    CHECK_EQ_INT(gg_options_set_trust(o, GG_TRUST_BUNDLED), GG_OK);
    gg_options_free(o);
}

static void test_a_root_only_the_os_holds(void) {
    trust_the_ca_in_the_os_store();
    outcome o;
    session_with_trust(https_url, -1, NULL, &o); /* the default */
    if (o.code != GG_OK) fprintf(stderr, "  default: %s\n", o.message);
    CHECK_EQ_INT(o.code, GG_OK);
    session_with_trust(https_url, GG_TRUST_OS, NULL, &o);
    if (o.code != GG_OK) fprintf(stderr, "  os: %s\n", o.message);
    CHECK_EQ_INT(o.code, GG_OK);

    session_with_trust(https_url, GG_TRUST_BUNDLED, NULL, &o);
    CHECK_EQ_INT(o.code, GG_TLS);
    fprintf(stderr, "  bundled: %s\n", o.message);
    CHECK(strstr(o.message, "bundled Mozilla roots refused") != NULL);
    CHECK(strstr(o.message, "unknown issuer") != NULL);

    /* The OS store trusts the CA, but the name is wrong: the OS says so. */
    session_with_trust(wrong_host_url, GG_TRUST_OS, NULL, &o);
    CHECK_EQ_INT(o.code, GG_TLS);
    fprintf(stderr, "  wrong name: %s\n", o.message);
    CHECK(strstr(o.message, "OS trust store refused") != NULL);
    CHECK(strstr(o.message, "host name") != NULL);
    forget_the_ca();
}

#ifdef _WIN32
static void test_the_windows_chain_engine_checks_certificates(void) {
    outcome o;
    session_with_trust(https_url, -1, NULL, &o); /* the default: the OS, which lacks the CA */
    fprintf(stderr, "  default, no CA: %s\n", o.message); /* wine reports its own revocation failure */
    CHECK_EQ_INT(o.code, GG_TLS);
    CHECK(strstr(o.message, "OS trust store refused") != NULL);
    CHECK(strstr(o.message, "OS Error") == NULL); /* a reason in words, not the engine's number */
    session_with_trust(https_url, GG_TRUST_BUNDLED, NULL, &o);
    CHECK_EQ_INT(o.code, GG_TLS);
    CHECK(strstr(o.message, "bundled Mozilla roots refused") != NULL);
    /* The CA added by the game is trusted in every mode, here through the chain engine. */
    for (int32_t mode = GG_TRUST_DEFAULT; mode <= GG_TRUST_OS; mode++) {
        session_with_trust(https_url, mode, ca_pem, &o);
        if (o.code != GG_OK) fprintf(stderr, "  mode %d with the CA: %s\n", (int)mode, o.message);
        CHECK_EQ_INT(o.code, GG_OK);
    }
    session_with_trust(wrong_host_url, GG_TRUST_OS, ca_pem, &o);
    fprintf(stderr, "  wrong name: %s\n", o.message);
    CHECK_EQ_INT(o.code, GG_TLS);
    CHECK(strstr(o.message, "OS trust store (and the roots you added) refused") != NULL);
    CHECK(strstr(o.message, "host name") != NULL);
}

/* The chain engine goes to the network while it checks: this certificate names a revocation
 * list the emulator answers only after 3 s (the server sends its CA along, so the engine
 * finds the issuer to check against). The check ends by the request's 1 s deadline with
 * GG_TIMEOUT; before, the I/O thread waited for the fetch, and the answer was the engine's
 * revocation failure, long past the deadline. */
static void test_a_slow_revocation_check_ends_by_the_deadline(void) {
    gg_options *opts = gg_options_new();
    CHECK_EQ_INT(gg_options_set_base_url(opts, revocation_held_url), GG_OK);
    CHECK_EQ_INT(gg_options_set_timeout_ms(opts, 1000), GG_OK);
    CHECK_EQ_INT(gg_options_set_retries(opts, 0, 0), GG_OK);
    CHECK_EQ_INT(gg_options_set_trust(opts, GG_TRUST_OS), GG_OK);
    kgen_client *c = NULL;
    CHECK_EQ_INT(kgen_client_new(EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, opts, &c), GG_OK);
    gg_options_free(opts);
    if (!c) return;
    outcome o;
    memset(&o, 0, sizeof o);
    CHECK_EQ_INT(kgen_create_session(c, "trust-player", on_session, &o, NULL), GG_OK);
    TICK_UNTIL(kgen_client_tick, c, &o.calls, 1);
    fprintf(stderr, "  revocation list held: %s\n", o.message);
    CHECK_EQ_INT(o.code, GG_TIMEOUT);
    CHECK(strstr(o.message, "did not finish checking the server's certificate") != NULL);
    kgen_client_free(c);
}
#endif

int main(void) {
    emulator_url = emulator_url_from_env();
    emulator_tls(https_url, sizeof https_url, ca_pem, sizeof ca_pem, wrong_host_url, sizeof wrong_host_url);
    emulator_tls_field("revocation_held_url", revocation_held_url, sizeof revocation_held_url);
    RUN(test_trust_modes_are_checked);
#ifndef _WIN32
    RUN(test_a_root_only_the_os_holds);
#else
    /* Wine's chain engine reads the ROOT store once per process: the CA in the store is tested
     * by a process of its own (GG_TRUST_ROOT_STORE=1, a suite of its own in the cross run). */
    if (getenv("GG_TRUST_ROOT_STORE")) {
        RUN(test_a_root_only_the_os_holds);
    } else {
        RUN(test_the_windows_chain_engine_checks_certificates);
        RUN(test_a_slow_revocation_check_ends_by_the_deadline);
    }
#endif
    wait_for_threads_to_end();
    return gg_test_summary("c trust");
}
