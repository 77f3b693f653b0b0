/*
 * sha256.h - SHA-256 (FIPS 180-4), one-shot and incremental.
 *
 * Used for the spec hash (canon.c) that generated code and stats report, so
 * it must give the same digest on every host: the code is portable C with
 * fixed-width arithmetic and no dependence on byte order.
 */
#ifndef RNNC_SHA256_H
#define RNNC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES 32
#define SHA256_HEX_CHARS 64 /* lowercase hex, plus a NUL in buffers */

/* Running state of one digest; plain data, safe to copy. */
typedef struct Sha256 {
  uint32_t h[8];       /* chaining value */
  uint64_t total;      /* bytes fed so far */
  uint8_t block[64];   /* pending input not yet compressed */
  size_t fill;         /* bytes used in block */
} Sha256;

/* Starts a new digest in CTX. */
void sha256_init(Sha256 *ctx);

/* Feeds LEN bytes of DATA; DATA may be NULL when LEN is 0. */
void sha256_update(Sha256 *ctx, const void *data, size_t len);

/* Finishes the digest into OUT. CTX must be re-initialised before reuse. */
void sha256_final(Sha256 *ctx, uint8_t out[32]);

/* OUT = SHA-256 of the LEN bytes at DATA. */
void sha256(const void *data, size_t len, uint8_t out[32]);

/* OUT = SHA-256 of DATA as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

/* Writes DIGEST as 64 lowercase hex digits and a NUL into OUT. */
void sha256_to_hex(const uint8_t digest[32], char out[65]);

#endif
