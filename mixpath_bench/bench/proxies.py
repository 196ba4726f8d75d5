"""Zero-cost proxies: baseline scorers that rank architectures without a supernet or any training.

Each proxy scores a freshly initialised network on one batch (higher = predicted better), so the
ranking stage can put a supernet's ranking next to these with the same metrics.  Implemented from
the papers:

* ``grad_norm`` - sum over conv/linear weight tensors of ||dL/dW||_2, L = cross-entropy of the batch
  (Abdelfattah et al. 2021, "Zero-Cost Proxies for Lightweight NAS").
* ``snip`` - sum over conv/linear weights of |W * dL/dW| (Lee et al. 2019, as a proxy in Abdelfattah).
* ``synflow`` - every parameter replaced by its absolute value, batch norm removed (identity, as in
  Abdelfattah et al.), one all-ones input, R = sum of the output, score = sum over conv/linear weights
  of |W * dR/dW| (Tanaka et al. 2020); computed in float64 so that deep networks do not overflow.
* ``jacov`` - input Jacobians dsum(y_i)/dx_i of the batch, their correlation matrix' eigenvalues e,
  score = -sum(log(e + 1e-5) + 1 / (e + 1e-5)) (Mellor et al. 2020, arXiv:2006.04647 v1).
* ``naswot`` - binary codes (input > 0) of every ReLU unit for each image, K[i, j] = N_A - Hamming
  distance(c_i, c_j) summed over ReLUs, score = log|det K| (Mellor et al. 2021, ICML).

Networks are scored in training mode (batch statistics, as the papers' untrained networks), except
synflow, whose batch norms are identities.  Every proxy works on a deep copy of the network under a
fixed, private random state, so it is deterministic, leaves the network (weights, buffers, gradients,
mode) and the global random state untouched, and the proxies don't influence one another.
"""
from __future__ import annotations

import contextlib
import copy
from typing import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.conv import _ConvNd

from ..errors import ConfigError
from ..progress import Progress
from ..spaces import Arch

JACOV_EPS = 1e-5


@contextlib.contextmanager
def _private_rng(seed: int = 0) -> Iterator[None]:
    """Run with the global torch random state seeded to `seed`, then put the caller's state back."""
    cpu = torch.get_rng_state()
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    torch.manual_seed(seed)
    try:
        yield
    finally:
        torch.set_rng_state(cpu)
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)


def _weights(net: nn.Module) -> list[nn.Parameter]:
    """The weight tensors of the conv and linear layers: the ones the proxies score."""
    return [m.weight for m in net.modules() if isinstance(m, (_ConvNd, nn.Linear)) and m.weight is not None]


def _on(net: nn.Module, images: torch.Tensor, labels: torch.Tensor | None = None):
    param = next(iter(net.parameters()), None)
    device = param.device if param is not None else images.device
    x = images.to(device=device, dtype=torch.float32)
    return (x, None) if labels is None else (x, labels.to(device=device, dtype=torch.long))


