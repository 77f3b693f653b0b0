/*
 * ast.c - building, freeing and printing the tree both front ends share,
 * and the number literal syntax they agree on.
 */
#include "ast.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A number node whose text is a literal; ast_scalar fills num itself so a
 * front end cannot forget to. Front ends check the range beforehand with
 * ast_parse_number. */
static double number_value(const char *text) {
  return text != NULL ? strtod(text, NULL) : 0.0;
}

/* A `key value` entry; takes ownership of KEY and TEXT. For AST_NUMBER, num
 * is set from TEXT. Returns NULL when out of memory, having freed both. */
AstNode *ast_scalar(AstKind kind, char *key, SrcLoc key_loc, char *text,
                    size_t text_len, SrcLoc val_loc) {
  AstNode *node = calloc(1, sizeof *node);
  if (node == NULL) {
    free(key);
    free(text);
    return NULL;
  }
  node->kind = kind;
  node->key = key;
  node->key_loc = key_loc;
  node->text = text;
  node->text_len = text_len;
  node->val_loc = val_loc;
  if (kind == AST_NUMBER) node->num = number_value(text);
  return node;
}

/* A `key [label] { children }` entry; takes ownership of KEY, LABEL and the
 * CHILDREN list. Returns NULL when out of memory, having freed all three. */
AstNode *ast_block(char *key, SrcLoc key_loc, char *label, SrcLoc label_loc,
                   AstNode *children, SrcLoc val_loc) {
  AstNode *node = calloc(1, sizeof *node);
  if (node == NULL) {
    free(key);
    free(label);
    ast_free(children);
    return NULL;
  }
  node->kind = AST_BLOCK;
  node->key = key;
  node->key_loc = key_loc;
  node->label = label;
  node->label_loc = label_loc;
  node->child = children;
  node->val_loc = val_loc;
  return node;
}

/* Appends ENTRY (itself possibly a list) to LIST; either may be NULL.
 * Walks LIST, so a reader building a long list should keep its own tail. */
AstNode *ast_append(AstNode *list, AstNode *entry) {
  if (list == NULL) return entry;
  AstNode *tail = list;
  while (tail->next != NULL) tail = tail->next;
  tail->next = entry;
  return list;
}

/* Frees LIST, its children and all their strings. Children are moved into
 * the list being freed rather than freed recursively, so the stack stays
 * flat however the tree was built. */
void ast_free(AstNode *list) {
  while (list != NULL) {
    AstNode *node = list;
    if (node->child != NULL) {
      AstNode *last_child = node->child;
      while (last_child->next != NULL) last_child = last_child->next;
      last_child->next = node->next;
      list = node->child;
    } else {
      list = node->next;
    }
    free(node->key);
    free(node->label);
    free(node->text);
    free(node);
  }
}

/* Prints a string value quoted, escaping what would not read back. */
static void dump_string(FILE *out, const char *text, size_t len) {
  fputc('"', out);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\t': fputs("\\t", out); break;
    case '\r': fputs("\\r", out); break;
    default:
      if (c < 0x20 || c == 0x7F)
        fprintf(out, "\\x%02x", c);
      else
        fputc(c, out); /* printable ASCII and UTF-8 bytes */
    }
  }
  fputc('"', out);
}

static void dump_scalar(FILE *out, const AstNode *node) {
  fprintf(out, "%s = ", node->key);
  switch (node->kind) {
  case AST_NUMBER: fprintf(out, "%s (number)\n", node->text); break;
  case AST_NAME: fprintf(out, "%s (name)\n", node->text); break;
  default:
    dump_string(out, node->text, node->text_len);
    fputs(" (string)\n", out);
  }
}

/* Prints LIST as indented text, two spaces per DEPTH, into FILE (a FILE *).
 * Locations are left out on purpose: a .rnn spec and its YAML form must dump
 * identically, and tests compare the two. */
void ast_dump(const AstNode *list, int depth, void *file) {
  FILE *out = file;
  for (const AstNode *node = list; node != NULL; node = node->next) {
    fprintf(out, "%*s", depth * 2, "");
    if (node->kind != AST_BLOCK) {
      dump_scalar(out, node);
      continue;
    }
    if (node->label != NULL)
      fprintf(out, "%s %s {\n", node->key, node->label);
    else
      fprintf(out, "%s {\n", node->key);
    ast_dump(node->child, depth + 1, out);
    fprintf(out, "%*s}\n", depth * 2, "");
  }
}

static const char *skip_digits(const char *p, int *count) {
  *count = 0;
  while (isdigit((unsigned char)*p)) {
    p++;
    (*count)++;
  }
  return p;
}

/* 1 when TEXT is exactly -?(digits[.digits*]|.digits)([eE][+-]?digits)?.
 * Narrower than strtod on purpose: no '+', hex, inf or nan, so a spec means
 * the same to both front ends and to a reader. */
int ast_is_number_literal(const char *text) {
  int whole, fraction = 0, exponent;
  const char *p = text;
  if (p == NULL) return 0;
  if (*p == '-') p++;
  p = skip_digits(p, &whole);
  if (*p == '.') p = skip_digits(p + 1, &fraction);
  if (whole == 0 && fraction == 0) return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    p = skip_digits(p, &exponent);
    if (exponent == 0) return 0;
  }
  return *p == '\0';
}

/* 1 when the digits before the exponent are not all zero. */
static int mantissa_is_nonzero(const char *text) {
  for (const char *p = text; *p != '\0' && *p != 'e' && *p != 'E'; p++)
    if (*p >= '1' && *p <= '9') return 1;
  return 0;
}

/* Value of a number literal, or -1 when out of a double's range. Relies on
 * the C locale's '.' (rnnc never calls setlocale). See ast.h. */
int ast_parse_number(const char *text, double *out) {
  if (!ast_is_number_literal(text)) return -1;
  double value = strtod(text, NULL);
  /* Subnormal results are accepted even though strtod may flag them with
   * ERANGE: they are still the closest double to what was written. */
  if (isinf(value)) return -1;
  if (value == 0.0 && mantissa_is_nonzero(text)) return -1;
  *out = value;
  return 0;
}

AstNode *ast_reverse(AstNode *list) {
  AstNode *prev = NULL;
  while (list) {
    AstNode *next = list->next;
    list->next = prev;
    prev = list;
    list = next;
  }
  return prev;
}
