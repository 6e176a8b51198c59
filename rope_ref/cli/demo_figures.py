"""``rope-ref demo``'s figures: the key plots of the notebooks, written as PNG files.

matplotlib is imported here only, when the demo runs (it is not a runtime dependency of
rope_ref), and only through its object API (``matplotlib.figure.Figure``, rendered by
Agg): no pyplot, no global backend. Every number comes from rope_ref (``rope_ref.figures``,
``decay``, ``scaling``); this module only draws.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rope_ref.paper.decay import relative_score, relative_upper_bound
from rope_ref.paper.figures import clock_hands, score_grid, unseen_angle_ratio, wavelengths
from rope_ref.paper.forms import rotary_matrix
from rope_ref.paper.frequencies import frequencies
from rope_ref.scaling.scaled import scaled_frequencies


def run(out_dir="out", seed: int = 0) -> list[Path]:
    """Write the demo's figures to ``out_dir`` (created if missing); print and return
    their paths."""
    from matplotlib.figure import Figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    drawers = {
        "01-clock-hands.png": _clock_hands,
        "01-rotary-matrix.png": _rotary_matrix,
        "02-relative-scores.png": lambda fig: _relative_scores(fig, rng),
        "02-figure2-decay.png": lambda fig: _decay(fig, rng),
        "04-scaling-wavelengths.png": _scaling,
    }
    paths = []
    for name, draw in drawers.items():
        fig = Figure(figsize=(11, 4.5), dpi=90, layout="constrained")
        draw(fig)
        fig.savefig(out / name)
        paths.append(out / name)
    print(f"\n7. Figures: {len(paths)} PNG files (the notebooks' key plots) in {out.resolve()}/:")
    for path in paths:
        print(f"   {path}")
    return paths


def _clock_hands(fig) -> None:
    theta = frequencies(16)
    positions = np.array([0, 1, 2, 3, 5, 10])
    hands = clock_hands(positions, theta)
    shown = [0, 1, 3, 7]
    axes = fig.subplots(len(shown), positions.size)
    fig.set_size_inches(10, 7)
    dial = np.linspace(0, 2 * np.pi, 100)
    for row, pair in enumerate(shown):
        for col, m in enumerate(positions):
            ax = axes[row, col]
            ax.plot(np.cos(dial), np.sin(dial), color="0.8", lw=1)
            ax.plot(*hands[: col + 1, pair].T, "o", color="C0", alpha=0.25, ms=3)
            ax.annotate("", xy=hands[col, pair], xytext=(0, 0),
                        arrowprops={"arrowstyle": "-|>", "color": f"C{row}", "lw": 2})  # fmt: skip
            ax.set(xlim=(-1.2, 1.2), ylim=(-1.2, 1.2), aspect="equal", xticks=[], yticks=[])
            if row == 0:
                ax.set_title(f"m = {m}")
            if col == 0:
                ax.set_ylabel(f"pair i = {pair + 1}\ntheta = {theta[pair]:.3g}")
    fig.suptitle("Each pair of features is a clock hand at angle m * theta_i (d = 16, eq 13)")


def _rotary_matrix(fig) -> None:
    d, m = 16, 3
    theta = frequencies(d)
    axes = fig.subplots(1, 2)
    for ax, layout in zip(axes, ("interleaved", "half"), strict=True):
        image = ax.imshow(rotary_matrix(m, theta, layout), cmap="RdBu_r", vmin=-1, vmax=1)
        ax.set(title=f"R(theta, m = {m}), {layout} pairs (eq 15)", xlabel="input feature",
               ylabel="output feature")  # fmt: skip
    fig.colorbar(image, ax=axes, label="entry: cos or +-sin of m theta_i", shrink=0.8)


def _relative_scores(fig, rng) -> None:
    d = 64
    q, k = rng.standard_normal(d), rng.standard_normal(d)
    positions = np.arange(64)
    S = score_grid(q, k, positions)
    ax1, ax2 = fig.subplots(1, 2)
    top = np.abs(S).max()
    image = ax1.imshow(S, cmap="RdBu_r", origin="lower", vmin=-top, vmax=top)
    ax1.set(title="q_m . k_n for every (m, n) (eq 16)", xlabel="key position n",
            ylabel="query position m")  # fmt: skip
    fig.colorbar(image, ax=ax1, label="score")
    m, n = np.meshgrid(positions, positions, indexing="ij")
    ax2.plot((m - n).ravel(), S.ravel(), ".", ms=3, alpha=0.4, label="all (m, n) pairs")
    ax2.set(title="the same scores against m - n: one curve", xlabel="m - n", ylabel="score")
    ax2.legend()


def _decay(fig, rng) -> None:
    d = 128
    distances = np.arange(0, 257)
    bound = relative_upper_bound(distances, d)
    draws = [(rng.standard_normal(d), rng.standard_normal(d)) for _ in range(100)]
    same = np.mean([np.abs(relative_score(a, a, distances)) for a, _ in draws], axis=0)
    indep = np.mean([np.abs(relative_score(a, b, distances)) for a, b in draws], axis=0)
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(distances, bound, label="(1/(d/2)) sum_i |S_i|")
    ax1.set(title="Figure 2 reproduced (d = 128, base 10000, eq 37)",
            xlabel="relative distance m - n", ylabel="relative upper bound")  # fmt: skip
    ax1.legend()
    ax2.plot(distances, bound / bound[0], label="Figure 2's bound")
    ax2.plot(distances, same / same[0], label="|q.k|, k = q (100 draws)")
    ax2.plot(distances, indep / indep[0], label="|q.k|, k independent of q")
    ax2.set(title="each divided by its value at distance 0", xlabel="relative distance m - n",
            ylabel="relative to distance 0", ylim=(0, 1.3))  # fmt: skip
    ax2.legend()


def _scaling(fig) -> None:
    d, base, trained, s = 128, 10000.0, 4096, 4.0
    variants = {
        "default": None,
        "linear (PI)": {"rope_type": "linear", "factor": s},
        "NTK-aware": {"rope_type": "ntk", "factor": s},
        "YaRN": {"rope_type": "yarn", "factor": s, "original_max_position_embeddings": trained},
        "llama3": {"rope_type": "llama3", "factor": s, "low_freq_factor": 1.0,
                   "high_freq_factor": 4.0, "original_max_position_embeddings": trained},
    }  # fmt: skip
    theta0 = frequencies(d, base)
    pairs = np.arange(1, d // 2 + 1)
    ax1, ax2 = fig.subplots(1, 2)
    for k, (name, rope_scaling) in enumerate(variants.items()):
        theta, _ = scaled_frequencies(d, base, rope_scaling, seq_len=int(s * trained))
        style = {"color": "k", "lw": 2.5} if rope_scaling is None else {"color": f"C{k}"}
        ax1.semilogy(pairs, wavelengths(theta), label=name, **style)
        ratio = unseen_angle_ratio(theta, theta0, trained, s * trained)
        marker = {"linear (PI)": "o", "YaRN": "s", "llama3": "^"}.get(name)
        ax2.plot(pairs, ratio, label=name, marker=marker, markevery=(2 * k, 9), mfc="none",
                 **style)  # fmt: skip
    ax1.axhline(trained, color="0.4", ls="--", lw=1, label=f"L_train = {trained}")
    ax1.set(title="wavelength 2 pi / theta_i per pair (d = 128, s = 4)", xlabel="pair i",
            ylabel="positions per full turn")  # fmt: skip
    ax1.legend(fontsize=8)
    ax2.axhline(1.0, color="0.4", ls="--", lw=1)
    ax2.set(title=f"angles needed at {int(s * trained)} / seen at {trained} (> 1: unseen)",
            xlabel="pair i", ylabel="needed / seen")  # fmt: skip
    ax2.legend(fontsize=8)
