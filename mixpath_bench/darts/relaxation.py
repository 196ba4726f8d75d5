"""DARTS' continuous relaxation (Liu et al., ICLR 2019) on S4 and S1 - the paper's Table 2 baseline.

Continuous relaxation over a supernet with a single (vanilla) BN per layer:
* S4: each of the 4 candidate nodes mixes {off, conv1x1, conv3x3, maxpool3x3} with softmax
  weights; one set of architecture weights is shared by all cells (NAS-Bench-101 repeats one cell).
* S1: each layer mixes its 8 candidates; the derived architecture has one path per layer.
The relaxation is each supernet's own: `forward_weighted(x, weights)` (cells and layers own their
modes; with one-hot weights it computes exactly the discrete supernet's output), the weights'
`relaxation_shape()`, `derive(weights)` and `one_hot(arch)`, and `relaxation_labels()` for plots.
Derivation is an argmax per node / layer; an S4 cell never comes out all-off (the node whose best
operation has the largest weight is kept on).
"""
from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call

from ..spaces import Arch

#: what a supernet provides for DARTS' continuous relaxation
RELAXATION = ("forward_weighted", "relaxation_shape", "derive", "one_hot")


def has_relaxation(supernet) -> bool:
    """Whether a supernet (instance or class) offers DARTS' relaxation."""
    return all(callable(getattr(supernet, name, None)) for name in RELAXATION)


def _no_relaxation(space: str) -> ValueError:
    return ValueError(f"DARTS needs a supernet with a continuous relaxation ({', '.join(RELAXATION)}); "
                      f"the {space} supernet has none")


class DartsNetwork(nn.Module):
    """A supernet (built with ``shadow_bn=False``) plus architecture logits ``alpha``."""

    def __init__(self, supernet: nn.Module) -> None:
        super().__init__()
        if not has_relaxation(supernet):
            raise _no_relaxation(supernet.space.name)
        self.supernet = supernet
        self.space_name = supernet.space.name
        rows, cols = supernet.relaxation_shape()
        self.alpha = nn.Parameter(1e-3 * torch.randn(rows, cols))

    def weight_parameters(self) -> list[nn.Parameter]:
        return list(self.supernet.parameters())

    def weights(self) -> torch.Tensor:
        return torch.softmax(self.alpha, dim=-1)

    def forward(self, x: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
        """The supernet's relaxed forward (its own `forward_weighted`) under softmax(alpha) or `weights`."""
        return self.supernet.forward_weighted(x, self.weights() if weights is None else weights)

    def derive(self) -> Arch:
        """The discrete architecture: the supernet's `derive` of softmax(alpha) (S4: argmax per node,
        at least one node on; S1: argmax per layer)."""
        return self.supernet.derive(self.weights().detach())

    def relaxation_labels(self) -> tuple[str, list[str]]:
        """(what a row of alpha is, the label of each column), e.g. ('node', ['off', 'conv1x1', ...])."""
        return self.supernet.relaxation_labels()


def one_hot_weights(arch: Arch, supernet) -> torch.Tensor:
    """The relaxation weights of `supernet` (an instance or class) that select exactly `arch` (S4
    codes 0..3 or single-path S1)."""
    if not has_relaxation(supernet):
        raise _no_relaxation(arch.space)
    return supernet.one_hot(arch)


def first_order_alpha_grad(model: DartsNetwork, loss_fn, val_batch) -> None:
    """alpha.grad = d L_val(w, alpha) / d alpha (DARTS first-order approximation)."""
    loss = loss_fn(model, val_batch, None)
    model.alpha.grad = torch.autograd.grad(loss, [model.alpha])[0]


def second_order_alpha_grad(model: DartsNetwork, loss_fn, train_batch, val_batch, xi: float,
                            weight_decay: float) -> None:
    """alpha.grad by DARTS' unrolled second-order approximation (one virtual SGD step of size xi,
    Hessian-vector product by central finite differences with eps = 0.01 / ||grad_w' L_val||).

    The virtual step includes weight decay but not the momentum buffer (Liu et al.'s code adds
    it); the approximation's structure is otherwise theirs.
    """
    names = [n for n, _ in model.supernet.named_parameters()]
    params = [p for _, p in model.supernet.named_parameters()]
    g_train = torch.autograd.grad(loss_fn(model, train_batch, None), params, allow_unused=True)
    virtual = {n: (p - xi * ((g if g is not None else 0) + weight_decay * p)).detach().requires_grad_(True)
               for n, p, g in zip(names, params, g_train)}
    val_loss = loss_fn(model, val_batch, virtual)
    grads = torch.autograd.grad(val_loss, [model.alpha] + list(virtual.values()), allow_unused=True)
    d_alpha, d_w = grads[0], [g if g is not None else torch.zeros_like(p) for g, p in zip(grads[1:], params)]
    eps = 0.01 / (torch.cat([g.flatten() for g in d_w]).norm() + 1e-12)
    hvp = []
    for sign in (1.0, -1.0):
        shifted = {n: (p + sign * eps * d).detach() for n, p, d in zip(names, params, d_w)}
        hvp.append(torch.autograd.grad(loss_fn(model, train_batch, shifted), [model.alpha])[0])
    model.alpha.grad = d_alpha - xi * (hvp[0] - hvp[1]) / (2 * eps)


def batch_loss(model: DartsNetwork, batch, params: dict | None) -> torch.Tensor:
    """Cross-entropy of an (inputs, labels) batch; `params` substitutes the supernet's weights."""
    x, y = batch
    if params is None:
        logits = model(x)
    else:
        logits = functional_call(model, {f"supernet.{k}": v for k, v in params.items()}, (x,), strict=False)
    return nn.functional.cross_entropy(logits, y)
