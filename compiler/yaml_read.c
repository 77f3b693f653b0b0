/*
 * yaml_read.c - the YAML front end, and the choice between the two.
 *
 * The YAML form mirrors .rnn key for key, so it maps onto the same AST:
 *
 *   model chargen:                    model chargen {
 *     layers:                           lstm lstm1 { units 128 }
 *       - lstm lstm1: {units: 128}      train { optimizer adam { lr 2e-3 } }
 *     train:                          }
 *       optimizer adam: {lr: 2e-3}
 *
 * A key is `NAME` or `NAME LABEL`; a mapping value is a block, a scalar value
 * a number, name or string. The one list allowed is the model's `layers`,
 * whose items are spliced into the model block so the tree matches .rnn
 * exactly. Semantics (known keys, duplicates, types) are check.c's job.
 *
 * libyaml's event parser is used rather than its document loader: events
 * carry the marks for every message, and stopping at the first problem means
 * a hostile file is never fully built in memory. Recursion follows block
 * nesting only and stops at AST_MAX_DEPTH.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "frontend.h"

/* Same words as parse_rnn uses, so both forms read alike. */
#define EMPTY_SPEC_MESSAGE "empty spec: expected 'model NAME { ... }'"

/* Where a mapping's entries sit, which decides whether `layers` may be a
 * list: only in the block of the root's `model` entry. */
typedef enum BlockRole { ROLE_ROOT, ROLE_MODEL, ROLE_OTHER } BlockRole;

typedef struct YamlReader {
  Diag *diag;
  const Source *src;
  yaml_parser_t parser;
  yaml_event_t event; /* the event being looked at, when have_event */
  int have_event;
  int seen_layers;    /* the model's `layers:` list was read (at layers_at) */
  SrcLoc layers_at;
} YamlReader;

/* Entries read so far, with the tail kept so appending stays O(1) however
 * long a block is. */
typedef struct EntryList {
  AstNode *head;
  AstNode *tail;
} EntryList;

/* A mapping key split into its parts; name and label are owned. */
typedef struct Key {
  char *name;
  char *label; /* NULL when the key has none */
  SrcLoc loc;
  SrcLoc label_loc;
} Key;

static void entry_list_add(EntryList *list, AstNode *entries) {
  if (entries == NULL) return;
  if (list->head == NULL)
    list->head = entries;
  else
    list->tail->next = entries;
  list->tail = entries;
  while (list->tail->next != NULL) list->tail = list->tail->next;
}

static void key_free(Key *key) {
  free(key->name);
  free(key->label);
  key->name = NULL;
  key->label = NULL;
}

/* libyaml marks are 0-based; ours are 1-based like the editor's. */
static SrcLoc loc_of_mark(yaml_mark_t mark) {
  return (SrcLoc){(int)mark.line + 1, (int)mark.column + 1};
}

static SrcLoc event_loc(const YamlReader *r) {
  return loc_of_mark(r->event.start_mark);
}

static void report_out_of_memory(YamlReader *r) {
  diag_file_error(r->diag, "out of memory");
}

/* libyaml's own words, at its mark. Reader errors (control characters)
 * carry a byte offset instead of a mark. */
static void report_parser_error(YamlReader *r) {
  const yaml_parser_t *p = &r->parser;
  if (p->error == YAML_MEMORY_ERROR) {
    report_out_of_memory(r);
    return;
  }
  const char *problem = p->problem != NULL ? p->problem : "invalid YAML";
  SrcLoc loc = p->error == YAML_READER_ERROR
                   ? source_loc_at(r->src, p->problem_offset)
                   : loc_of_mark(p->problem_mark);
  if (p->context != NULL)
    diag_error(r->diag, loc, "%s %s", problem, p->context);
  else
    diag_error(r->diag, loc, "%s", problem);
}

/* Anchors, aliases and tags add meaning the .rnn form cannot express, so a
 * spec may not use them; checked on every event as it arrives. */
