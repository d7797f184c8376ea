"""Figures, their percentiles and targets, and the table and JSON they end up in."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Figure:
    """One line of the table. Latencies in ms; rates in their own unit (`unit`)."""

    name: str
    unit: str = "ms"
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    value: float | None = None  # a single figure (a rate, a count) where percentiles do not apply
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    passed: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def latency(cls, name: str, samples_ms: list[float], **kwargs) -> Figure:
        return cls(name=name, p50=percentile(samples_ms, 50), p95=percentile(samples_ms, 95),
                   p99=percentile(samples_ms, 99), extra={"samples": len(samples_ms)}, **kwargs)

    @property
    def headline(self) -> float | None:
        """The number the baseline is compared with: p95 for latencies, else the value."""
        return self.p95 if self.p95 is not None and self.value is None else self.value

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0) or self.headline is None:
            return None
        if self.unit == "ms":
            return self.headline / self.baseline  # how many times slower than the floor
        return self.baseline / self.headline if self.headline else None  # rates: floor / ours


@dataclass
class Results:
    referrals: int
    smoke: bool
    figures: list[Figure] = field(default_factory=list)
    generation: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    machine: dict = field(default_factory=lambda: {
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    })

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def write(self, path: Path) -> None:
        self.machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        path.parent.mkdir(parents=True, exist_ok=True)
        body = asdict(self)
        for figure, data in zip(self.figures, body["figures"], strict=True):
            data["ratio"] = figure.ratio
        path.write_text(json.dumps(body, indent=2, default=str) + "\n")

    def table(self) -> str:
        lines = [
            "| figure | p50 | p95 | p99 | baseline | ratio | target | pass |",
            "|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for f in self.figures:
            cells = [_num(f.p50, f.unit), _num(f.p95, f.unit), _num(f.p99, f.unit)]
            if f.value is not None:
                cells = ["", _num(f.value, f.unit), ""]
            baseline = _num(f.baseline, f.unit) if f.baseline is not None else "-"
            if f.baseline_name and f.baseline is not None:
                baseline += f" ({f.baseline_name})"
            ratio = f"{f.ratio:.2f}" if f.ratio is not None else "-"
            verdict = {True: "pass", False: "**FAIL**", None: "-"}[f.passed]
            lines.append(f"| {f.name} | " + " | ".join(cells)
                         + f" | {baseline} | {ratio} | {f.target or '-'} | {verdict} |")
        return "\n".join(lines)


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit in ("", "count"):
        return f"{value:,.0f}"
    return f"{value:,.1f} {unit}"
