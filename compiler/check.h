/*
 * check.h - AST -> checked model IR.
 *
 * check_model validates every key, value, range and cross-layer rule of the
 * language (docs/language.md), fills in defaults, infers shapes and lays out
 * the parameter table. It reports the first error through DIAG (with the
 * source position, a caret and a hint where one helps) and returns -1; on
 * success it returns 0 and OUT is complete. OUT is caller-owned; call
 * ir_free on it after a successful check.
 */
#ifndef RNNC_CHECK_H
#define RNNC_CHECK_H

#include "ast.h"
#include "diag.h"
#include "ir.h"

/* Limits of the language; each is named in the error that enforces it. */
#define CHECK_MAX_UNITS 65536
#define CHECK_MAX_VOCAB 16777216
#define CHECK_MAX_LENGTH 1000000
#define CHECK_MAX_BATCH 65536

int check_model(Diag *diag, const AstNode *file, IrModel *out);

#endif