static int check_node_properties(YamlReader *r) {
  const yaml_event_t *e = &r->event;
  const yaml_char_t *anchor = NULL, *tag = NULL;
  switch (e->type) {
  case YAML_ALIAS_EVENT:
    diag_error(r->diag, event_loc(r), "YAML aliases are not supported in specs");
    return -1;
  case YAML_SCALAR_EVENT:
    anchor = e->data.scalar.anchor;
    tag = e->data.scalar.tag;
    break;
  case YAML_SEQUENCE_START_EVENT:
    anchor = e->data.sequence_start.anchor;
    tag = e->data.sequence_start.tag;
    break;
  case YAML_MAPPING_START_EVENT:
    anchor = e->data.mapping_start.anchor;
    tag = e->data.mapping_start.tag;
    break;
  default:
    return 0;
  }
  if (anchor != NULL) {
    diag_error(r->diag, event_loc(r), "YAML anchors are not supported in specs");
    return -1;
  }
  if (tag != NULL) {
    diag_error(r->diag, event_loc(r), "YAML tags are not supported in specs");
    return -1;
  }
  return 0;
}

/* Moves to the next event; reports and returns -1 on a YAML error or a
 * forbidden anchor, alias or tag. */
static int advance(YamlReader *r) {
  if (r->have_event) {
    yaml_event_delete(&r->event);
    r->have_event = 0;
  }
  if (!yaml_parser_parse(&r->parser, &r->event)) {
    report_parser_error(r);
    return -1;
  }
  r->have_event = 1;
  return check_node_properties(r);
}

