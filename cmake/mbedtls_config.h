/* Minimal mbedTLS build for the core: SHA-256 and HMAC (md) for SigV4, SHA-1 for verifying SigV2 only, MD5 for Content-MD5.
   Everything else (RSA, AES-GCM) goes through WebCrypto in the host. */
#ifndef S3P_MBEDTLS_CONFIG_H
#define S3P_MBEDTLS_CONFIG_H
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_MD5_C  /* Content-MD5 of the XML bodies the core rewrites (DeleteObjects), as backends require it */
#include "mbedtls/check_config.h"
#endif
