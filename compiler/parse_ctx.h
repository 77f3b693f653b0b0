/*
 * parse_ctx.h - state shared by the .rnn lexer and parser for one parse.
 *
 * Owned by parse_rnn's stack frame and handed to flex as its "extra" and to
 * bison as a parse parameter: there is no global parser state.
 */
#ifndef RNNC_PARSE_CTX_H
#define RNNC_PARSE_CTX_H

#include "ast.h"
#include "diag.h"

typedef struct ParseCtx {
  Diag *diag;
  const Source *src;
  AstNode *result;                   /* the file's entries on success */
  int lex_failed;                    /* lexer already reported an error */
  int depth;                         /* open '{' count */
  SrcLoc open[AST_MAX_DEPTH + 1];    /* where each open '{' stands */
  char tok_text[48];                 /* text of the latest token, for messages */
  int end_line, end_col;             /* just past the latest token */
} ParseCtx;

#endif
