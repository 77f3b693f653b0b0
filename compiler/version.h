/* version.h - rnnc's version: printed by --version and stamped into the
 * banner of generated code. */
#ifndef RNNC_VERSION_H
#define RNNC_VERSION_H
#define RNNC_VERSION "0.1.0"
#endif
