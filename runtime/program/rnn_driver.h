/*
 * rnn_driver.h - the program every generated model becomes.
 *
 * NAME_main.c calls rnn_driver_main with the model's description table;
 * the driver implements the subcommands (train, eval, predict, sample,
 * info) for any model, on the data loaders and checkpoints of the runtime.
 * Exit status: 0 success, 1 runtime or data error, 2 usage error.
 */
#ifndef RNN_DRIVER_H
#define RNN_DRIVER_H

#include "rnn_model.h"

int rnn_driver_main(const RnnModelDesc *model, int argc, char **argv);

#endif
