/*
 * emit_main.c - NAME_main.c: the standalone program. It only hands the
 * model's description table to the runtime's driver (runtime/program/driver.c),
 * which implements train, eval, predict, sample, export and info for any
 * model.
 */
#include "emitter.h"

void emit_main_file(Emitter *e) {
  char file[IR_NAME_MAX + 16];
  snprintf(file, sizeof file, "%s_main.c", e->m->name);
  emit_banner(e, file, "the standalone program: train, eval, predict, sample, export, info");
  emit_printf(e->out,
              "#include \"%s.h\"\n"
              "#include \"rnn_driver.h\"\n\n"
              "int main(int argc, char **argv) {\n"
              "  return rnn_driver_main(&%s_desc, argc, argv);\n"
              "}\n",
              e->m->name, e->m->name);
}
