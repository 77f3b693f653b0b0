#!/usr/bin/python3
"""Expected optimizer trajectories for tests/runtime/test_math.c, from PyTorch.

Runs each optimizer configuration of the runtime's tests through torch.optim
(in float64) for three steps from a fixed parameter vector with a fixed
gradient sequence, and prints a C table to paste into test_math.c between
its "BEGIN optim_reference.py output" and "END" markers.

    /usr/bin/python3 tests/runtime/optim_reference.py

Needs PyTorch (Debian: apt-get install python3-torch). The parameters and
gradients are dyadic fractions, exact in float too, so the float build of
the test starts from the same numbers.
"""

import torch

PARAMS0 = [0.5, -1.25, 2.0, -0.03125, 0.75]
GRADS = [
    [0.25, -0.5, 1.5, 0.0625, -2.0],
    [-0.125, -0.75, 1.0, 0.5, -1.5],
    [0.375, 0.25, -0.5, -0.0625, 0.125],
]

# name, kind, and the RnnOptConfig fields the runtime reads. Defaults are
# filled in by case(); every value is passed to torch explicitly. Some cases
# use a large eps so that where eps sits (outside the sqrt, as in torch) is
# visible even in the float build.
def case(name, kind, lr, momentum=0.0, beta1=0.9, beta2=0.999, eps=1e-8, rho=0.99,
         weight_decay=0.0, initial_accumulator=0.0, nesterov=False, centered=False):
    return dict(name=name, kind=kind, lr=lr, momentum=momentum, beta1=beta1, beta2=beta2,
                eps=eps, rho=rho, weight_decay=weight_decay,
                initial_accumulator=initial_accumulator, nesterov=nesterov,
                centered=centered)

CASES = [
    case("sgd", "SGD", 0.1),
    case("sgd+momentum", "SGD", 0.1, momentum=0.9),
    case("sgd+nesterov", "SGD", 0.1, momentum=0.9, nesterov=True),
    case("sgd+momentum+weight_decay", "SGD", 0.1, momentum=0.5, weight_decay=0.01),
    case("rmsprop", "RMSPROP", 0.01, rho=0.99, eps=1e-8),
    case("rmsprop centered+momentum", "RMSPROP", 0.01, rho=0.9, eps=1e-8, momentum=0.9,
         centered=True),
    case("rmsprop centered", "RMSPROP", 0.01, rho=0.9, eps=1e-8, centered=True),
    case("rmsprop momentum+weight_decay", "RMSPROP", 0.01, rho=0.95, eps=1e-3,
         momentum=0.5, weight_decay=0.1),
    case("adam", "ADAM", 0.001, beta1=0.9, beta2=0.999, eps=1e-8),
    case("adam+weight_decay", "ADAM", 0.01, beta1=0.8, beta2=0.99, eps=1e-3,
         weight_decay=0.1),
    case("adagrad", "ADAGRAD", 0.1, eps=1e-10),
    case("adagrad init+weight_decay", "ADAGRAD", 0.1, eps=1e-3, initial_accumulator=0.1,
         weight_decay=0.01),
]


def make_optimizer(c, params):
    if c["kind"] == "SGD":
        return torch.optim.SGD(params, lr=c["lr"], momentum=c["momentum"], dampening=0,
                               nesterov=c["nesterov"], weight_decay=c["weight_decay"])
    if c["kind"] == "RMSPROP":
        return torch.optim.RMSprop(params, lr=c["lr"], alpha=c["rho"], eps=c["eps"],
                                   momentum=c["momentum"], centered=c["centered"],
                                   weight_decay=c["weight_decay"])
    if c["kind"] == "ADAM":
        return torch.optim.Adam(params, lr=c["lr"], betas=(c["beta1"], c["beta2"]),
                                eps=c["eps"], weight_decay=c["weight_decay"])
    if c["kind"] == "ADAGRAD":
        return torch.optim.Adagrad(params, lr=c["lr"], lr_decay=0, eps=c["eps"],
                                   initial_accumulator_value=c["initial_accumulator"],
                                   weight_decay=c["weight_decay"])
    raise ValueError(c["kind"])


def trajectory(c):
    p = torch.tensor(PARAMS0, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(c, [p])
    out = []
    for g in GRADS:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(p.detach().tolist())
    return out


def c_double(v):
    # repr is the shortest text that reads back as exactly the same double
    return repr(float(v))


def c_list(values):
    return "{" + ", ".join(c_double(v) for v in values) + "}"


def main():
    n, steps = len(PARAMS0), len(GRADS)
    print("/* BEGIN optim_reference.py output (PyTorch %s, float64) */" % torch.__version__)
    print("enum { OPT_N = %d, OPT_STEPS = %d };" % (n, steps))
    print("static const double opt_params0[OPT_N] = %s;" % c_list(PARAMS0))
    print("static const double opt_grads[OPT_STEPS][OPT_N] = {")
    for g in GRADS:
        print("    %s," % c_list(g))
    print("};")
    print("typedef struct OptCase {")
    print("  const char *name;")
    print("  RnnOptKind kind;")
    print("  double lr, momentum, beta1, beta2, eps, rho, weight_decay, initial_accumulator;")
    print("  int nesterov, centered;")
    print("  double expected[OPT_STEPS][OPT_N]; /* params after each step */")
    print("} OptCase;")
    print("static const OptCase opt_cases[] = {")
    for c in CASES:
        print("    {\"%s\", RNN_OPT_%s," % (c["name"], c["kind"]))
        print("     %s," % ", ".join(c_double(c[k]) for k in (
            "lr", "momentum", "beta1", "beta2", "eps", "rho", "weight_decay",
            "initial_accumulator")))
        print("     %d, %d," % (int(c["nesterov"]), int(c["centered"])))
        print("     {")
        for row in trajectory(c):
            print("         %s," % c_list(row))
        print("     }},")
    print("};")
    print("/* END optim_reference.py output */")


if __name__ == "__main__":
    main()
