"""Alert latency: from a new major post appearing in a local feed to the urgent alert arriving
at a local DingTalk-style receiver, with `yuqing serve` collecting every 10 s.

Everything runs on 127.0.0.1: a feed server whose feed gains one item per trial, a receiver
that checks the robot signature and timestamps arrivals, and `yuqing serve --every 10 --flow
collect` with its own Prefect server and a temporary state directory.

    python benchmarks/bench_alert_latency.py [--trials 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipeline.alerts.channels import dingtalk_sign
from pipeline.settings import PROJECT_ROOT, Settings

SECRET = "SECbench"
# Distinct incidents (each its own event, so each calls for its own alert).
INCIDENTS = [
    "崇头镇一辆载有游客的大巴在山区公路翻入深沟，死亡人数已升至12人，另有多人受伤，救援正在进行",
    "石塘镇一家化工厂凌晨发生爆炸并引发大火，目前已造成15人死亡，周边村民已紧急疏散",
    "赤石乡连续暴雨引发山体滑坡，掩埋多间民房，搜救人员已找到11名遇难者遗体",
    "紧水滩镇一处在建桥梁突然垮塌，正在施工的工人中有13人遇难，事故原因正在调查",
    "雾溪畲族乡一所学校食堂发生集体食物中毒，已有60多名学生出现急性中毒症状送医救治",
    "安溪畲族乡一座民房发生燃气爆炸，造成10人死亡、直接经济损失约6000万元",
    "白龙山街道一处农贸市场发生火灾，火势迅速蔓延，截至目前已有14人在火灾中丧生",
    "凤凰山街道一栋老旧居民楼整体倒塌，已确认20人遇难，仍有人员被困",
]


class Feed:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.lock = threading.Lock()

    def add(self, n: int) -> str:
        marker = f"BENCH{n:03d}"
        text = f"{INCIDENTS[n % len(INCIDENTS)]}（编号{marker}）"
        town = text[:3]
        now = format_datetime(datetime.now(UTC))
        with self.lock:
            self.items.append(f"<item><title>{town}突发事件（{marker}）</title><guid>{marker}</guid>"
                              f"<link>http://127.0.0.1/news/{marker}.html</link><pubDate>{now}</pubDate>"
                              f"<description>{text}</description></item>")
        return marker

    def xml(self) -> bytes:
        with self.lock:
            body = "".join(reversed(self.items))
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>云和新闻</title>'
                f"<link>http://127.0.0.1/</link><description>bench</description>{body}</channel></rss>").encode()


def serve_http(feed: Feed, arrivals: dict[str, float]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = feed.xml() if self.path.startswith("/feed.xml") else b"User-agent: *\nAllow: /\n"
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            ok = query.get("sign") == urllib.parse.unquote_plus(dingtalk_sign(SECRET, int(query.get("timestamp", 0))))
            text = data.get("markdown", {}).get("text", "")
            for marker in [w for w in text.split("编号") if w[:5] == "BENCH"]:
                arrivals.setdefault(marker[:8], time.monotonic())
            payload = json.dumps({"errcode": 0 if ok else 310000}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=len(INCIDENTS))
    parser.add_argument("--every", type=float, default=10.0)
    args = parser.parse_args()
    feed, arrivals = Feed(), dict[str, float]()
    server = serve_http(feed, arrivals)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    tmp = Path(tempfile.mkdtemp(prefix="yuqing-latency-"))
    config = tmp / "config"
    shutil.copytree(PROJECT_ROOT / "data" / "config", config)
    (config / "sources.yaml").write_text(
        f"sources:\n  - name: 本地新闻源\n    kind: feed\n    url: {base}/feed.xml\n    follow_links: false\n"
        f"    interval_minutes: {args.every / 60:.4f}\n", encoding="utf-8")
    url = f"{base}/robot/send?access_token=bench"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update({"YUQING_STATE_DIR": str(tmp / "state"), "YUQING_CONFIG_DIR": str(config),
                "YUQING_MODEL_DIR": str(Settings.from_env().model_dir), "PREFECT_HOME": str(tmp / "pc"),
                "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    env.update({f"YUQING_DINGTALK_{g}_{k}": v for g in ("UNITS", "COORDINATORS", "LEADERSHIP")
                for k, v in (("URL", url), ("SECRET", SECRET))})
    proc = subprocess.Popen([sys.executable, "-m", "yuqing.cli", "serve", "--every", str(args.every), "--flow", "collect"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    latencies: list[float] = []
    try:
        time.sleep(45)  # server start and the first (empty) collect runs
        for n in range(args.trials):
            marker = feed.add(n)
            start = time.monotonic()
            while marker not in arrivals and time.monotonic() - start < 120:
                time.sleep(0.2)
            if marker in arrivals:
                latencies.append(arrivals[marker] - start)
                print(f"trial {n + 1}: {latencies[-1]:.1f} s", flush=True)
            else:
                print(f"trial {n + 1}: no alert within 120 s", flush=True)
            time.sleep(3)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    if latencies:
        print(f"alert latency over {len(latencies)} trials: median {statistics.median(latencies):.1f} s, "
              f"min {min(latencies):.1f} s, max {max(latencies):.1f} s  (target: median < 15 s)")


if __name__ == "__main__":
    main()
