/*
 * ast.h - the spec as written: a tree of keyed entries.
 *
 * Both front ends (parser.y for .rnn, yaml_read.c for YAML) build this same
 * tree, so every semantic check lives once, in check.c. An entry is either
 * `key value` (AST_NUMBER, AST_STRING, AST_NAME) or `key [label] { entries }`
 * (AST_BLOCK). The label names a layer (`lstm enc { ... }`) or picks a kind
 * (`optimizer adam { ... }`). Booleans are the names `true` and `false`.
 *
 *   .rnn                              YAML
 *   units 128                         units: 128
 *   train { batch 32 }                train: {batch: 32}
 *   lstm enc { units 64 }             layers: [{lstm enc: {units: 64}}]
 *                                     (a list only for the model's layers)
 *   optimizer adam { lr 1e-3 }        optimizer adam: {lr: 1e-3}
 *   optimizer adam                    optimizer: adam
 */
#ifndef RNNC_AST_H
#define RNNC_AST_H

#include "source.h"

/* Blocks nest at most this deep in either front end: the language needs 3
 * (model > train > optimizer), and a bound keeps recursion safe. */
#define AST_MAX_DEPTH 8

typedef enum AstKind {
  AST_NUMBER, /* 128, -1.5e-3: text kept, num parsed */
  AST_STRING, /* "text": escapes decoded into text, text_len bytes */
  AST_NAME,   /* softmax, true: identifiers */
  AST_BLOCK   /* { entries } with an optional label */
} AstKind;

typedef struct AstNode AstNode;
struct AstNode {
  AstKind kind;
  char *key;        /* owned */
  SrcLoc key_loc;
  char *label;      /* AST_BLOCK only; owned; NULL when unlabelled */
  SrcLoc label_loc;
  char *text;       /* scalar text (number literal, name, decoded string); owned */
  size_t text_len;  /* bytes in text (strings may hold NUL via \x00) */
  double num;       /* AST_NUMBER: value of text */
  SrcLoc val_loc;   /* scalar value, or the '{' of a block */
  AstNode *child;   /* AST_BLOCK: first entry */
  AstNode *next;    /* next entry in the enclosing block */
};

/* Constructors take ownership of the strings passed in. */
AstNode *ast_scalar(AstKind kind, char *key, SrcLoc key_loc, char *text,
                    size_t text_len, SrcLoc val_loc);
AstNode *ast_block(char *key, SrcLoc key_loc, char *label, SrcLoc label_loc,
                   AstNode *children, SrcLoc val_loc);

/* Reverses a list of entries in place and returns its new head. */
AstNode *ast_reverse(AstNode *list);

/* Appends ENTRY to LIST and returns the list head. */
AstNode *ast_append(AstNode *list, AstNode *entry);

/* Frees a whole list of entries and their children. */
void ast_free(AstNode *list);

/* Prints the tree as indented text (tests and debugging). */
void ast_dump(const AstNode *list, int depth, void *file);

/* Number literal syntax shared by both front ends:
 * -?(digits[.digits*]|.digits)([eE][+-]?digits)?  Returns 1 when TEXT is one. */
int ast_is_number_literal(const char *text);

/* Converts a number literal (see ast_is_number_literal) to *OUT. Returns 0,
 * or -1 when the magnitude is too large for a double or a non-zero literal
 * would round to zero; both front ends then report "number 'X' is out of
 * range", so the checker never sees inf or a silently vanished value. */
int ast_parse_number(const char *text, double *out);

#endif
