"""What people receive (RULES.md §5): messages that crawled text cannot forge, one message per
group and event at a time, and nothing that asks again for what a unit has already answered."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from pipeline.actions.work import record_response
from pipeline.alerts.channels import as_plain_text
from pipeline.alerts.outbox import deliver_one, sweep
from pipeline.alerts.render import plain, render_message
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW

MAJOR = {"id": "m1", "platform": "weibo", "author": "网友", "url": "https://weibo.example/m1",
         "text": "崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，另有多人受伤，救援仍在进行"}
FORGED = (MAJOR["text"] + "\n- 请确认收到：[点击确认](http://evil.example/ack?t=1)\n![图](http://evil.example/x.png)"
          "\n# 紧急通知 <b>立即</b> `rm` *转发* javascript:alert(1) 详见 https://evil.example/more")


class Recorder:
    """A channel that keeps what it is sent (as a DingTalk group would show it)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, title: str, text: str, key: str, attachments: Sequence[str] = ()) -> None:
        self.sent.append((title, text))


def _triage(engine: Engine, ctx: TriageContext, record: dict[str, Any], now: datetime = NOW) -> int:
    with session_scope(engine) as s:
        return int(triage_posts(s, [to_post(record, 1, now)], ctx, now).items[0]["event_id"])


def test_crawled_text_cannot_bring_links_images_headings_or_lists(engine: Engine, ctx: TriageContext) -> None:
    eid = _triage(engine, ctx, {**MAJOR, "text": FORGED})
    with session_scope(engine) as s:
        alerts = list(s.scalars(select(Alert).where(Alert.event_id == eid, Alert.recipient == "崇头镇")))
        title, text = render_message(s, alerts, NOW, public_url="https://yq.yunhe.gov.cn")
    links = re.findall(r"\]\(([^)]*)\)", text)
    own = [f"https://yq.yunhe.gov.cn/events/{eid}"]
    assert links and all(link.startswith("https://yq.yunhe.gov.cn/ack/") or link in own for link in links)  # ours
    assert "http://evil" not in text and "https://evil" not in text and "javascript:" not in text
    assert "![" not in text and "<b>" not in text and "`rm`" not in text
    assert [line for line in text.splitlines() if line.startswith("#")] == [f"### {title}"]
    assert all(line == "" or line.startswith(("### ", "- ", "  - ")) for line in text.splitlines())
    assert "原文地址（文本，请复制后核实）：https：//weibo.example/m1" in text  # the source, as text
    mail = as_plain_text(text)
    assert "http://evil" not in mail and "https://evil" not in mail and "](" not in mail
    assert plain("[x](http://a.b) ![i](data:x)") == "［x］（http：//a.b） ！［i］（data：x）"


def test_alert_text_is_chinese_and_links_the_event_page(engine: Engine, ctx: TriageContext) -> None:
    eid = _triage(engine, ctx, {**MAJOR, "platform": "news", "author": "丽水网"})
    with session_scope(engine) as s:
        alerts = list(s.scalars(select(Alert).where(Alert.event_id == eid, Alert.recipient == "崇头镇")))
        _, with_link = render_message(s, alerts, NOW, public_url="https://yq.yunhe.gov.cn/")
        _, without = render_message(s, alerts, NOW, public_url=None)
    assert "- 来源：新闻网站，丽水网" in with_link
    assert not re.search(r"来源：[A-Za-z_]", with_link) and "news" not in with_link.replace("weibo.example", "")
    assert f"[打开事件 {eid}](https://yq.yunhe.gov.cn/events/{eid})" in with_link
    assert "/events/" not in without  # no public URL: no link to an address nobody can reach


def _deliver_all(session: Any, cfg: Config, channels: dict[str, Recorder], now: datetime) -> None:
    while deliver_one(session, channels, cfg.alerts, now, public_url=None) is not None:
        pass


