#!/usr/bin/python3
"""PyTorch twin of specs/chargen.rnn (seed 000's character model).

fortunes.txt as bytes; the vocabulary is its distinct bytes in ascending
order (114 of them), fed one-hot to an LSTM(128) (the spec's vocab 128: ids
114..127 are never used) and a per-step Dense(128, softmax). The last 5% of
the file is validation text (Keras's split point int(n * 0.95)), the rest
training text. Seed 000's batch layout: the 32 rows start 32 evenly spaced
segments of the text; a round reads 65 bytes per row (64 inputs, the next
byte of each as its target) and the next round starts at the last byte read;
the LSTM state is carried from round to round (stateful) and reset at each
pass. Cross-entropy (mean over the 32 x 64 predictions), Adam 2e-3, global
norm clipping at 5. The training text makes 1195 rounds per pass. The spec
says 1 epoch (1195 steps); examples/chargen.sh trains --steps 3000 (2.5
passes, the state reset at each new pass), and so does this script by
default.

Prints the validation loss per character (nats): every round of the same
layout over the validation text, state carried from round to round from
zeros, every prediction counted once, as rnnc evaluates text:

  RESULT chargen valid_loss_per_char x.xxxxxx
  RESULT chargen valid_bits_per_char x.xxxxxx

Defaults measured with: --steps 3000 (as examples/chargen.sh), --threads 1,
--seed 1. rnnc's side:
  chargen train fortunes.txt --val-split 0.05 --steps 3000 --threads 1 \
      --checkpoint C --log L.csv
  (the valid_loss of the log's last row)
"""
import common as c  # first: it pins the BLAS threads before torch loads

import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


VOCAB, T, BATCH, UNITS, LR, CLIP, VAL = 128, 64, 32, 128, 2e-3, 5.0, 0.05


class CharLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(VOCAB, UNITS, batch_first=True)
        c.init_recurrent_(self.lstm, 4, forget_bias=1.0)
        self.logits = nn.Linear(UNITS, VOCAB)
        c.init_dense_(self.logits)

    def forward(self, x, state):
        y, state = self.lstm(F.one_hot(x, VOCAB).float(), state)
        return self.logits(y), state


def zero_state():
    return (torch.zeros(1, BATCH, UNITS), torch.zeros(1, BATCH, UNITS))


def evaluate(model, ids):
    rounds = c.text_rounds(ids.shape[0], T, BATCH)
    state, total = zero_state(), 0.0
    with torch.no_grad():
        for r in range(rounds):
            x, y = c.text_round(ids, T, BATCH, r)
            logits, state = model(x, state)
            total += F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1),
                                     reduction="sum").item()
    return total / (rounds * BATCH * T), rounds


def main():
    p = c.base_parser(__doc__, "optimizer steps (default 3000, as examples/chargen.sh; "
                      "the spec's 1 epoch is 1195)")
    args = p.parse_args()
    c.setup(args)
    ids, vocab = c.text_ids(os.path.join(args.data, "fortunes.txt"))
    split = int(ids.shape[0] * (1.0 - VAL))
    train, valid = ids[:split], ids[split:]
    per_epoch = c.text_rounds(train.shape[0], T, BATCH)
    steps = c.total_steps(args, per_epoch, 3000)
    c.info(f"chargen: {len(vocab)} distinct bytes, {train.shape[0]} training bytes "
           f"({per_epoch} rounds per epoch), {valid.shape[0]} validation bytes; {steps} steps")
    model = CharLSTM()
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
    timer = c.Timer()
    state, window = zero_state(), []
    for step in range(steps):
        r = step % per_epoch
        if r == 0:
            state = zero_state()  # a new pass starts new sequences
        x, y = c.text_round(train, T, BATCH, r)
        logits, state = model(x, state)
        state = tuple(s.detach() for s in state)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        window.append(loss.item())
        if (step + 1) % 200 == 0:
            c.info(f"chargen: step {step + 1} train loss {sum(window) / len(window):.4f}")
            window = []
    train_time = timer()
    loss, rounds = evaluate(model, valid)
    c.info(f"chargen: {steps} steps, {c.count_params(model)} parameters, "
           f"train {train_time:.1f} s, validation over {rounds} rounds")
    c.result("chargen", "valid_loss_per_char", loss)
    c.result("chargen", "valid_bits_per_char", loss / math.log(2))
    print(f"TIME chargen train_seconds {train_time:.1f}", flush=True)


if __name__ == "__main__":
    main()
