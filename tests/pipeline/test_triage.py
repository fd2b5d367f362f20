"""The whole triage path on both engines: storage, events, routing, deadlines, idempotence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from pipeline.actions.events import regrade
from pipeline.actions.work import close_item, record_response
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.queries.work import unit_queue
from pipeline.storage.db import session_scope
from pipeline.storage.models import Assignment, Classification, Deadline, Event, Post
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW

ACCIDENT = "石塘镇一辆大巴在云景线侧翻，目前已造成3人死亡，多人受伤，救援正在进行中"
RECORDS: list[dict[str, Any]] = [
    {"id": "w1", "platform": "weibo", "author": "小云", "text": ACCIDENT, "reposts": 10, "comments": 2, "likes": 30},
    {"id": "w2", "platform": "weibo", "author": "路人", "text": f"转发微博：{ACCIDENT}！！ //@小云:太惨了"},
    {"id": "n1", "platform": "news", "source": "丽水日报", "text": "石塘镇大巴在云景线侧翻，已造成3人死亡多人受伤，救援正在进行",
     "url": "https://news.example.cn/a/1.html?utm_source=wx"},
    {"id": "m1", "platform": "message_board", "text": "尊敬的领导：浮云街道中山社区小区电梯坏了一个月没人修，物业不管，老人上下楼很困难"},
    {"id": "x1", "platform": "weibo", "text": "杭州今晚的演唱会太好听了，明星状态超级好，下次还来！"},
]


def posts(records: list[dict[str, Any]] = RECORDS) -> list[Any]:
    return [to_post(r, i + 1, NOW) for i, r in enumerate(records)]


def counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (Post, Event, Classification, Assignment, Deadline)}


def test_triage_stores_and_routes(engine: Engine, ctx: TriageContext) -> None:
    with session_scope(engine) as s:
        report = triage_posts(s, posts(), ctx, NOW)
    items = {i["id"]: i for i in report.items}
    assert [i["id"] for i in report.items] == ["w1", "w2", "n1", "m1", "x1"]
    accident = items["w1"]
    assert items["w2"]["event_id"] == accident["event_id"] == items["n1"]["event_id"]
    assert accident["relevant"] and accident["grade"] in ("较大", "重大", "特别重大")
    assert any(r["rule"] == "casualty" and "死亡3人" in r["detail"] for r in accident["grade_reasons"])
    assert accident["primary_unit"] == "石塘镇"
    assert "县应急管理局" in accident["cooperating_units"]
    assert accident["coordinators"] == ["县政府办公室", "县委宣传部"]
    assert items["m1"]["primary_unit"] == "浮云街道" and items["m1"]["grade"] == "一般"
    assert [d["milestone"] for d in items["m1"]["deadlines"]] == ["response"]
    assert items["m1"]["deadlines"][0]["due_at"] == (NOW + timedelta(hours=48)).isoformat()
    irrelevant = items["x1"]
    assert not irrelevant["relevant"] and irrelevant["grade"] is None and irrelevant["deadlines"] == []
    assert irrelevant["primary_unit"] is None
    with session_scope(engine) as s:
        post = s.scalar(select(Post).where(Post.platform_id == "w2"))
        assert post is not None and post.reposts is None and post.first_seen_at == NOW
        stored = s.scalar(select(Post).where(Post.platform_id == "x1"))
        assert stored is not None and not stored.relevant  # irrelevant items are stored, searchable
        models = set(s.scalars(select(Classification.model).where(Classification.post_id == post.id)))
        assert models == {"topic", "grade", "rumor", "categories", "sentiment", "rules"}


def test_reingest_never_duplicates(engine: Engine, ctx: TriageContext) -> None:
    with session_scope(engine) as s:
        triage_posts(s, posts(), ctx, NOW)
    before = counts(engine)
    again = [dict(r) for r in RECORDS]
    again[2] = {**again[2], "id": None, "url": "https://news.example.cn/a/1.html#comments"}  # same canonical URL
    with session_scope(engine) as s:
        report = triage_posts(s, posts(again) + posts(RECORDS[:1]), ctx, NOW + timedelta(hours=1))
    assert report.new_posts == 0 and report.duplicates == 6
    assert counts(engine) == before


def test_regrade_upward_adds_milestones_and_keeps_old_ones(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    with session_scope(engine) as s:
        item = triage_posts(s, posts(RECORDS[3:4]), ctx, NOW).items[0]
    later = NOW + timedelta(hours=30)
    with session_scope(engine) as s:
        regrade(s, cfg, item["event_id"], "重大", reason="省级媒体已关注", actor="分析员甲", now=later)
    with session_scope(engine) as s:
        rows = s.execute(select(Deadline.milestone, Deadline.due_at).join(Assignment)
                         .where(Assignment.event_id == item["event_id"], Assignment.role == "primary")).all()
        due = dict(rows)
        assert due["response"] == NOW + timedelta(hours=48)
        assert due["authoritative_info"] == later + timedelta(hours=5)
        assert due["press_conference"] == later + timedelta(hours=24)
        ev = s.get(Event, item["event_id"])
        assert ev is not None and ev.grade == "重大" and ev.grade_reasons[-1]["rule"] == "override"


def test_override_that_brings_a_milestone_forward_restarts_it_under_the_new_grade(
        engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    """A county policy where 重大 also needs a response within 12 h: raising a 较大 event to 重大
    brings its 48 h response forward, and the row then carries the new grade and start (as
    triage's own regrade does), so reminders measure the right window."""
    import dataclasses

    from pipeline.config import MilestoneRule

    rules = {**cfg.policy.deadlines.milestones,
             "重大": [*cfg.policy.deadlines.milestones["重大"], MilestoneRule(milestone="response", hours=12)]}
    policy = cfg.policy.model_copy(update={"deadlines": cfg.policy.deadlines.model_copy(update={"milestones": rules})})
    custom = dataclasses.replace(cfg, policy=policy)
    with session_scope(engine) as s:
        item = triage_posts(s, posts(RECORDS[3:4]), ctx, NOW).items[0]
    later = NOW + timedelta(hours=2)
    with session_scope(engine) as s:
        regrade(s, custom, item["event_id"], "重大", reason="省级媒体已关注", actor="分析员甲", now=later)
    with session_scope(engine) as s:
        row = s.scalar(select(Deadline).join(Assignment).where(
            Assignment.event_id == item["event_id"], Assignment.role == "primary", Deadline.milestone == "response"))
        assert row is not None and row.due_at == later + timedelta(hours=12)
        assert row.grade == "重大" and row.started_at == later


def test_response_meets_milestone_and_closing_leaves_queue(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    with session_scope(engine) as s:
        item = triage_posts(s, posts(RECORDS[3:4]), ctx, NOW).items[0]
    at = NOW + timedelta(hours=50)
    with session_scope(engine) as s:
        queue = unit_queue(s, "浮云街道", at)
        assert [q.event_id for q in queue] == [item["event_id"]] and queue[0].overdue
        met = record_response(s, cfg, item["event_id"], "浮云街道", "网络问政回复", link="https://x/1", at=at,
                              actor="浮云街道张某", now=at)
        assert met == ["response"]
    with session_scope(engine) as s:
        answered = unit_queue(s, "浮云街道", NOW + timedelta(hours=51))
        assert [(q.status, q.due_at, q.overdue) for q in answered] == [("responded", None, False)]  # waits for 办结
        close_item(s, cfg, item["event_id"], "浮云街道", actor="浮云街道张某", now=NOW + timedelta(hours=51))
    with session_scope(engine) as s:
        assert unit_queue(s, "浮云街道", NOW + timedelta(hours=52)) == []
        d = s.scalar(select(Deadline).join(Assignment).where(Assignment.event_id == item["event_id"],
                                                              Assignment.role == "primary"))
        assert d is not None and d.met_at is not None and d.met_at > d.due_at  # met late stays overdue on record


def test_later_post_raises_grade_of_existing_event(engine: Engine, ctx: TriageContext) -> None:
    first = {"id": "e1", "platform": "weibo", "text": "紧水滩镇一处山体滑坡，目前已造成3人死亡，救援人员正在现场搜救被困群众"}
    with session_scope(engine) as s:
        a = triage_posts(s, posts([first]), ctx, NOW).items[0]
    update = {"id": "e2", "platform": "news", "text": "紧水滩镇一处山体滑坡，死亡人数已上升至12人，救援人员正在现场搜救被困群众"}
    later = NOW + timedelta(hours=6)
    with session_scope(engine) as s:
        b = triage_posts(s, posts([update]), ctx, later).items[0]
    assert b["event_id"] == a["event_id"]
    assert b["grade"] in ("重大", "特别重大") and b["primary_unit"] == a["primary_unit"] == "紧水滩镇"
    due = {d["milestone"]: d["due_at"] for d in b["deadlines"]}
    if a["grade"] == "较大":  # raised now: the new milestones count from the regrade
        assert due["press_conference"] == (later + timedelta(hours=24)).isoformat()
        assert "response" in due  # the earlier 48 h deadline is kept
    else:  # already major: nothing moves later
        assert b["deadlines"] == a["deadlines"]


def test_rumour_flag_follows_the_rumour_model(engine: Engine, ctx: TriageContext) -> None:
    rumour = {"id": "r1", "platform": "weibo", "text": "紧急扩散！紧水滩水库大坝裂了马上要溃坝，下游的人赶紧跑！！转给家里人"}
    debunk = {"id": "r2", "platform": "wechat", "source": "云和发布",
              "text": "【辟谣】网传“紧水滩水库要溃坝”系谣言！经县水利局核实，水库运行正常，请广大群众不信谣、不传谣。"}
    with session_scope(engine) as s:
        items = {i["id"]: i for i in triage_posts(s, posts([rumour, debunk]), ctx, NOW).items}
    assert items["r1"]["rumor"] and "谣言" in items["r1"]["categories"]
    assert items["r1"]["transfer_units"] == ["县公安局", "县委网信办"]
    assert not items["r2"]["rumor"] and "谣言" not in items["r2"]["categories"]
    assert items["r2"]["transfer_units"] == []


def test_two_workers_ingesting_the_same_backlog_never_double_process(engine: Engine, db_url: str, ctx: TriageContext,
                                                                     runtime_for: Any, tmp_path: Any) -> None:
    import json
    import threading

    from pipeline.service import ingest_file

    towns = ["石塘镇", "崇头镇", "赤石乡", "浮云街道", "元和街道", "紧水滩镇"]
    lines = [{"id": f"b{i}", "platform": "weibo", "url": f"https://weibo.example/{i}",
              "text": f"{towns[i % 6]}第{i}号路段的路灯坏了{i % 7 + 2}天，晚上出行很不安全，希望尽快修好"}
             for i in range(300)]
    src = tmp_path / "backlog.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    reports: list[Any] = []
    runtimes = [runtime_for(db_url), runtime_for(db_url)]  # two workers, each with its own engine
    workers = [threading.Thread(target=lambda rt=rt: reports.append(
        ingest_file(rt, src, NOW, tmp_path / "rejects.jsonl").report)) for rt in runtimes]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert len(reports) == 2
    assert sorted(r.new_posts for r in reports) == [0, 300]  # one worker stored them, the other found them
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Post)) == 300
        per_event = s.execute(select(Assignment.event_id, Assignment.unit_id, func.count())
                              .group_by(Assignment.event_id, Assignment.unit_id)).all()
        assert all(n == 1 for _, _, n in per_event)  # one unit, one role per event
        assert s.scalar(select(func.count()).select_from(Deadline)) == \
            s.scalar(select(func.count()).select_from(Assignment).where(Assignment.role == "primary"))


