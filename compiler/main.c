/*
 * main.c - the rnnc command: runs the stages and maps failure to exit codes.
 *
 *   source -> frontend (parser.y | yaml_read.c) -> AST -> check -> IR
 *   IR -> canon (yaml) | stats | ir_dump | emit
 *   two IRs -> diff (and emit, for diff --c)
 *
 * Exit status: 0 success, 1 the spec has an error, 2 usage error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "canon.h"
#include "check.h"
#include "diag.h"
#include "diff.h"
#include "emit.h"
#include "frontend.h"
#include "ir.h"
#include "source.h"
#include "stats.h"
#include "version.h"

enum { EXIT_SPEC_ERROR = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: rnnc COMMAND SPEC [options]\n"
    "\n"
    "rnnc compiles a recurrent-network spec (.rnn, or the same model as .yaml)\n"
    "into specialized C.\n"
    "\n"
    "commands:\n"
    "  check SPEC    check the spec; report the first error with its position\n"
    "  yaml SPEC     print the canonical YAML form of the spec (either form)\n"
    "  stats SPEC    print parameters per layer, GEMM FLOPs per training step,\n"
    "                and bytes of parameters, optimizer state and workspace\n"
    "  ir SPEC       print the checked model IR (for tests and debugging)\n"
    "  diff OLD NEW [--c]\n"
    "                what changed from spec OLD to spec NEW: layers added,\n"
    "                removed or changed (each key old -> new), other keys,\n"
    "                parameters, FLOPs and bytes, which tensors keep their\n"
    "                shape; --c adds the generated C's diff for the changed\n"
    "                layers\n"
    "  emit SPEC -o DIR [--max-unroll N]\n"
    "                write DIR/NAME.h, NAME.c and NAME_main.c: the model as C\n"
    "                with every timestep unrolled (N: most layer-timesteps\n"
    "                allowed, default 20000)\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help\n"
    "  --version      show the version\n"
    "\n"
    "exit status: 0 ok, 1 error in the spec, 2 usage error\n"
    "the language: docs/language.md\n";

static int usage_error(const char *fmt, ...) DIAG_PRINTF(1, 2);
static int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "rnnc: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\ntry 'rnnc --help'\n");
  va_end(ap);
  return EXIT_USAGE;
}

/* Loads, parses and checks PATH into M. Returns 0, or 1 after reporting. */
static int load_model(const char *path, IrModel *m) {
  Diag diag;
  diag_init(&diag, stderr, path);
  Source src;
  if (source_load(&diag, path, &src) != 0)
    return EXIT_SPEC_ERROR;
  diag.src = &src;
  AstNode *ast = frontend_read(&diag, &src);
  int rc = ast && check_model(&diag, ast, m) == 0 ? 0 : EXIT_SPEC_ERROR;
  ast_free(ast);
  source_free(&src);
  return rc;
}

/* emit's options after the SPEC: -o DIR (required), --max-unroll N. */
static int parse_emit_options(int argc, char **argv, EmitOptions *opt) {
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i];
    if ((strcmp(a, "-o") == 0 || strcmp(a, "--max-unroll") == 0) && i + 1 >= argc) {
      usage_error("'%s' needs a value", a);
      return -1;
    }
    if (strcmp(a, "-o") == 0) {
      opt->out_dir = argv[++i];
    } else if (strcmp(a, "--max-unroll") == 0) {
      char *end;
      long v = strtol(argv[++i], &end, 10);
      if (*argv[i] == '\0' || *end != '\0' || v < 1) {
        usage_error("--max-unroll takes a positive whole number, not '%s'", argv[i]);
        return -1;
      }
      opt->max_unroll = v;
    } else {
      usage_error("unexpected argument '%s'", a);
      return -1;
    }
  }
  if (!opt->out_dir) {
    usage_error("%s", "'emit' needs an output directory: rnnc emit SPEC -o DIR");
    return -1;
  }
  return 0;
}

static int cmd_emit(IrModel *m, EmitOptions *opt) {
  char hash[65];
  canon_hash(m, hash);
  opt->spec_hash = hash;
  return emit_model(m, opt) == 0 ? 0 : EXIT_SPEC_ERROR;
}

