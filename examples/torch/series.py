#!/usr/bin/python3
"""PyTorch twin of specs/series.rnn.

Seed 001 sections 14.3.2-3: windows of 20 steps of one value (the series
t*sin(t)/3 + 2*sin(5t)) with the next value as the target at every step;
SimpleRNN(100, relu) returning every step, a linear Dense(1) applied per
step; MSE, Adam 1e-3, batch 50, 1000 steps. series_train.csv has 301 rows,
so 281 windows, 5 batches per epoch (the last partial batch dropped, a new
shuffle every epoch). Prints the MSE over every window of series_test.csv
(every element counted once, as `series eval` does):

  RESULT series test_mse 0.xxxx

Defaults measured with: --steps 1000 (the spec's), --threads 1, --seed 1.
rnnc's side:
  series train series_train.csv --threads 1 --checkpoint C
  series eval series_test.csv --checkpoint C
"""
import common as c  # first: it pins the BLAS threads before torch loads

import os

import torch
import torch.nn as nn
import torch.nn.functional as F


T, BATCH, UNITS, LR, STEPS = 20, 50, 100, 1e-3, 1000


class Series(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(1, UNITS, nonlinearity="relu", batch_first=True)
        c.init_recurrent_(self.rnn, 1)
        self.out = nn.Linear(UNITS, 1)
        c.init_dense_(self.out)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.out(y)


def main():
    p = c.base_parser(__doc__, "optimizer steps (default 1000, the spec's)")
    args = p.parse_args()
    c.setup(args)
    xtr, ytr = c.csv_windows(c.load_series(os.path.join(args.data, "series_train.csv")), T)
    xte, yte = c.csv_windows(c.load_series(os.path.join(args.data, "series_test.csv")), T)
    model = Series()
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
    gen = torch.Generator().manual_seed(args.seed)
    steps = c.total_steps(args, xtr.shape[0] // BATCH, STEPS)
    timer = c.Timer()
    for step, (_, idx) in enumerate(c.epoch_batches(xtr.shape[0], BATCH, steps, gen), 1):
        loss = F.mse_loss(model(xtr[idx]), ytr[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 200 == 0:
            c.info(f"series: step {step} train loss {loss.item():.4f}")
    train_time = timer()
    with torch.no_grad():
        mse = F.mse_loss(model(xte), yte).item()
        train_mse = F.mse_loss(model(xtr), ytr).item()
    c.info(f"series: {steps} steps, {c.count_params(model)} parameters, "
           f"train {train_time:.1f} s, train-set mse {train_mse:.4f}")
    c.result("series", "test_mse", mse)
    print(f"TIME series train_seconds {train_time:.1f}", flush=True)


if __name__ == "__main__":
    main()
