"""Writes data/eval/clustering.jsonl from the incidents (emergencies.py: facts, told in each
outlet's style by styles.py; routine.py: written post by post), seeded, in publication order:

    cd data/eval/source && python build.py ../clustering.jsonl
"""

import json
import random
import sys
from collections import Counter
from datetime import datetime

import emergencies
import routine
import styles
from styles import TZ


def routine_posts(key, rows, rng):
    out = []
    for platform, source, author, at, title, text in rows:
        when = datetime(2026, int(at[:2]), int(at[3:5]), int(at[6:8]), int(at[9:11]), tzinfo=TZ)
        if text.startswith("RT:"):
            _, idx, comment = text.split(":", 2)
            of = out[int(idx)]
            who = of["source"] if of["platform"] in ("news", "wechat") or not of["author"] else of["author"]
            text = f"{comment} //@{who}:{of['text']}"
        out.append(dict(platform=platform, source=source, author=author, title=title, text=text, at=when))
    return out

records = []
for e in emergencies.E:
    if e["id"] == "E39":
        continue
    rng = random.Random(e["id"])
    extra = " news repost" + (" wechat repost" if len(e["styles"].split()) >= 5 else "")
    for p in styles.tell({**e, "styles": e["styles"] + extra}, rng):
        records.append((e["id"], p))
for key, rows in routine.R.items():
    rng = random.Random(key)
    for p in routine_posts(key, rows, rng):
        records.append((key, p))
records.sort(key=lambda r: r[1]["at"])
rng = random.Random(2026)
out = []
for i, (inc, p) in enumerate(records):
    counts = [rng.choice([None, rng.randint(0, 40), rng.randint(0, 800)]) for _ in range(3)]
    out.append({"id": f"c{i + 1:04d}", "incident": inc, "platform": p["platform"], "source": p["source"],
                "author": p["author"], "title": p["title"], "text": p["text"],
                "published_at": p["at"].isoformat(timespec="minutes"),
                "reposts": counts[0], "comments": counts[1], "likes": counts[2]})
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for r in out:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
c = Counter(r["incident"] for r in out)
print(len(out), "posts", len(c), "incidents", "sizes", Counter(c.values()))