static int cmd_check(const char *path, IrModel *m) {
  printf("%s: ok: model %s, %zu parameters\n", path, m->name, m->param_count);
  return 0;
}

static int cmd_yaml(IrModel *m) {
  size_t len;
  char *text = canon_yaml(m, &len);
  if (!text) {
    fprintf(stderr, "rnnc: error: out of memory\n");
    return EXIT_SPEC_ERROR;
  }
  fwrite(text, 1, len, stdout);
  free(text);
  return 0;
}

static int cmd_stats(IrModel *m) {
  char hash[65];
  canon_hash(m, hash);
  stats_print(m, hash, stdout);
  return 0;
}

/* rnnc diff OLD NEW [--c]: 0 when the models are the same, 1 when they
 * differ, as diff(1) (a spec error is also 1, after its message). */
static int cmd_diff(int argc, char **argv) {
  if (argc < 4)
    return usage_error("%s", "'diff' needs two specs: rnnc diff OLD NEW [--c]");
  int with_c = 0;
  for (int i = 4; i < argc; i++) {
    if (strcmp(argv[i], "--c") != 0)
      return usage_error("unexpected argument '%s'", argv[i]);
    with_c = 1;
  }
  static IrModel a, b; /* large (buffer tables) */
  if (load_model(argv[2], &a) != 0)
    return EXIT_SPEC_ERROR;
  if (load_model(argv[3], &b) != 0) {
    ir_free(&a);
    return EXIT_SPEC_ERROR;
  }
  int rc = diff_models(&a, argv[2], &b, argv[3], stdout);
  if (rc == 1 && with_c) {
    const char *names[IR_MAX_LAYERS * 2];
    int n = diff_changed_layers(&a, &b, names, IR_MAX_LAYERS * 2);
    printf("\n");
    if (diff_generated(&a, argv[2], &b, argv[3], names, n, stdout) != 0)
      rc = -1;
  }
  ir_free(&a);
  ir_free(&b);
  return rc < 0 ? EXIT_SPEC_ERROR : rc;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage_error("%s", "missing command");
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0) {
    printf("rnnc %s\n", RNNC_VERSION);
    return 0;
  }
  static const char *const commands[] = {"check", "yaml", "stats", "ir", "emit", "diff", NULL};
  int known = 0;
  for (int i = 0; commands[i]; i++)
    known |= strcmp(cmd, commands[i]) == 0;
  if (!known) {
    const char *near = diag_suggest(cmd, commands);
    if (near) {
      fprintf(stderr, "rnnc: unknown command '%s'; did you mean '%s'?\n", cmd, near);
      return EXIT_USAGE;
    }
    return usage_error("unknown command '%s'", cmd);
  }
  if (strcmp(cmd, "diff") == 0)
    return cmd_diff(argc, argv);
  if (argc < 3)
    return usage_error("'%s' needs a SPEC file", cmd);
  EmitOptions eopt = {argv[2], NULL, NULL, EMIT_DEFAULT_MAX_UNROLL};
  int is_emit = strcmp(cmd, "emit") == 0;
  if (is_emit) {
    if (parse_emit_options(argc, argv, &eopt) != 0)
      return EXIT_USAGE;
  } else if (argc > 3) {
    return usage_error("unexpected argument '%s'", argv[3]);
  }
  const char *path = argv[2];
  static IrModel model; /* large (buffer tables); one per process */
  if (load_model(path, &model) != 0)
    return EXIT_SPEC_ERROR;
  int rc;
  if (strcmp(cmd, "check") == 0)
    rc = cmd_check(path, &model);
  else if (strcmp(cmd, "yaml") == 0)
    rc = cmd_yaml(&model);
  else if (strcmp(cmd, "stats") == 0)
    rc = cmd_stats(&model);
  else if (is_emit)
    rc = cmd_emit(&model, &eopt);
  else {
    ir_dump(&model, stdout);
    rc = 0;
  }
  ir_free(&model);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "rnnc: error: cannot write the output: %s\n", strerror(errno));
    return EXIT_SPEC_ERROR;
  }
  return rc;
}