static int is_plain(const yaml_event_t *e) {
  return e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int scalar_equals(const yaml_event_t *e, const char *word) {
  size_t n = strlen(word);
  return e->data.scalar.length == n &&
         memcmp(e->data.scalar.value, word, n) == 0;
}

/* A missing value (`key:`) or one of YAML's plain spellings of null. */
static int scalar_is_null(const yaml_event_t *e) {
  static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
  if (!is_plain(e)) return 0;
  for (const char *const *w = nulls; *w != NULL; w++)
    if (scalar_equals(e, *w)) return 1;
  return 0;
}

static int is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Length of the NAME at S (at most N bytes), 0 when none starts there. */
static size_t name_length(const char *s, size_t n) {
  size_t i = 0;
  if (n == 0 || !is_name_start(s[0])) return 0;
  while (i < n && is_name_char(s[i])) i++;
  return i;
}

/* 1 when the whole of TEXT (N bytes) is one NAME. */
static int is_whole_name(const char *text, size_t n) {
  return n > 0 && name_length(text, n) == n;
}

/* Splits key text into NAME and optional LABEL; returns -1 when it is not
 * of that form. Offsets are bytes, and columns too: names are ASCII. */
static int split_key(const char *text, size_t n, size_t *name_len,
                     size_t *label_at, size_t *label_len) {
  size_t i = name_length(text, n);
  if (i == 0) return -1;
  *name_len = i;
  *label_at = *label_len = 0;
  if (i == n) return 0;
  while (i < n && text[i] == ' ') i++;
  size_t label = name_length(text + i, n - i);
  if (label == 0 || i + label != n || i == *name_len) return -1;
  *label_at = i;
  *label_len = label;
  return 0;
}

/* Reads the current event as a mapping key into KEY. */
static int read_key(YamlReader *r, Key *key) {
  const yaml_event_t *e = &r->event;
  size_t name_len, label_at, label_len;
  memset(key, 0, sizeof *key);
  if (e->type != YAML_SCALAR_EVENT ||
      split_key((const char *)e->data.scalar.value, e->data.scalar.length,
                &name_len, &label_at, &label_len) != 0) {
    diag_error(r->diag, event_loc(r),
               "a key must be a name, or a name and a label (like 'lstm enc')");
    return -1;
  }
  const char *text = (const char *)e->data.scalar.value;
  key->loc = event_loc(r);
  key->name = strndup(text, name_len);
  if (label_len > 0) {
    /* A quoted key's text starts one column after its mark. With escapes
     * in it the decoded offsets no longer match columns: point at the key. */
    int quote = is_plain(e) ? 0 : 1;
    size_t span = e->end_mark.index - e->start_mark.index;
    int exact = quote == 0 || span == e->data.scalar.length + 2;
    key->label = strndup(text + label_at, label_len);
    key->label_loc = exact ? (SrcLoc){key->loc.line, key->loc.col + quote + (int)label_at}
                           : key->loc;
  }
  if (key->name == NULL || (label_len > 0 && key->label == NULL)) {
    key_free(key);
    report_out_of_memory(r);
    return -1;
  }
  return 0;
}

/* Adds a node to LIST, or reports running out of memory when NODE is NULL
 * (the constructors have freed what they were given). */
static int add_node(YamlReader *r, EntryList *list, AstNode *node) {
  if (node == NULL) {
    report_out_of_memory(r);
    return -1;
  }
  entry_list_add(list, node);
  return 0;
}

/* A block's depth counts the blocks around it and itself: the model block
 * is 1, train 2, optimizer 3. */
static int check_block_depth(YamlReader *r, int depth) {
  if (depth <= AST_MAX_DEPTH) return 0;
  diag_error(r->diag, event_loc(r), "blocks nest deeper than %d levels",
             AST_MAX_DEPTH);
  return -1;
}

/* Which kind of AST scalar a YAML scalar becomes: quoting always means a
 * string; a plain scalar is a number or a name when it looks like one. */
static AstKind scalar_kind(const yaml_event_t *e) {
  const char *text = (const char *)e->data.scalar.value;
  size_t n = e->data.scalar.length;
  if (!is_plain(e)) return AST_STRING;
  if (ast_is_number_literal(text)) return AST_NUMBER;
  if (is_whole_name(text, n)) return AST_NAME;
  return AST_STRING;
}

/* `key: value` with a non-null scalar value; takes KEY's strings. */
static int add_scalar(YamlReader *r, Key *key, EntryList *list) {
  const yaml_event_t *e = &r->event;
  SrcLoc val_loc = event_loc(r);
  AstKind kind = scalar_kind(e);
  double ignored;
  if (kind == AST_NUMBER &&
      ast_parse_number((const char *)e->data.scalar.value, &ignored) != 0) {
    diag_error(r->diag, val_loc, "number '%s' is out of range",
               (const char *)e->data.scalar.value);
    key_free(key);
    return -1;
  }
  /* Copied with its length: a quoted string may hold "\0". */
  size_t len = e->data.scalar.length;
  char *text = malloc(len + 1);
  if (text == NULL) {
    key_free(key);
    report_out_of_memory(r);
    return -1;
  }
  memcpy(text, e->data.scalar.value, len);
  text[len] = '\0';
  AstNode *node = ast_scalar(kind, key->name, key->loc, text, len, val_loc);
  key->name = NULL;
  return add_node(r, list, node);
}

/* `key: <scalar>`: a value, or with a null value and a label an empty
 * block (`- lstm enc:`). Takes KEY's strings. */
static int read_scalar_entry(YamlReader *r, int depth, Key *key,
                             EntryList *list) {
  const yaml_event_t *e = &r->event;
  SrcLoc val_loc = event_loc(r);
  if (key->label != NULL && scalar_is_null(e)) {
    if (check_block_depth(r, depth + 1) != 0) {
      key_free(key);
      return -1;
    }
    AstNode *node = ast_block(key->name, key->loc, key->label, key->label_loc,
                              NULL, val_loc);
    key->name = key->label = NULL;
    return add_node(r, list, node);
  }
  if (scalar_is_null(e)) {
    diag_error(r->diag, key->loc, "missing value for '%s'", key->name);
    key_free(key);
    return -1;
  }
  if (key->label != NULL) {
    diag_error(r->diag, val_loc, "'%s %s' needs a block of settings",
               key->name, key->label);
    key_free(key);
    return -1;
  }
  return add_scalar(r, key, list);
}

static int read_entries(YamlReader *r, int depth, BlockRole role,
                        EntryList *list);

/* `key: {mapping}` as a block one level below DEPTH. Takes KEY's strings. */
static int read_block_entry(YamlReader *r, int depth, BlockRole role, Key *key,
                            EntryList *list) {
  SrcLoc val_loc = event_loc(r);
  if (check_block_depth(r, depth + 1) != 0) {
    key_free(key);
    return -1;
  }
  BlockRole inner =
      role == ROLE_ROOT && strcmp(key->name, "model") == 0 ? ROLE_MODEL
                                                             : ROLE_OTHER;
  EntryList children = {NULL, NULL};
  if (read_entries(r, depth + 1, inner, &children) != 0) {
    ast_free(children.head);
    key_free(key);
    return -1;
  }
  AstNode *node = ast_block(key->name, key->loc, key->label, key->label_loc,
                            children.head, val_loc);
  key->name = key->label = NULL;
  return add_node(r, list, node);
}

/* One `- KIND NAME: {...}` item of `layers` (current event: its mapping
 * start); its single layer block is added to the model's LIST. */
static int read_layer_item(YamlReader *r, int depth, EntryList *list) {
  SrcLoc item_loc = event_loc(r);
  EntryList item = {NULL, NULL};
  if (read_entries(r, depth, ROLE_OTHER, &item) != 0) {
    ast_free(item.head);
    return -1;
  }
  /* Point at what breaks the rule: the empty item, the second entry, or
   * an entry that is a setting rather than a layer block. */
  int ok = 0;
  SrcLoc bad_loc = item_loc;
  if (item.head == NULL)
    bad_loc = item_loc;
  else if (item.head->next != NULL)
    bad_loc = item.head->next->key_loc;
  else if (item.head->kind != AST_BLOCK)
    bad_loc = item.head->key_loc;
  else
    ok = 1;
  if (!ok) {
    diag_error(r->diag, bad_loc,
               "each item of 'layers' must be one layer, like "
               "'- lstm NAME: {units: 128}'");
    ast_free(item.head);
    return -1;
  }
  entry_list_add(list, item.head);
  return 0;
}

/* `layers: [...]` in the model block: each item's layer is spliced into
 * LIST in order, so the AST is the one the .rnn form gives. Takes KEY. */
static int read_layers(YamlReader *r, int depth, BlockRole role, Key *key,
                       EntryList *list) {
  int allowed = role == ROLE_MODEL && key->label == NULL &&
                strcmp(key->name, "layers") == 0;
  SrcLoc at = key->loc;
  key_free(key);
  if (!allowed) {
    diag_error(r->diag, event_loc(r),
               "a list is only allowed for 'layers' in the model block");
    return -1;
  }
  /* the lists are spliced into the model, so the checker would never see
   * two of them: catch it here */
  if (r->seen_layers) {
    diag_error(r->diag, at, "duplicate key 'layers' in model");
    diag_note(r->diag, r->layers_at, "'layers' was first given here");
    return -1;
  }
  r->seen_layers = 1;
  r->layers_at = at;
  for (;;) {
    if (advance(r) != 0) return -1;
    if (r->event.type == YAML_SEQUENCE_END_EVENT) return 0;
    if (r->event.type != YAML_MAPPING_START_EVENT) {
      diag_error(r->diag, event_loc(r),
                 "each item of 'layers' must be one layer, like "
                 "'- lstm NAME: {units: 128}'");
      return -1;
    }
    if (read_layer_item(r, depth, list) != 0) return -1;
  }
}

/* One `key: value` pair; the current event is the key. */
static int read_entry(YamlReader *r, int depth, BlockRole role,
                      EntryList *list) {
  Key key;
  if (read_key(r, &key) != 0) return -1;
  if (advance(r) != 0) {
    key_free(&key);
    return -1;
  }
  switch (r->event.type) {
  case YAML_SCALAR_EVENT:
    return read_scalar_entry(r, depth, &key, list);
  case YAML_MAPPING_START_EVENT:
    return read_block_entry(r, depth, role, &key, list);
  case YAML_SEQUENCE_START_EVENT:
    return read_layers(r, depth, role, &key, list);
  default: /* libyaml sends nothing else where a value belongs */
    diag_error(r->diag, event_loc(r), "missing value for '%s'", key.name);
    key_free(&key);
    return -1;
  }
}

/* The entries of the mapping whose start is the current event, up to its
 * end, added to LIST. DEPTH is that of the block they belong to (0 for the
 * document's top). On failure LIST may hold entries the caller frees. */
static int read_entries(YamlReader *r, int depth, BlockRole role,
                        EntryList *list) {
  for (;;) {
    if (advance(r) != 0) return -1;
    if (r->event.type == YAML_MAPPING_END_EVENT) return 0;
    if (read_entry(r, depth, role, list) != 0) return -1;
  }
}

/* The document's top node (current event) into LIST. */
static int read_root(YamlReader *r, EntryList *list) {
  const yaml_event_t *e = &r->event;
  if (e->type == YAML_SCALAR_EVENT && scalar_is_null(e)) {
    diag_error(r->diag, event_loc(r), EMPTY_SPEC_MESSAGE);
    return -1;
  }
  if (e->type != YAML_MAPPING_START_EVENT) {
    diag_error(r->diag, event_loc(r),
               "the top of a YAML spec must be a mapping like 'model NAME:'");
    return -1;
  }
  SrcLoc loc = event_loc(r);
  if (read_entries(r, 0, ROLE_ROOT, list) != 0) return -1;
  if (list->head == NULL) { /* `{}`: nothing in it, as an empty file */
    diag_error(r->diag, loc, EMPTY_SPEC_MESSAGE);
    return -1;
  }
  return 0;
}

/* The whole stream: exactly one document holding the spec. */
static int read_stream(YamlReader *r, EntryList *list) {
  if (advance(r) != 0) return -1; /* stream start */
  if (advance(r) != 0) return -1;
  if (r->event.type == YAML_STREAM_END_EVENT) { /* nothing, or comments */
    diag_error(r->diag, (SrcLoc){1, 1}, EMPTY_SPEC_MESSAGE); /* as .rnn */
    return -1;
  }
  if (advance(r) != 0) return -1; /* past the document start */
  if (read_root(r, list) != 0) return -1;
  if (advance(r) != 0) return -1; /* document end */
  if (advance(r) != 0) return -1;
  if (r->event.type != YAML_STREAM_END_EVENT) {
    diag_error(r->diag, event_loc(r), "a spec holds one YAML document");
    return -1;
  }
  return 0;
}

/* Reads the YAML form of a spec. See frontend.h. */
AstNode *yaml_read(Diag *diag, const Source *src) {
  YamlReader r;
  memset(&r, 0, sizeof r);
  r.diag = diag;
  r.src = src;
  if (!yaml_parser_initialize(&r.parser)) {
    report_out_of_memory(&r);
    return NULL;
  }
  yaml_parser_set_input_string(&r.parser, (const unsigned char *)src->text,
                               src->len);
  EntryList list = {NULL, NULL};
  int rc = read_stream(&r, &list);
  if (r.have_event) yaml_event_delete(&r.event);
  yaml_parser_delete(&r.parser);
  if (rc != 0) {
    ast_free(list.head);
    return NULL;
  }
  return list.head;
}

static int has_suffix(const char *path, const char *suffix) {
  size_t n = strlen(path), m = strlen(suffix);
  return n >= m && strcmp(path + n - m, suffix) == 0;
}

/* YAML for paths ending ".yaml" or ".yml" (case matters), .rnn otherwise.
 * See frontend.h. */
AstNode *frontend_read(Diag *diag, const Source *src) {
  const char *path = src->path != NULL ? src->path : "";
  if (has_suffix(path, ".yaml") || has_suffix(path, ".yml"))
    return yaml_read(diag, src);
  return parse_rnn(diag, src);
}
