#ifndef TOKENBATCH_CCRYPTO_SHIM_H
#define TOKENBATCH_CCRYPTO_SHIM_H

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

// OpenSSL spells these as function-like macros, which Swift cannot import.

static inline void tokenbatch_openssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

static inline long tokenbatch_bio_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

#endif
