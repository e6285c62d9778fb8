"""Charts of an evaluation (``/programmes/{name}/evaluation?format=svg|png``), drawn with
matplotlib: per indicator, the change of the programme, its matched comparators, England
and the published crude comparison, and below it the differences in differences with
their 95% intervals. Nothing is fetched: the SVG draws its text as paths, and the same
answer gives the same bytes (fixed ids and no date)."""

from __future__ import annotations

import io
import textwrap
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: files only
matplotlib.rcParams["svg.hashsalt"] = "depmap"  # element ids the same from run to run
import matplotlib.pyplot as plt  # noqa: E402

#: The groups drawn, their labels and colours (programme first).
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("programme_group", "Programme", "#b2182b"),
    ("matched_comparators", "Matched comparators", "#2166ac"),
    ("england", "England", "#636363"),
    ("seed_method", "25 similar local authorities", "#bababa"),
)
DIDS: tuple[tuple[str, str], ...] = (
    ("vs_matched", "vs matched"),
    ("vs_england", "vs England"),
    ("vs_seed_method", "vs 25 LAs"),
)


def evaluation_figure(answer: dict[str, Any]) -> plt.Figure:
    """The figure of an evaluation answer (:func:`queries.evaluation.programme_evaluation`)."""
    evs = answer["evaluations"]
    n = len(evs)
    fig, axes = plt.subplots(
        2,
        n,
        figsize=(max(4.2, 3.6 * n), 6.2),
        squeeze=False,
        gridspec_kw={"height_ratios": [3, 2]},
    )
    for j, e in enumerate(evs):
        top, bottom = axes[0][j], axes[1][j]
        labels, values, colours = [], [], []
        for key, label, colour in GROUPS:
            g = e.get(key)
            if g is None or g.get("change") is None:
                continue
            labels.append(label)
            values.append(g["change"])
            colours.append(colour)
        top.bar(range(len(values)), values, color=colours)
        top.axhline(0, color="black", linewidth=0.8)
        top.set_xticks(range(len(values)), labels, rotation=30, ha="right", fontsize=8)
        unit = "points" if e["unit"].startswith("%") else e["unit"]
        top.set_ylabel(f"change {e['baseline_year']}-{e['followup_year']} ({unit})", fontsize=8)
        better = "lower is better" if e["higher_is_worse"] else "higher is better"
        title = textwrap.fill(e["label"], 34)
        top.set_title(f"{title}\n({better})", fontsize=9)
        for x, v in enumerate(values):
            top.annotate(
                f"{v:+.2f}",
                (x, v),
                ha="center",
                va="bottom" if v >= 0 else "top",
                fontsize=7,
            )
        names, est, lo, hi = [], [], [], []
        for key, label in DIDS:
            d = e["difference_in_differences"].get(key)
            if d is None or d.get("estimate") is None:
                continue
            names.append(label)
            est.append(d["estimate"])
            low = d["low"] if d.get("low") is not None else d["estimate"]
            high = d["high"] if d.get("high") is not None else d["estimate"]
            lo.append(d["estimate"] - low)
            hi.append(high - d["estimate"])
        ys = list(range(len(names)))
        bottom.errorbar(est, ys, xerr=[lo, hi], fmt="o", color="#b2182b", capsize=3)
        bottom.axvline(0, color="black", linewidth=0.8)
        bottom.set_yticks(ys, names, fontsize=8)
        bottom.invert_yaxis()
        bottom.set_xlabel("programme change minus comparator change (95% interval)", fontsize=7)
        bottom.tick_params(axis="x", labelsize=7)
    fig.suptitle(
        f"{answer['programme']}: change against comparators ({answer['areas']} areas, "
        f"{answer['lsoa21']} LSOAs; matched k = {answer['k']})",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def render(answer: dict[str, Any], fmt: str) -> bytes:
    """The chart as ``svg`` or ``png`` bytes."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"no chart format {fmt!r}; use svg or png")
    fig = evaluation_figure(answer)
    buf = io.BytesIO()
    # fixed metadata: the same evaluation gives the same bytes
    meta = {"Date": None} if fmt == "svg" else {"Software": "depmap"}
    try:
        fig.savefig(buf, format=fmt, dpi=110, metadata=meta)
    finally:
        plt.close(fig)
    return buf.getvalue()
