/* Minimal mbedTLS build for the core: SHA-256 and HMAC (md) for SigV4, SHA-1 for verifying SigV2 only.
   Everything else (RSA, AES-GCM) goes through WebCrypto in the host. */
#ifndef S3P_MBEDTLS_CONFIG_H
#define S3P_MBEDTLS_CONFIG_H
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA1_C
#include "mbedtls/check_config.h"
#endif
