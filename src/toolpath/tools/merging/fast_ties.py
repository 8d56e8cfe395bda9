"""An exact TIES merge that selects the top-k magnitudes by radix selection.

mergekit's TIES (`sparsify.magnitude`) sorts every delta (`argsort`, O(n log n)) to keep
the `density` fraction of largest magnitudes. Only the k-th largest magnitude is needed:
a two-pass radix selection on the float bit patterns finds it in O(n), and the kept set
is every element above it plus as many elements equal to it as make exactly k. The kept
count is the same as mergekit's; the only freedom is which of several equal magnitudes at
the threshold is kept, which mergekit's unstable sort also leaves open (zeros kept or
dropped change nothing; bf16 deltas have many equal magnitudes, so there the choice shows).
For bf16 and fp16 deltas the selection is one histogram of the 2**15 magnitude bit
patterns (no widening to float32), and the threshold ties kept are found by counting per
chunk rather than listing them all; the trimmed delta is the widened delta times the mask.
Sign election and the disjoint mean are done with a few float operations (relu/sign of
the deltas times the elected sign) instead of boolean masks, accumulated in float32 and
rounded to the tensors' dtype where mergekit rounds, so outputs agree with mergekit's
within float rounding (checked in the tests and the benchmark).

The method is registered in mergekit's registry under `toolpath_ties` through its public
`merge_methods.register`, so on-disk merges stream through mergekit's own executor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from toolpath.tools.extras import require

FAST_TIES_NAME = "toolpath_ties"


def kth_largest(magnitude, keep: int) -> tuple[float, int, int]:
    """(value, count above it, count equal to it) of the `keep`-th largest of a 1-D
    float32 tensor of non-negative values.

    Radix selection on the IEEE bit patterns (for non-negative floats, integer order is
    value order): a histogram of the high 16 bits finds the bucket holding the k-th value,
    a histogram of the low 16 bits of that bucket's members finds the value. Two linear
    passes whatever the data: unlike introselect it does not slow down on the many equal
    magnitudes of bf16 deltas.
    """
    import numpy as np

    bits = magnitude.numpy().view(np.int32)
    high = bits >> 16
    at_or_above = np.cumsum(np.bincount(high, minlength=1 << 15)[::-1])[::-1]
    bucket = int(np.flatnonzero(at_or_above >= keep)[-1])
    above = int(at_or_above[bucket + 1]) if bucket + 1 < at_or_above.size else 0
    low = bits[high == bucket] & 0xFFFF
    low_counts = np.bincount(low, minlength=1 << 16)
    low_at_or_above = np.cumsum(low_counts[::-1])[::-1]
    low_bucket = int(np.flatnonzero(low_at_or_above >= keep - above)[-1])
    greater = above + int(low_at_or_above[low_bucket] - low_counts[low_bucket])
    value = np.array([(bucket << 16) | low_bucket], dtype=np.int32).view(np.float32)[0]
    return float(value), greater, int(low_counts[low_bucket])


def kth_largest_value(magnitude, keep: int) -> float:
    """The `keep`-th largest value of a 1-D float32 tensor of non-negative values."""
    return kth_largest(magnitude, keep)[0]


def topk_magnitude_mask(delta, density: float):
    """Boolean mask keeping exactly `max(1, int(density * n))` largest |delta| (n > 0)."""
    import torch

    count = delta.numel()
    keep = max(1, int(density * count))
    if keep >= count:
        return torch.ones(delta.shape, dtype=torch.bool)
    if delta.dtype in (torch.bfloat16, torch.float16):
        return _half_topk_mask(delta, keep)
    magnitude = delta.detach().abs().reshape(-1).float().contiguous()
    threshold, greater, equal = kth_largest(magnitude, keep)
    if greater + equal == keep or threshold == 0:
        return (magnitude >= threshold).reshape(delta.shape)
    mask = magnitude > threshold
    ties = torch.nonzero(magnitude == threshold).reshape(-1)[: keep - greater]
    mask[ties] = True
    return mask.reshape(delta.shape)


def _half_topk_mask(delta, keep: int):
    """`topk_magnitude_mask` for 16-bit floats: the magnitudes' bit patterns (sign bit
    cleared) order like their values, and 2**15 of them fit one histogram, so one
    counting pass finds the k-th largest; the same elements are kept as by the float32
    path (ties at the threshold: the first ones in index order)."""
    bits = _magnitude_bits(delta.detach().contiguous().reshape(-1))
    threshold, cut = _half_selection(bits, keep)
    mask = bits > threshold
    mask[:cut] |= bits[:cut] == threshold
    return mask.reshape(delta.shape)


def _magnitude_bits(flat):
    """|x| of a contiguous 1-D 16-bit float tensor as int16 bit patterns (same order)."""
    import torch

    return flat.view(torch.int16) & 0x7FFF


def _half_selection(bits, keep: int) -> tuple[int, int]:
    """(threshold, cut): the top-`keep` are the magnitude bit patterns above `threshold`
    and those equal to it before index `cut`."""
    import torch

    if keep >= bits.numel():
        return 0, bits.numel()
    counts = torch.bincount(bits, minlength=1 << 15)
    at_or_above = counts.flip(0).cumsum(0).flip(0)
    threshold = int(torch.nonzero(at_or_above >= keep)[-1])
    greater = int(at_or_above[threshold + 1]) if threshold + 1 < counts.numel() else 0
    if greater + int(counts[threshold]) == keep or threshold == 0:
        return threshold, bits.numel()
    return threshold, _after_nth_true(bits == threshold, keep - greater)


def _after_nth_true(flags, n: int, chunk: int = 1 << 16) -> int:
    """The index just past the n-th True of a 1-D bool tensor (n >= 1, and there are at
    least n): counts per chunk locate it, one chunk is searched (no index list of all)."""
    import torch

    full = flags.numel() // chunk
    counts = flags.view(torch.uint8)  # summed as bytes into int32: 5x a bool sum's speed
    sums = counts[: full * chunk].view(full, chunk).sum(1, dtype=torch.int32)
    sums = torch.cat([sums, counts[full * chunk :].sum(dtype=torch.int32).reshape(1)])
    before = sums.cumsum(0)
    block = int(torch.searchsorted(before, n))  # the first chunk reaching n
    already = int(before[block - 1]) if block else 0
    inside = torch.nonzero(flags[block * chunk : (block + 1) * chunk]).reshape(-1)
    return block * chunk + int(inside[n - already - 1]) + 1


def magnitude_sparsify(delta, density: float, rescale: bool):
    """`delta` with all but its top-`density` magnitudes zeroed (optionally L1-rescaled)."""
    import torch

    if density >= 1:
        return delta
    if density <= 0 or delta.numel() == 0:
        return torch.zeros_like(delta)
    masked = torch.where(topk_magnitude_mask(delta, density), delta, 0)
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
    """TIES for one tensor: trim each task vector, elect signs, disjoint (weighted) mean.

    Follows mergekit's order of operations and roundings: deltas, trimming and weighting
    in the tensors' dtype; the sums in float32, rounded once; division, scaling and the
    final addition in the tensors' dtype.
    """
    import torch

    if not others:
        return base
    dtype = base.dtype
    # mergekit holds the weights in the tensors' dtype; round them the same way
    weights = [float(torch.tensor(w, dtype=dtype)) for w in weights]
    half = dtype in (torch.bfloat16, torch.float16) and all(t.dtype == dtype for t in others)
    if half and not rescale and min(densities) > 0:
        return _half_ties(base, others, weights, densities, normalize, scale)
    deltas = [
        _trimmed(tensor - base, density, rescale, weight)
        for tensor, weight, density in zip(others, weights, densities, strict=True)
    ]
    return _elect_and_mean(base, deltas, weights, normalize, scale)


BLOCK = 1 << 17  # elements per block of the 16-bit TIES (512 KiB of float32: stays in cache)


def _half_ties(base, others: list, weights: list[float], densities: list[float], normalize, scale):
    """TIES on 16-bit tensors: the top-k selections over whole task vectors first, then
    trimming, election and the mean block by block (the float32 temporaries stay in the
    cache instead of streaming through memory a dozen times)."""
    # blocks are too small to share: with 2 threads on a busy machine each op's barrier
    # waited for a descheduled thread (31 s against 3.9 s)
    with one_torch_thread():
        return _half_ties_blocks(base, others, weights, densities, normalize, scale)


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """torch on one thread inside the block (the caller's setting restored after)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _half_ties_blocks(base, others, weights, densities, normalize, scale):
    import torch

    flat = base.reshape(-1)
    deltas = [(tensor - base).reshape(-1) for tensor in others]
    selections = [
        _half_selection(_magnitude_bits(delta), max(1, int(density * delta.numel())))
        for delta, density in zip(deltas, densities, strict=True)
    ]
    out = torch.empty_like(flat)
    for start in range(0, flat.numel(), BLOCK):
        stop = min(start + BLOCK, flat.numel())
        trimmed = [
            _half_trimmed(delta[start:stop], selection, start, weight)
            for delta, selection, weight in zip(deltas, selections, weights, strict=True)
        ]
        out[start:stop] = _elect_and_mean(flat[start:stop], trimmed, weights, normalize, scale)
    return out.reshape(base.shape)


def _half_trimmed(piece, selection: tuple[int, int], start: int, weight: float):
    """A block of a 16-bit task vector, trimmed by its selection, weighted, in float32."""
    import torch

    threshold, cut = selection
    bits = _magnitude_bits(piece)
    if cut >= start + piece.numel():
        mask = bits >= threshold
    else:
        mask = bits > threshold
        if cut > start:
            mask[: cut - start] |= bits[: cut - start] == threshold
    if weight != 1:
        piece = piece * weight
    return piece.float().mul_(mask.to(torch.float32))


def _elect_and_mean(base, deltas: list, weights: list[float], normalize: bool, scale: float):
    """Sign election and the disjoint (weighted) mean of trimmed float32 task vectors."""
    import torch

    dtype = base.dtype
    votes = torch.zeros(base.shape, dtype=torch.float32)
    for delta in deltas:
        votes.add_(delta)
    elected = torch.ones_like(votes).copysign_(votes)  # +1 where the weighted sum is >= 0
    del votes
    mixed = torch.zeros_like(elected)
    divisor = torch.zeros_like(elected)
    for delta, weight in zip(deltas, weights, strict=True):
        agreeing = delta.mul_(elected).relu_()  # |delta| where its sign is the elected one
        mixed.add_(agreeing)
        divisor.add_(agreeing.sign_(), alpha=weight)
    mixed = mixed.mul_(elected).to(dtype)
    if normalize:
        if min(weights) > 0:  # the divisor is 0 (with mixed 0) or >= the smallest weight
            divisor.clamp_(min=min(weights))
        else:
            divisor[divisor == 0] = 1
        mixed = mixed / divisor.to(dtype)
    if scale != 1:
        mixed = mixed * scale
    return (base + mixed).to(dtype)


def _trimmed(delta, density: float, rescale: bool, weight: float):
    """The trimmed, weighted task vector in float32: `magnitude_sparsify`, times `weight`
    in the tensors' dtype, then widened. Without rescaling the mask multiplies the widened
    delta (a tenth of the time of `torch.where` on 16-bit tensors here; the dropped
    elements are finite, below the threshold, so they become zeros either way)."""
    import torch

    if rescale or density >= 1 or density <= 0 or delta.numel() == 0:
        delta = magnitude_sparsify(delta, density, rescale)
        return (delta * weight if weight != 1 else delta).float()
    mask = topk_magnitude_mask(delta, density)
    if weight != 1:
        delta = delta * weight
    return delta.float().mul_(mask.to(torch.float32))


@cache
def fast_ties_method() -> Any:
    """The mergekit merge-method object for the fast TIES, registered once."""
    merge_methods = require("mergekit.merge_methods", "merge")
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
