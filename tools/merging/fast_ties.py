"""An exact TIES merge that selects the top-k magnitudes by partial selection.

mergekit's TIES (`sparsify.magnitude`) sorts every delta (`argsort`, O(n log n)) to keep
the `density` fraction of largest magnitudes. Only the k-th largest magnitude is needed:
numpy's introselect (`np.partition`, O(n)) finds it, and the kept set is every element
above it plus as many elements equal to it as make exactly k. The kept count is the same
as mergekit's; the only freedom is which of several equal magnitudes at the threshold is
kept, which mergekit's unstable sort also leaves open (and zeros kept or dropped change
nothing). Trim, sign election and disjoint mean then follow mergekit's arithmetic step by
step, so outputs agree within float rounding (checked in the tests and the benchmark).

The method is registered in mergekit's registry under `toolpath_ties` through its public
`merge_methods.register`, so on-disk merges stream through mergekit's own executor.
"""

from __future__ import annotations

from functools import cache
from typing import Any

FAST_TIES_NAME = "toolpath_ties"


def topk_magnitude_mask(delta, density: float):
    """Boolean mask keeping exactly `max(1, int(density * n))` largest |delta| (n > 0)."""
    import torch

    count = delta.numel()
    keep = max(1, int(density * count))
    magnitude = delta.detach().abs().reshape(-1).float()
    if keep >= count:
        return torch.ones_like(magnitude, dtype=torch.bool).reshape(delta.shape)
    values = magnitude.numpy().copy()
    values.partition(count - keep)
    threshold = float(values[count - keep])
    del values
    mask = magnitude > threshold
    missing = keep - int(mask.sum())
    if missing > 0 and threshold > 0:
        ties = torch.nonzero(magnitude == threshold).reshape(-1)[:missing]
        mask[ties] = True
    return mask.reshape(delta.shape)


def magnitude_sparsify(delta, density: float, rescale: bool):
    """`delta` with all but its top-`density` magnitudes zeroed (optionally L1-rescaled)."""
    import torch

    if density >= 1:
        return delta
    if density <= 0 or delta.numel() == 0:
        return torch.zeros_like(delta)
    mask = topk_magnitude_mask(delta, density)
    masked = delta.masked_fill(~mask, 0)
    if not rescale:
        return masked
    before, after = delta.abs().sum(), masked.abs().sum()
    if before < 1e-7 or after < 1e-7:
        return masked
    return masked * (before / after)


def ties_tensor(
    base,
    others: list,
    weights: list[float],
    densities: list[float],
    *,
    normalize: bool = True,
    rescale: bool = False,
    scale: float = 1.0,
):
    """TIES for one tensor: trim each task vector, elect signs, disjoint (weighted) mean."""
    import torch

    if not others:
        return base
    # mergekit holds the weights in the tensors' dtype; round them the same way
    weights = [float(torch.tensor(w, dtype=base.dtype)) for w in weights]
    deltas = []
    votes = torch.zeros_like(base)
    for tensor, weight, density in zip(others, weights, densities, strict=True):
        delta = magnitude_sparsify(tensor - base, density, rescale)
        delta.mul_(weight)
        votes.add_(delta)
        deltas.append(delta)
    positive = votes >= 0
    del votes
    mixed = torch.zeros_like(base)
    divisor = torch.zeros_like(base)
    for delta, weight in zip(deltas, weights, strict=True):
        agree = torch.where(positive, delta > 0, delta < 0)
        mixed.add_(delta.masked_fill_(~agree, 0))
        divisor.add_(agree, alpha=weight)
    divisor[divisor == 0] = 1
    if normalize:
        mixed.div_(divisor)
    if scale != 1:
        mixed.mul_(scale)
    return (base + mixed).to(base.dtype)


@cache
def fast_ties_method() -> Any:
    """The mergekit merge-method object for the fast TIES, registered once."""
    from mergekit import merge_methods
    from mergekit.merge_methods.generalized_task_arithmetic import (
        ConsensusMethod,
        GeneralizedTaskArithmeticMerge,
    )
    from mergekit.sparsify import SparsificationMethod

    class FastTiesMerge(GeneralizedTaskArithmeticMerge):
        """mergekit's TIES parameters and arithmetic, with O(n) top-k selection."""

        def merge_group(self, group, /, **parameters: Any):
            entries = group.non_base
            return ties_tensor(
                group.base.tensor,
                [entry.tensor for entry in entries],
                [parameters["weight"][entry.id] for entry in entries],
                [parameters["density"][entry.id] for entry in entries],
                normalize=parameters["normalize"],
                rescale=parameters["rescale"],
                scale=parameters["lambda"],
            )

    method = FastTiesMerge(
        consensus_method=ConsensusMethod.sum,
        sparsification_method=SparsificationMethod.magnitude,
        default_normalize=True,
        default_rescale=False,
        method_name=FAST_TIES_NAME,
        method_pretty_name="TIES (toolpath, partial-selection top-k)",
        method_reference_url="https://arxiv.org/abs/2306.01708",
    )
    if FAST_TIES_NAME not in {m.spec.name for m in merge_methods.registered_methods()}:
        merge_methods.register(method)
    return merge_methods.get(FAST_TIES_NAME)
