"""Triage as a user runs it: the whole ``yuqing triage FILE -o OUT`` command, start to finish, on a
stream this project did not write (``benchmarks/independent_stream/gen.py``, generated to a short
spec by someone who had not seen the code), against a whole ``python -c`` process that only cuts
the same texts with ``jieba.lcut``. Rounds alternate the two commands, so a host whose speed
drifts puts the drift into both; each round prints its ratio. The peak resident memory of each
triage process is printed too (``ru_maxrss`` of the finished child).

    python -m benchmarks.bench_command [--posts 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.settings import PROJECT_ROOT

GENERATOR = PROJECT_ROOT / "benchmarks" / "independent_stream" / "gen.py"
JIEBA = ("import json, sys, jieba\n"
         "texts = [json.loads(line)['text'] for line in open(sys.argv[1], encoding='utf-8')]\n"
         "for t in texts:\n    jieba.lcut(t)\n")


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds of one child process and its peak resident memory (KB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode not in (0, 3):  # 3: some lines rejected, the rest triaged
        raise SystemExit(f"{command[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    yuqing = str(Path(sys.executable).with_name("yuqing"))
    with tempfile.TemporaryDirectory() as tmp:
        stream = Path(tmp) / "stream.jsonl"
        subprocess.run([sys.executable, str(GENERATOR), str(args.posts), str(stream)], check=True, capture_output=True)
        print(f"stream: {args.posts} posts from {GENERATOR.relative_to(PROJECT_ROOT)} (seed 4242)")
        for n in range(args.rounds):
            state = Path(tmp) / f"state{n}"
            env = {**os.environ, "YUQING_STATE_DIR": str(state), "YUQING_MODEL_DIR": str(PROJECT_ROOT / "var" / "models"),
                   "YUQING_DATABASE_URL": f"sqlite:///{state / 'y.db'}"}
            env.pop("YUQING_CONFIG_DIR", None)
            jieba_s, _ = timed([sys.executable, "-c", JIEBA, str(stream)], env)
            triage_s, peak = timed([yuqing, "triage", str(stream), "-o", str(Path(tmp) / f"out{n}.jsonl"),
                                    "--now", "2026-12-01T00:00:00+08:00"], env)
            print(f"round {n + 1}: yuqing triage {triage_s:6.1f} s   python -c jieba.lcut {jieba_s:6.1f} s   "
                  f"ratio {triage_s / jieba_s:4.2f}   triage peak RSS {peak / 1024:6.0f} MB (largest child so far)")


if __name__ == "__main__":
    main()
