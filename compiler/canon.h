/*
 * canon.h - the canonical YAML text of a checked model, and its hash.
 *
 * Stage prefix: canon_. The canonical text lists every setting, defaults
 * filled in, in one fixed order and one fixed number format, and nothing
 * about where or when it was made (no version, date or path). Two specs that
 * check to the same model therefore give byte-identical text, and its
 * SHA-256 is the spec hash stamped into generated code and checkpoints.
 * The text is also a valid spec: rnnc's YAML reader reads it back into the
 * same IrModel.
 */
#ifndef RNNC_CANON_H
#define RNNC_CANON_H

#include <stddef.h>

#include "ir.h"

/* The canonical YAML of M: malloc'd, NUL-terminated, ends with a newline;
 * the caller frees it. *LEN (when LEN is not NULL) gets its length in bytes
 * without the NUL. Returns NULL when out of memory. */
char *canon_yaml(const IrModel *m, size_t *len);

/* OUT = SHA-256 of canon_yaml(M) as 64 lowercase hex digits and a NUL.
 * Streams the text into the digest, so it needs no allocation and cannot
 * fail. */
void canon_hash(const IrModel *m, char out[65]);

#endif
