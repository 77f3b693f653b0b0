/*
 * emit.c - rnnc's emit stage (emit.h): the checked IR into NAME.h, NAME.c
 * and NAME_main.c. It runs the file emitters in order, each into its own
 * buffer, and writes the files only when all of them succeeded.
 */
#include "emit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emitter.h"

long emit_unroll_count(const IrModel *m) {
  return (long)m->input.length * m->n_recurrent;
}

/* Writes TEXT to TMP; on failure removes it and says why. */
static int write_temp(const char *tmp, const EmitBuf *text) {
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    fprintf(stderr, "rnnc: error: cannot write '%s': %s\n", tmp, strerror(errno));
    return -1;
  }
  size_t n = fwrite(text->data, 1, text->len, f);
  int bad = n != text->len || fflush(f) != 0 || ferror(f);
  int saved = errno;
  if (fclose(f) != 0 || bad) {
    fprintf(stderr, "rnnc: error: cannot write '%s': %s\n", tmp,
            strerror(bad ? saved : errno));
    remove(tmp);
    return -1;
  }
  return 0;
}

/* Writes the N files as DIR/.NAME.tmp, then renames them all into place:
 * an error before the renames leaves nothing behind, so readers never see
 * a half-written file or a header that does not match its source. */
static int write_files(const char *dir, int n, char names[][IR_NAME_MAX + 16],
                       const EmitBuf *texts) {
  char tmp[3][4096], path[4096];
  int written = 0, rc = 0;
  for (; written < n; written++) {
    snprintf(tmp[written], sizeof tmp[written], "%s/.%s.tmp", dir, names[written]);
    if (write_temp(tmp[written], &texts[written]) != 0) {
      rc = -1;
      break;
    }
  }
  for (int i = 0; i < written; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (rc == 0 && rename(tmp[i], path) != 0) {
      fprintf(stderr, "rnnc: error: cannot rename '%s' to '%s': %s\n", tmp[i], path,
              strerror(errno));
      rc = -1;
    }
    if (rc != 0)
      remove(tmp[i]);
  }
  return rc;
}

/* The output directory: a directory we may write, or one that does not
 * exist yet (make_out_dir creates it once the code is generated). */
static int check_out_dir(const char *dir) {
  struct stat st;
  if (stat(dir, &st) != 0) {
    if (errno == ENOENT)
      return 0;
    fprintf(stderr, "rnnc: error: output directory '%s': %s\n", dir, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    fprintf(stderr, "rnnc: error: '%s' is not a directory\n", dir);
    return -1;
  }
  if (access(dir, W_OK) != 0) {
    fprintf(stderr, "rnnc: error: output directory '%s' is not writable\n", dir);
    return -1;
  }
  return 0;
}

/* mkdir -p DIR: each missing component, in order. */
static int make_out_dir(const char *dir) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
    fprintf(stderr, "rnnc: error: output directory '%s': path too long\n", dir);
    return -1;
  }
  for (char *p = path + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char c = *p;
    *p = '\0';
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
      fprintf(stderr, "rnnc: error: cannot create the output directory '%s': %s\n", path,
              strerror(errno));
      return -1;
    }
    *p = c;
    if (c == '\0')
      return 0;
  }
}

int emit_model(const IrModel *m, const EmitOptions *opt) {
  long unroll = emit_unroll_count(m);
  if (unroll > opt->max_unroll) {
    fprintf(stderr,
            "rnnc: error: model '%s' unrolls to %ld layer-timesteps (%d steps x %d "
            "recurrent layers); the limit is %ld\n"
            "  hint: generated code grows with every unrolled step; raise the limit with "
            "--max-unroll %ld if you mean it\n",
            m->name, unroll, m->input.length, m->n_recurrent, opt->max_unroll, unroll);
    return -1;
  }
  if (check_out_dir(opt->out_dir))
    return -1;
  EmitBuf texts[3] = {{0}, {0}, {0}};
  Emitter e = {m, opt, {0}, NULL};
  emit_upper(e.up, m->name, sizeof e.up);
  e.out = &texts[0];
  emit_header_file(&e);
  e.out = &texts[1];
  emit_source_prologue(&e);
  emit_init(&e);
  emit_optimizer(&e);
  emit_step_fn(&e);
  emit_desc(&e);
  emit_printf(e.out, "\n");
  emit_forward(&e);
  emit_backward(&e);
  e.out = &texts[2];
  emit_main_file(&e);
  for (int i = 0; i < 3; i++)
    emit_layout(&texts[i]);
  int rc = 0;
  if (texts[0].failed || texts[1].failed || texts[2].failed) {
    fprintf(stderr, "rnnc: error: out of memory while generating code\n");
    rc = -1;
  }
  char names[3][IR_NAME_MAX + 16];
  snprintf(names[0], sizeof names[0], "%s.h", m->name);
  snprintf(names[1], sizeof names[1], "%s.c", m->name);
  snprintf(names[2], sizeof names[2], "%s_main.c", m->name);
  if (rc == 0)
    rc = make_out_dir(opt->out_dir);
  if (rc == 0)
    rc = write_files(opt->out_dir, 3, names, texts);
  for (int i = 0; i < 3; i++)
    free(texts[i].data);
  return rc;
}
