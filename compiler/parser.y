/*
 * parser.y - the .rnn grammar: tokens -> AST (ast.h).
 *
 * The grammar is deliberately tiny and regular: a file is a list of entries,
 * an entry is `key value` or `key [label] { entries }`. Which keys exist and
 * what they mean is the checker's business (check.c), so the .rnn and YAML
 * front ends share every semantic check and every message.
 *
 *   file    = entry*
 *   entry   = NAME value
 *           | NAME block
 *           | NAME NAME block
 *   value   = NUMBER | STRING | NAME
 *   block   = "{" entry* "}"
 */
%define api.pure full
%define parse.error custom
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {ParseCtx *ctx}

%code requires {
#include <stddef.h>
#include "parse_ctx.h"
typedef void *yyscan_t;
typedef struct ParseString { char *ptr; size_t len; } ParseString;
}

%code {
#include <stdlib.h>
#include <string.h>
#include "frontend.h"
#include "lexer.h"

/* Bison calls this only when its stack is exhausted; open_block keeps
 * nesting far below that, but the report must still be a proper one. */
static void yyerror(YYLTYPE *loc, yyscan_t scanner, ParseCtx *ctx, const char *msg) {
  (void)scanner;
  SrcLoc at = {loc->first_line, loc->first_column};
  diag_error(ctx->diag, at, "%s", msg);
}

static SrcLoc loc_of(YYLTYPE l) {
  SrcLoc s = {l.first_line, l.first_column};
  return s;
}

/* Opens a block at LOC; fails when blocks nest deeper than the language
 * ever needs, which also bounds the parser stack on hostile input. */
static int open_block(ParseCtx *ctx, YYLTYPE loc) {
  if (ctx->depth >= AST_MAX_DEPTH) {
    diag_error(ctx->diag, loc_of(loc), "blocks nest deeper than %d levels",
               AST_MAX_DEPTH);
    return -1;
  }
  ctx->open[ctx->depth++] = loc_of(loc);
  return 0;
}
}

%union {
  AstNode *node;
  char *str;
  ParseString string;
}

%token <str> NAME "name"
%token <str> NUMBER "number"
%token <string> STRING "string"
%token LEXERROR "invalid token"
%token '{' "'{'"
%token '}' "'}'"

%type <node> entries entry block

%destructor { free($$); } <str>
%destructor { free($$.ptr); } <string>
%destructor { ast_free($$); } <node>

%%

file
  : entries                 { ctx->result = ast_reverse($1); }
  ;

/* Built newest-first in O(1) per entry (appending would walk the list and
 * make a long block quadratic), then put in order where a block closes. */
entries
  : %empty                  { $$ = NULL; }
  | entries entry           { $2->next = $1; $$ = $2; }
  ;

entry
  : NAME NUMBER             { $$ = ast_scalar(AST_NUMBER, $1, loc_of(@1), $2, strlen($2), loc_of(@2)); }
  | NAME STRING             { $$ = ast_scalar(AST_STRING, $1, loc_of(@1), $2.ptr, $2.len, loc_of(@2)); }
  | NAME NAME               { $$ = ast_scalar(AST_NAME, $1, loc_of(@1), $2, strlen($2), loc_of(@2)); }
  | NAME block              { $$ = ast_block($1, loc_of(@1), NULL, loc_of(@1), $2, loc_of(@2)); }
  | NAME NAME block         { $$ = ast_block($1, loc_of(@1), $2, loc_of(@2), $3, loc_of(@3)); }
  ;

block
  : '{' { if (open_block(ctx, @1)) YYABORT; } entries '}'
                            { ctx->depth--; $$ = ast_reverse($3); }
  ;

%%

/* Describes a token for "unexpected X": names and numbers quote their text. */
static void describe_token(const ParseCtx *ctx, yysymbol_kind_t tok, char *buf,
                           size_t size) {
  switch (tok) {
  case YYSYMBOL_NAME:
    snprintf(buf, size, "name '%s'", ctx->tok_text);
    break;
  case YYSYMBOL_NUMBER:
    snprintf(buf, size, "number %s", ctx->tok_text);
    break;
  default:
    snprintf(buf, size, "%s", yysymbol_name(tok));
    break;
  }
}

/* The one syntax-error report: "unexpected X, expected A, B or C". A missing
 * '}' at the end of the file also points at the brace left open. */
static int yyreport_syntax_error(const yypcontext_t *pctx, yyscan_t scanner,
                                 ParseCtx *ctx) {
  (void)scanner;
  if (ctx->lex_failed)
    return 0; /* the lexer already said what is wrong */
  yysymbol_kind_t tok = yypcontext_token(pctx);
  SrcLoc at = loc_of(*yypcontext_location(pctx));
  if (tok == YYSYMBOL_YYEOF && ctx->depth > 0) {
    diag_error(ctx->diag, at, "unexpected end of file: a block is not closed");
    diag_note(ctx->diag, ctx->open[ctx->depth - 1], "this '{' has no matching '}'");
    return 0;
  }
  yysymbol_kind_t expected[6];
  int n = yypcontext_expected_tokens(pctx, expected, 6);
  char what[96], list[160] = "";
  describe_token(ctx, tok, what, sizeof what);
  for (int i = 0; i < n; i++) {
    const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
    size_t used = strlen(list);
    snprintf(list + used, sizeof list - used, "%s%s", sep, yysymbol_name(expected[i]));
  }
  if (n > 0)
    diag_error(ctx->diag, at, "unexpected %s, expected %s", what, list);
  else
    diag_error(ctx->diag, at, "unexpected %s", what);
  return 0;
}

AstNode *parse_rnn(Diag *diag, const Source *src) {
  ParseCtx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.diag = diag;
  ctx.src = src;
  yyscan_t scanner;
  if (yylex_init_extra(&ctx, &scanner) != 0) {
    diag_file_error(diag, "out of memory");
    return NULL;
  }
  YY_BUFFER_STATE buf = yy_scan_bytes(src->text, (int)src->len, scanner);
  int rc = yyparse(scanner, &ctx);
  yy_delete_buffer(buf, scanner);
  yylex_destroy(scanner);
  if (rc != 0) {
    ast_free(ctx.result);
    if (diag->errors == 0)
      diag_file_error(diag, "the spec could not be parsed (out of memory?)");
    return NULL;
  }
  if (ctx.result == NULL) {
    SrcLoc start = {1, 1};
    diag_error(diag, start, "empty spec: expected 'model NAME { ... }'");
    return NULL;
  }
  return ctx.result;
}