def test_two_workers_dispatching_concurrently_hand_out_each_assignment_once(
        engine: Engine, db_url: str, ctx: TriageContext, runtime_for: Any) -> None:
    import threading

    from pipeline.service import dispatch

    towns = ["石塘镇", "崇头镇", "赤石乡", "浮云街道", "元和街道", "紧水滩镇"]
    records = [{"id": f"d{i}", "platform": "weibo", "text": f"{towns[i % 6]}第{i}号路段的路灯坏了{i % 5 + 2}天，晚上很不安全，请尽快修好"}
               for i in range(60)]
    with session_scope(engine) as s:
        triage_posts(s, posts(records), ctx, NOW)
        total = s.scalar(select(func.count()).select_from(Assignment))
    runtimes = [runtime_for(db_url), runtime_for(db_url)]
    results: list[dict[str, int]] = []
    workers = [threading.Thread(target=lambda rt=rt: results.append(dispatch(rt, NOW))) for rt in runtimes]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert sum(sum(r.values()) for r in results) == total  # every assignment counted once, by one worker
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Assignment).where(Assignment.status == "dispatched")) == total
    assert dispatch(runtimes[0], NOW) == {}


def test_a_placeless_complaint_goes_to_the_township_its_account_names(engine: Engine, ctx: TriageContext) -> None:
    """属地 from the publishing account (issue 16): a villager's complaint naming no place is
    about 云和 and its township's, when the account's name names one 云和 place."""
    records = [{"id": "h1", "platform": "weibo", "author": "石塘宝妈",
                "text": "楼下工地半夜还在打桩，咚咚咚的，孩子被吵醒好几次，有没有人管"},
               {"id": "h2", "platform": "weibo", "author": "打工人小李", "text": "楼下工地半夜还在打桩，吵得睡不着"}]
    with session_scope(engine) as s:
        items = {i["id"]: i for i in triage_posts(s, posts(records), ctx, NOW).items}
    assert items["h1"]["relevant"] and items["h1"]["primary_unit"] == "石塘镇"
    assert not items["h2"]["relevant"]



def test_a_township_named_inside_a_spanning_place_narrows_where_the_event_happened(
        engine: Engine, ctx: TriageContext) -> None:
    # 仙宫湖 lies in 紧水滩镇 and 石塘镇: the flash names each; the report says which one it was
    flash = {"id": "f1", "platform": "weibo", "text": "仙宫湖上一条小艇翻了！好几个人掉水里，救援船已经过去了"}
    report = {"id": "r1", "platform": "news", "source": "丽水日报",
              "text": "今天下午，紧水滩镇仙宫湖水域一艘小艇翻覆，船上5人落水，其中4人获救，1人失联，搜救仍在进行"}
    with session_scope(engine) as s:
        items = triage_posts(s, posts([flash, report]), ctx, NOW).items
    assert items[0]["event_id"] == items[1]["event_id"]
    assert items[1]["primary_unit"] == "紧水滩镇" and "石塘镇" not in items[1]["cooperating_units"]
