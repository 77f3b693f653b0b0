#!/usr/bin/python3
"""PyTorch twin of specs/fashion_rnn.rnn and specs/fashion_lstm.rnn.

Seed 001 section 14.3.1: each 28x28 Fashion-MNIST image is read as 28 steps
of 28 pixels (/ 255); the last state of a SimpleRNN(150, tanh) or an
LSTM(150) feeds Dense(10, softmax). Cross-entropy, Adam 1e-3 (betas 0.9,
0.999, eps 1e-8), batch 150, 5 epochs over the 60000 training images
(400 steps per epoch, 2000 steps), a new shuffle every epoch; no validation
split. Prints the accuracy on the 10000 t10k images:

  RESULT fashion_rnn test_accuracy 0.xxxx
  RESULT fashion_lstm test_accuracy 0.xxxx
(and test_loss lines, the mean cross-entropy on t10k).

Defaults measured with: --steps 2000 (the spec's 5 epochs), --threads 1,
--seed 1. rnnc's side:
  fashion_rnn train train-images.gz train-labels.gz --threads 1 --checkpoint C
  fashion_rnn eval t10k-images.gz t10k-labels.gz --checkpoint C
"""
import common as c  # first: it pins the BLAS threads before torch loads

import os

import torch
import torch.nn as nn
import torch.nn.functional as F


BATCH, UNITS, LR, EPOCHS = 150, 150, 1e-3, 5


class RowClassifier(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.cell = cell
        if cell == "rnn":
            self.rnn = nn.RNN(28, UNITS, nonlinearity="tanh", batch_first=True)
            c.init_recurrent_(self.rnn, 1)
        else:
            self.rnn = nn.LSTM(28, UNITS, batch_first=True)
            c.init_recurrent_(self.rnn, 4, forget_bias=1.0)
        self.logits = nn.Linear(UNITS, 10)
        c.init_dense_(self.logits)

    def forward(self, x):
        _, h = self.rnn(x)
        if self.cell == "lstm":
            h = h[0]
        return self.logits(h[-1])


def run(name, cell, args, xtr, ytr, xte, yte):
    c.setup(args)
    model = RowClassifier(cell)
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
    gen = torch.Generator().manual_seed(args.seed)
    per_epoch = xtr.shape[0] // BATCH
    steps = c.total_steps(args, per_epoch, EPOCHS * per_epoch)
    timer = c.Timer()
    window, last_epoch = [], 0
    for epoch, idx in c.epoch_batches(xtr.shape[0], BATCH, steps, gen):
        if epoch != last_epoch:
            c.info(f"{name}: epoch {last_epoch + 1} train loss {sum(window) / len(window):.4f}")
            window, last_epoch = [], epoch
        loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        window.append(loss.item())
    c.info(f"{name}: epoch {last_epoch + 1} train loss {sum(window) / len(window):.4f}")
    train_time = timer()
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, xte.shape[0], 1000):
            out = model(xte[i:i + 1000])
            total_loss += F.cross_entropy(out, yte[i:i + 1000], reduction="sum").item()
            correct += (out.argmax(1) == yte[i:i + 1000]).sum().item()
    n = xte.shape[0]
    c.info(f"{name}: {steps} steps, {c.count_params(model)} parameters, "
           f"train {train_time:.1f} s, test loss {total_loss / n:.4f}")
    c.result(name, "test_accuracy", correct / n)
    c.result(name, "test_loss", total_loss / n)
    print(f"TIME {name} train_seconds {train_time:.1f}", flush=True)


def main():
    p = c.base_parser(__doc__, "optimizer steps (default 2000: the spec's 5 epochs)")
    p.add_argument("--model", choices=["fashion_rnn", "fashion_lstm", "both"], default="both")
    args = p.parse_args()
    d = os.path.join(args.data, "fashion")
    xtr, ytr = c.load_idx(os.path.join(d, "train-images-idx3-ubyte.gz"),
                          os.path.join(d, "train-labels-idx1-ubyte.gz"))
    xte, yte = c.load_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz"),
                          os.path.join(d, "t10k-labels-idx1-ubyte.gz"))
    for name, cell in (("fashion_rnn", "rnn"), ("fashion_lstm", "lstm")):
        if args.model in (name, "both"):
            run(name, cell, args, xtr, ytr, xte, yte)


if __name__ == "__main__":
    main()
