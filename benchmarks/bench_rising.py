"""快速升温: the z-score rule of ``pipeline.rules.rising`` against Kleinberg's burst model on
generated hourly streams (seeded). Each stream is 12 hours of one event's posts among a county's
background; a sweep at every hour asks "is it rising now?" over the same window the rule sees
(the previous ``history_hours`` and the last hour).

Streams: steady Poisson at 3, 10 and 48 posts an hour; steady but over-dispersed (negative
binomial: hours of 0 and hours of 3× the mean, as reposting waves are); and rising — 2–4 an
hour for 8 hours, then 20, 30 or 60 an hour; the county's background is 200 posts an hour and
its usual level per event (the rule's county baseline) 3 an hour. Measured: the share of steady
streams with any false alarm, the share of rising streams caught, and the delay (sweeps after
the jump).

Kleinberg's model is the batched two-state automaton of Kleinberg (2002), §4 (the event's
posts r_t among all posts d_t, base proportion p0 = Σr/Σd, burst state p1 = s·p0, transition
cost γ·ln n upwards; the Viterbi path's last state). It is written here because neither PyPI
package runs on today's numpy (measured 2026-12-06: ``burst_detection`` 0.1.3, 2018, calls the
removed ``np.float``; ``pybursts`` 0.1.1, 2014, indexes arrays with floats and its package
imports itself Python-2 style); when one of them is importable it is reported as well.

Usage: python -m benchmarks.bench_rising
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np

from pipeline.config import Rising
from pipeline.rules.rising import Sighting, detect

HOURS, JUMP_AT, TRIALS, BACKGROUND = 12, 8, 200, 200
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
Detector = Callable[[list[int], list[int], float], bool]


def kleinberg_two_state(r: list[int], d: list[int], s: float = 2.0, gamma: float = 1.0) -> list[int]:
    """The Viterbi state sequence (0 base, 1 burst) of Kleinberg's batched two-state model."""
    n = len(r)
    p0 = max(sum(r) / max(sum(d), 1), 1e-9)
    p = [p0, min(s * p0, 0.9999)]

    def fit(t: int, j: int) -> float:
        log_binom = math.lgamma(d[t] + 1) - math.lgamma(r[t] + 1) - math.lgamma(d[t] - r[t] + 1)
        return -(log_binom + r[t] * math.log(p[j]) + (d[t] - r[t]) * math.log(1 - p[j]))

    up = gamma * math.log(max(n, 2))
    cost, back = [fit(0, 0), up + fit(0, 1)], []
    for t in range(1, n):
        stay0, from1to0 = cost[0], cost[1]
        c0 = min(stay0, from1to0) + fit(t, 0)
        c1 = min(cost[0] + up, cost[1]) + fit(t, 1)
        back.append((0 if stay0 <= from1to0 else 1, 0 if cost[0] + up < cost[1] else 1))
        cost = [c0, c1]
    state = 0 if cost[0] <= cost[1] else 1
    path = [state]
    for b in reversed(back):
        state = b[state]
        path.append(state)
    return path[::-1]


def z_rule(policy: Rising) -> Detector:
    def run(r: list[int], d: list[int], county: float) -> bool:
        sightings = [Sighting(NOW - timedelta(hours=len(r) - 1 - i, minutes=30)) for i, n in enumerate(r)
                     for _ in range(n)]
        return detect(sightings, county, policy, NOW) is not None
    return run


def kleinberg(r: list[int], d: list[int], county: float) -> bool:
    return kleinberg_two_state(r, d)[-1] == 1


def _packages() -> dict[str, Detector]:
    found: dict[str, Detector] = {}
    try:
        import pandas as pd
        from burst_detection import burst_detection

        def bd(r: list[int], d: list[int], county: float) -> bool:
            q, *_ = burst_detection(pd.Series(r, dtype=float), pd.Series(d, dtype=float), len(r), 2, 1, 1)
            return bool(q[-1][0] == 1)
        found["burst_detection (PyPI)"] = bd
    except Exception as exc:  # any failure to import or run is the finding
        print(f"burst_detection not usable: {type(exc).__name__}: {exc}")
    return found


def streams(rng: np.random.Generator) -> dict[str, Callable[[], tuple[list[int], int | None]]]:
    def poisson(lam: float) -> Callable[[], tuple[list[int], int | None]]:
        return lambda: (list(rng.poisson(lam, HOURS)), None)

    def dispersed(lam: float) -> Callable[[], tuple[list[int], int | None]]:
        return lambda: (list(rng.negative_binomial(1.5, 1.5 / (1.5 + lam), HOURS)), None)

    def rising(after: float) -> Callable[[], tuple[list[int], int | None]]:
        return lambda: ([*rng.poisson(rng.uniform(2, 4), JUMP_AT), *rng.poisson(after, HOURS - JUMP_AT)], JUMP_AT)

    return {"steady 3/h": poisson(3), "steady 10/h": poisson(10), "steady 48/h": poisson(48),
            "steady 10/h over-dispersed": dispersed(10), "rising 3→20/h": rising(20), "rising 3→30/h": rising(30),
            "rising 3→60/h": rising(60)}


def evaluate(detector: Detector, history: int, rng: np.random.Generator) -> dict[str, tuple[float, float | None]]:
    out: dict[str, tuple[float, float | None]] = {}
    for name, make in streams(rng).items():
        hits, delays = 0, []
        for _ in range(TRIALS):
            counts, jump = make()
            background = list(rng.poisson(BACKGROUND, HOURS))
            fired = [t for t in range(history, HOURS)
                     if detector([int(x) for x in counts[t - history:t + 1]],
                                 [int(b + c) for b, c in zip(background[t - history:t + 1], counts[t - history:t + 1],
                                                             strict=True)], 3.0)]
            hits += bool(fired)
            if jump is not None and fired and fired[0] >= jump:
                delays.append(fired[0] - jump)
        out[name] = (hits / TRIALS, sum(delays) / len(delays) if delays else None)
    return out


def main() -> None:
    policy = Rising()
    detectors: dict[str, Detector] = {"z-score rule (pipeline.rules.rising)": z_rule(policy),
                                      "Kleinberg two-state (batched)": kleinberg, **_packages()}
    print(f"{TRIALS} streams of {HOURS} h each; a sweep every hour from hour {policy.history_hours}; "
          "share of streams with an alarm (steady: false alarms; rising: caught), mean delay in sweeps")
    for label, detector in detectors.items():
        t0 = time.perf_counter()
        result = evaluate(detector, policy.history_hours, np.random.default_rng(19))
        elapsed = time.perf_counter() - t0
        print(f"\n{label}  ({elapsed:.1f} s)")
        for name, (share, delay) in result.items():
            print(f"  {name:28s} alarm {share:6.1%}" + (f"   delay {delay:.2f}" if delay is not None else ""))


if __name__ == "__main__":
    main()