def _loss_grads(net: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(W, dL/dW) of the conv/linear weights of a copy of `net` in training mode, L = cross-entropy."""
    with _private_rng():
        work = copy.deepcopy(net).train()
        x, y = _on(work, images, labels)
        weights = _weights(work)
        loss = nn.functional.cross_entropy(work(x), y)
        grads = torch.autograd.grad(loss, weights, allow_unused=True)
    return [(w.detach(), torch.zeros_like(w) if g is None else g) for w, g in zip(weights, grads)]


def grad_norm(net: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Sum over conv/linear weight tensors of the L2 norm of the loss gradient."""
    return float(sum(g.double().norm().item() for _, g in _loss_grads(net, images, labels)))


def snip(net: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Sum over conv/linear weights of |W * dL/dW| (connection sensitivity)."""
    return float(sum((w.double() * g.double()).abs().sum().item() for w, g in _loss_grads(net, images, labels)))


def _without_batchnorm(net: nn.Module) -> nn.Module:
    """`net` (modified in place) with every batch norm replaced by an identity."""
    for parent in list(net.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, _BatchNorm):
                setattr(parent, name, nn.Identity())
    return net


def synflow(net: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Synaptic flow: sum |W * dR/dW| of the linearised (|W|, no BN, float64) network, R = sum(f(1))."""
    with _private_rng():
        work = _without_batchnorm(copy.deepcopy(net)).double().eval()
        with torch.no_grad():
            for p in work.parameters():
                p.abs_()
        weights = _weights(work)
        x, _ = _on(work, images)
        ones = torch.ones((1,) + tuple(x.shape[1:]), dtype=torch.float64, device=x.device)
        grads = torch.autograd.grad(work(ones).sum(), weights, allow_unused=True)
    return float(sum((w * g).abs().sum().item() for w, g in zip(weights, grads) if g is not None))


def jacov(net: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Jacobian covariance: how uncorrelated the input Jacobians of the batch's images are."""
    with _private_rng():
        work = copy.deepcopy(net).train()
        x, _ = _on(work, images)
        x.requires_grad_(True)
        (jac,) = torch.autograd.grad(work(x).sum(), x)
    jac = jac.reshape(len(jac), -1).double().cpu().numpy()
    corr = np.corrcoef(jac)
    eig = np.linalg.eigvalsh(corr)
    return float(-np.sum(np.log(eig + JACOV_EPS) + 1.0 / (eig + JACOV_EPS)))


def relu_kernel(net: nn.Module, images: torch.Tensor) -> np.ndarray:
    """NASWOT's K: K[i, j] = number of ReLU units (over all nn.ReLU/ReLU6 modules) where images i and j
    have the same binary code (input > 0), i.e. N_A minus their Hamming distance."""
    n = len(images)
    kernel = torch.zeros((n, n), dtype=torch.float64)

    def count(module, inputs, output):
        code = (inputs[0].detach().reshape(n, -1) > 0).double().cpu()
        kernel.add_(code @ code.T + (1 - code) @ (1 - code).T)

    with _private_rng():
        work = copy.deepcopy(net).train()
        relus = [m for m in work.modules() if isinstance(m, (nn.ReLU, nn.ReLU6))]
        if not relus:
            raise ConfigError(f"naswot needs nn.ReLU or nn.ReLU6 modules; {type(net).__name__} has none")
        hooks = [m.register_forward_hook(count) for m in relus]
        x, _ = _on(work, images)
        with torch.no_grad():
            work(x)
        for h in hooks:
            h.remove()
    return kernel.numpy()


def naswot(net: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """NAS without training: log |det K| of the ReLU-code kernel of the batch."""
    return float(np.linalg.slogdet(relu_kernel(net, images))[1])


PROXIES: dict[str, Callable[[nn.Module, torch.Tensor, torch.Tensor], float]] = {
    "grad_norm": grad_norm, "snip": snip, "synflow": synflow, "jacov": jacov, "naswot": naswot}


def check_names(names: Sequence[str]) -> tuple[str, ...]:
    """`names` as a tuple; ConfigError (one line, with the known names) for an unknown one."""
    names = (names,) if isinstance(names, str) else tuple(names)
    unknown = [n for n in names if n not in PROXIES]
    if unknown:
        raise ConfigError(f"unknown zero-cost prox{'ies' if len(unknown) > 1 else 'y'} "
                          f"{', '.join(map(repr, unknown))}; known: {', '.join(PROXIES)}")
    return names


def proxy_scores(network: dict, preprocessor: nn.Module | None, archs: Sequence[Arch], images: torch.Tensor,
                 labels: torch.Tensor, names: Sequence[str] = ("grad_norm", "snip", "synflow", "jacov", "naswot"),
                 seed: int = 0, log: Callable[[str], None] = print) -> dict[str, list[float]]:
    """Every proxy of `names` for every arch of `archs`, in arch order: ``{name: [score, ...]}``.

    Each arch's network is the space's reference stand-alone network (`build_standalone(arch, network,
    "reference")`, what its ground truth trains), built after ``torch.manual_seed(seed)``: the same
    initial weights as its stand-alone training with seed `seed`.  `images` go through
    ``preprocessor.transform(images, False)`` when a preprocessor is given.  The caller's torch random
    state is the same afterwards.
    """
    from ..models.standalone import build_standalone

    names = check_names(names)
    x = preprocessor.transform(images, False) if preprocessor is not None else images.float()
    scores: dict[str, list[float]] = {name: [] for name in names}
    progress = Progress(len(archs), f"proxies ({', '.join(names)})", log)
    cpu = torch.get_rng_state()
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    try:
        for arch in archs:
            torch.manual_seed(seed)
            net = build_standalone(arch, network, "reference").to(x.device)
            for name in names:
                scores[name].append(PROXIES[name](net, x, labels))
            progress.step()
    finally:
        torch.set_rng_state(cpu)
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)
    return scores
