// Shared fixtures for the federation unit tests: a throwaway RSA-2048 key (generated once with openssl for these
// tests only; it signs nothing real) with its public JWK values computed independently by node's crypto, an EC key
// (must be rejected), an L2 key, and a config that enables federation.
#pragma once
#include <string>

#include "worker/config/config.h"

namespace fedtest {

inline const char* kRsaPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCwxk7zaqHXGY+d\n"
    "Gjy5CWNeGdRkNim7XPjHn7YsdkkxQ4ltZ470yYMu0U+20wfIQ3i/feT38Nc57m4U\n"
    "2c6uvoaZl+Sp9jAdnJJUEFo8R8maBUKBhlL7WkwFFlYqUO0IXoSDkCJeLW/NlEI2\n"
    "FLpuwsL2V6r46Obu+GSs3yAfi8I2qpVKPTuE8Dl307rkKBJ6fbQfw7lw4jkn/DrN\n"
    "z2oUgKABgAUmasDfVam0shjT1/Qo5Q8lxAHidlwnkWstdAKIY/1YIE74YSIaQtg6\n"
    "sY0zlzBcvpuOpRJtvH0lHRwcSS3JhSuxtd2WQ1VMlgc8R0sojTNwRkdFtvSUakq2\n"
    "DC3GMhFVAgMBAAECggEACzeuU2KBHhv0YdEEKO7IVDSZ5nkMaWQTMmG3ZvdjmiFx\n"
    "w1RGvVBbR3mHUC/whrwHWcl0oeox0i6H5EFVDQAwnOcHXuStNXfVzklSXJBmoeQz\n"
    "DfKW6fXXLJx3/8vuWrFawdl/4M+L0HUXxYRHt1cbFZRHGG/5FZGEG/c1u+K7womx\n"
    "2OYEHO8+B8n2vzIoBQM+5w+uJ9oEmWGJ7br7eRjqDuypM65uvc58XAu4RcD3H+GT\n"
    "BdorXUXrhCy4CT5qV0cwujuFQGqE/lkBQEOiCd9RhzEYPKEgBngxao0l73fOj+V4\n"
    "o9qYQZL0MSghoKVbwY98x5AhBM0Ze4zacYSgG0u94QKBgQD0WeNN+QwpTQfDrVXc\n"
    "kxLxn5pmHuIOZy4TPU4Od+Rb/A3IOLTngSOjTP19k6LyDJvFRq8cwpbGmNe2cLYO\n"
    "FyZEq9PVDTtFK5itKgOlcxXXA3dQx3E8p04XAiU9rhc4RIELwPfOSp/M29kAH9Rg\n"
    "cyyBl35IiNYqIt25Ub/mwZyctQKBgQC5M7P4Osh472j26XMzE8x0tFtL3rWMMEq2\n"
    "HSM9eYemYkK5QKZrHr85+PWq/uFn72YmOBTGIlVi68zqCFJROkDgNnaky/+wGKGb\n"
    "ER4LHboIoa1jgp8C963DdRDcn20BduriWRkIvqExXHtMWHux2ap7BvhP74wtvbh1\n"
    "XEqTsSMmIQKBgQCcbFao+b+hSOCpkXMfyz8bUtLigO6xzbefNWWcuX+Eqyyfej3E\n"
    "3dTUm1rDYxmy3gNyHLfJL4CaDgo5jpndF1C2MVFgWCITO793SygeaDgY9u0Q1zxU\n"
    "Wb4R2JvCionuyVvbDGMWuorl9+9Itxebzt807qg3AvIm8z8BfaXdsR/y6QKBgBCg\n"
    "r7vNq0oQVKA2fX1MfcLMnpXFPQ+FFnAbVZqjWqZ5k/wF7esYK5sM2yGrGJm4SLeN\n"
    "uW/AjWIAQbmRXbKlREXdHfHVzvMEgx3k/4mH9bforCSPCa++hP9Td1wXhDXpc1U3\n"
    "IqRCWT6RSxCjsRdar4+0JH8oxrEko3cF/jwcX0eBAoGAG3fvyn4KvvgZOFz/5gmM\n"
    "S+rHCWusg9Ss6V8TQc34LoO3WdxTc3QnwffvZeuFwVobW7g+vpz2nZJ3Cd9SThh/\n"
    "LxbU0MsfyB2mzbuyQUT3dLNt5ncXRDskfkgN5lIpA0Bwl/qUd/2orvud71umw9jL\n"
    "5D+p7SR/m1+7mvW6u2HrSZg=\n"
    "-----END PRIVATE KEY-----\n";
// node: createPublicKey(pem).export({format: "jwk"}) and the RFC 7638 thumbprint of {e, kty, n}.
inline const char* kRsaN = "sMZO82qh1xmPnRo8uQljXhnUZDYpu1z4x5-2LHZJMUOJbWeO9MmDLtFPttMHyEN4v33k9_DXOe5uFNnOrr6GmZfkqfYwHZySVBBaPEfJmgVCgYZS-1pMBRZWKlDtCF6Eg5AiXi1vzZRCNhS6bsLC9leq-Ojm7vhkrN8gH4vCNqqVSj07hPA5d9O65CgSen20H8O5cOI5J_w6zc9qFICgAYAFJmrA31WptLIY09f0KOUPJcQB4nZcJ5FrLXQCiGP9WCBO-GEiGkLYOrGNM5cwXL6bjqUSbbx9JR0cHEktyYUrsbXdlkNVTJYHPEdLKI0zcEZHRbb0lGpKtgwtxjIRVQ";
inline const char* kRsaE = "AQAB";
inline const char* kRsaThumbprint = "7XmW04VgAtCxBvepRo_LhDD2vJ8SNJTt6fr3gI3-Y-k";

inline const char* kEcPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgq7DlWzxdD51m+TRJ\n"
    "ukd3cDkdR+TgCMrxFdBolBOjmqChRANCAAS3xpz2zfctYnAMnW04Pm3spKgB6OXx\n"
    "KD6vj7AGaasTeo1rJVv2LWez6qIQK27j31B4rIClmgYTAmc9JMyoh9Jh\n"
    "-----END PRIVATE KEY-----\n";

inline const char* kL2Key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";  // base64 of 32 bytes

inline s3p::Env env() { return {{"OIDC_KEY", kRsaPem}, {"L2_KEY", kL2Key}}; }

// A config with one web_identity backend ("fed") behind account "acme"/repository "data".
inline std::string config(const std::string& federation_extra = "", const std::string& auth_extra = "") {
  return R"({
    "federation": {"issuer": "https://proxy.example.org/", "signing_key_secret": "OIDC_KEY", "kid": "k1",
                   "sts_endpoint": "https://sts.example.org", "l2_key_secret": "L2_KEY")" + federation_extra + R"(},
    "backends": {"fed": {"endpoint": "https://s3.example.org", "bucket": "b", "region": "us-east-1",
      "auth": {"type": "web_identity", "role_arn": "arn:aws:iam::123456789012:role/data/reader",
               "subject": "repo:acme/data")" + auth_extra + R"(}}},
    "accounts": {"acme": {"repositories": {"data": {"backend": "fed", "prefix": "p/", "public": true, "cache": {"enabled": false}}}}}
  })";
}

}  // namespace fedtest
