/*
 * frontend.h - the two readers that turn a spec's text into an AST.
 *
 * parse_rnn reads the .rnn language (lexer.l + parser.y); yaml_read reads the
 * YAML form with libyaml. Both return the entries of the file (normally one
 * `model NAME { ... }` block) and report any error through DIAG, returning
 * NULL. Neither keeps global state; both are safe to call repeatedly.
 */
#ifndef RNNC_FRONTEND_H
#define RNNC_FRONTEND_H

#include "ast.h"
#include "diag.h"

AstNode *parse_rnn(Diag *diag, const Source *src);
AstNode *yaml_read(Diag *diag, const Source *src);

/* Picks the reader by extension (.yaml/.yml -> YAML, anything else -> .rnn). */
AstNode *frontend_read(Diag *diag, const Source *src);

#endif