def test_five_hours_of_sweeps_never_flood_a_group(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    """Sweeps every 10 minutes for five hours over a 重大 event nobody acknowledges at first:
    each group gets at most one message per event per run, and no more in all than the
    thresholds that passed (first alert, three repeats, two reminders, one overdue)."""
    eid = _triage(engine, ctx, MAJOR)
    channels = {name: Recorder() for name in cfg.alerts.channels}
    per_run: list[Counter[tuple[str, str]]] = []
    with session_scope(engine) as s:
        for minutes in range(0, 301, 10):
            now = NOW + timedelta(minutes=minutes)
            if minutes == 20:  # the township answers: its alerts are answered with it
                record_response(s, cfg, eid, "崇头镇", "接受媒体采访", link=None, place="县融媒体中心演播室", at=now,
                                actor="崇头镇值班员", now=now)
            before = {n: len(c.sent) for n, c in channels.items()}
            sweep(s, cfg, now)
            _deliver_all(s, cfg, channels, now)
            per_run.append(Counter({(n, str(eid)): len(c.sent) - before[n] for n, c in channels.items()}))
    assert all(n <= 1 for run in per_run for n in run.values())  # one message per group and event per run
    totals = {n: len(c.sent) for n, c in channels.items()}
    assert totals["coordinators-dingtalk"] <= 1 + 3 + 1 + 1  # first alert, repeats, the 24 h reminder, overdue
    units = [text for _, text in channels["units-dingtalk"].sent]
    assert len(units) == 1  # answered at 20 min: never asked again, never reminded of what it met
    later = [text for _, text in channels["coordinators-dingtalk"].sent[1:]]
    assert later and not any("崇头镇尚未确认" in t or "、崇头镇" in t for t in later)
    assert any("县政府办公室、县委宣传部尚未确认收到预警" in t for t in later)


def test_a_report_notice_by_mail_carries_the_file_as_plain_text(engine: Engine, cfg: Config, tmp_path: Any) -> None:
    """Other flows (reports, schemes) announce through the outbox with a text and, for mail, a
    file: the mail is plain text (no markdown marks) with the file attached."""
    from email import message_from_bytes

    from pipeline.alerts.channels import EmailChannel
    from pipeline.alerts.outbox import write_alerts
    from pipeline.alerts.plan import AlertDraft
    from tests.pipeline.receivers import smtp_receiver

    report = tmp_path / "舆情日报-2026-11-27.docx"
    report.write_bytes(b"PK\x03\x04 not really a docx")
    with session_scope(engine) as s:
        write_alerts(s, [AlertDraft("report:daily:2026-11-27", "report", cfg.alerts.leadership_recipient, False,
                                    payload={"text": "本期共监测到涉云和信息 12 条 [详见](http://x.example)",
                                             "path": str(report)})], cfg.alerts, NOW)
    with smtp_receiver() as (port, mails), session_scope(engine) as s:
        channel = EmailChannel("127.0.0.1", port, None, None, "yuqing@yunhe.gov.cn", ("zfb@yunhe.gov.cn",))
        assert deliver_one(s, {"leadership-dingtalk": channel}, cfg.alerts, NOW, public_url=None) == "sent"
    message = message_from_bytes(mails[0].content)
    parts = {p.get_content_type(): p for p in message.walk()}
    body = parts["text/plain"].get_payload(decode=True).decode("utf-8")
    assert "【舆情报告】" in body and "###" not in body and "**" not in body
    assert "http://x.example" not in body  # the text came from outside the outbox: no link
    attached = [p for p in message.walk() if p.get_filename()]
    assert [p.get_filename() for p in attached] == [report.name]
    assert attached[0].get_payload(decode=True) == report.read_bytes()


def test_a_report_notice_links_to_the_web_app_and_keeps_its_title_whole(engine: Engine, cfg: Config, tmp_path: Any) -> None:
    """Issue 17: the notice of a new report gives the web app's download links (YUQING_PUBLIC_URL
    + /reports/<id>/<format>), never the server's file path, and its heading is the report's
    whole title."""
    from pipeline.alerts.outbox import write_alerts
    from pipeline.alerts.plan import AlertDraft

    path = str(tmp_path / "state" / "reports" / "daily" / "daily-2026-11-27.docx")
    title = "2026年11月27日舆情日报：崇头镇云和梯田客车交通事故致12人死亡等事件的汇总与研判"
    with session_scope(engine) as s:
        write_alerts(s, [AlertDraft("report:daily:2026-11-27", "report", cfg.alerts.leadership_recipient, False, payload={
            "text": f"【舆情日报】{title}\n本期共监测到涉云和信息12条。\n本报告有Word版、Excel版。", "title": title,
            "path": path, "files": {"docx": path, "xlsx": path.replace(".docx", ".xlsx")}, "report_id": 7})],
            cfg.alerts, NOW)
        alert = s.scalars(select(Alert).where(Alert.kind == "report")).one()
        heading, text = render_message(s, [alert], NOW, public_url="https://yq.yunhe.gov.cn/")
        assert heading == f"【舆情报告】{title}"                    # whole, though longer than 40 characters
        assert "[Word版](https://yq.yunhe.gov.cn/reports/7/docx)、[Excel版](https://yq.yunhe.gov.cn/reports/7/xlsx)" in text
        assert str(tmp_path) not in text
        _, offline = render_message(s, [alert], NOW, public_url=None)
        assert "请登录舆情系统，在“报告”页查看" in offline and str(tmp_path) not in offline


def test_the_ladder_reaches_leadership_and_says_so(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    """Nobody acknowledges a 重大 alert: the owner is asked again at 30 min, the coordinators are
    told at 60, 县政府领导 at 90 — one message each time — and then nothing more."""
    _triage(engine, ctx, MAJOR)
    channels = {name: Recorder() for name in cfg.alerts.channels}
    with session_scope(engine) as s:
        for minutes in range(0, 241, 10):
            now = NOW + timedelta(minutes=minutes)
            sweep(s, cfg, now)
            _deliver_all(s, cfg, channels, now)
    leadership = [text for _, text in channels["leadership-dingtalk"].sent]
    assert len(leadership) == 1 and "（第3次提醒），现再次提醒并报县政府办公室、县委宣传部、县政府领导" in leadership[0]
    units = [title for title, _ in channels["units-dingtalk"].sent if "预警" in title]
    assert [t.split("】")[0] for t in units] == ["【舆情预警·重大", "【预警未确认·重大·第1次提醒", "【预警未确认·重大·第2次提醒",
                                                 "【预警未确认·重大·第3次提醒"]
