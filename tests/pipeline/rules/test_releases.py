"""The county's own releases (RULES.md §4), on both engines: the demo's 【辟谣】 and 【警方通报】 by
云和发布 join the rumours they answer as responses at their publication time, create no task,
meet the fitting milestone, and the 日报 counts them; a release answering nothing is the county's
own statement, without a task; re-running triage records nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select

from pipeline.config import Config
from pipeline.normalize import read_posts, to_post
from pipeline.reports.docx import render_docx
from pipeline.reports.service import Spec, build
from pipeline.rules.analysis import OWN_RELEASE
from pipeline.rules.periods import Period
from pipeline.rules.releases import official_release
from pipeline.runtime import Runtime
from pipeline.settings import PROJECT_ROOT
from pipeline.storage.models import Assignment, Deadline, Event, Post, Response, Unit
from pipeline.triage import triage_posts
from tests.pipeline.reports.conftest import text_of, word

NOW = datetime.fromisoformat("2026-11-28T10:00:00+08:00")
RUMOURS = {"demo-028": "demo-027", "demo-030": "demo-029"}  # release -> the rumour it answers
ANSWERS = {**RUMOURS, "demo-016": "demo-015"}  # and the policy interpretation -> the misreading


def _triage_demo(rt: Runtime) -> dict[str, int]:
    posts = read_posts(PROJECT_ROOT / "data" / "sample" / "demo_posts.jsonl", NOW).posts
    with rt.session() as s:
        items = triage_posts(s, posts, rt.triage_context(), NOW).items
    return {i["id"]: i["event_id"] for i in items}


def test_the_demo_releases_are_responses_of_their_units_not_tasks(db_url: str,
                                                                  runtime_for: Callable[[str], Runtime]) -> None:
    rt = runtime_for(db_url)
    events = _triage_demo(rt)
    for release, answered in ANSWERS.items():
        assert events[release] == events[answered], release
    with rt.session() as s:
        responses = s.execute(select(Post.platform_id, Response.kind, Unit.name, Response.responded_at, Response.event_id)
                              .join(Post, Post.id == Response.post_id).join(Unit, Unit.id == Response.unit_id)).all()
        by_post = {r.platform_id: r for r in responses}
        assert set(RUMOURS) <= set(by_post)
        for release, rumour in RUMOURS.items():
            r = by_post[release]
            assert (r.kind, r.name, r.event_id) == ("发布权威信息", "县委宣传部", events[rumour])
            published = s.scalar(select(Post.published_at).where(Post.platform_id == release))
            assert r.responded_at == published
            # 云和发布 speaks for the county: the rumour's answer milestone is met by the release.
            met = s.scalars(select(Deadline.response_id).join(Assignment).where(
                Assignment.event_id == events[rumour], Deadline.met_at.is_not(None))).all()
            assert any(m is not None for m in met)
        # No release is an item of its own: each is set aside as the county's own release.
        for pid in ANSWERS:
            assert s.scalar(select(Post.relevant).where(Post.platform_id == pid)) is False
    from pipeline.queries.events import event_view

    with rt.session() as s:  # what the event page shows: the release by name, no internal codes
        view = event_view(s, events["demo-027"], NOW)
        assert view is not None
        shown = "\n".join(t.text for t in view.timeline())
        assert "本县官方发布（记为回应）" in shown and "官方发布满足时限" in shown and "own_release" not in shown
        assert any(r["recorded_by"] == "云和发布（官方发布）" for r in view.responses)
    before = _count(rt)
    _triage_demo(rt)
    assert _count(rt) == before, "re-running triage records no release twice"
    report = text_of(word(render_docx(build(rt, Spec("daily", Period.containing("daily", NOW.date())), NOW))))
    assert "已发布辟谣或回应2起" in report


def test_a_release_answering_nothing_is_the_countys_statement_without_a_task(db_url: str,
                                                                            runtime_for: Callable[[str], Runtime]) -> None:
    rt = runtime_for(db_url)
    notice = {"id": "s", "platform": "wechat", "author": "云和发布", "published_at": "2026-11-28T09:00:00+08:00",
              "title": "关于开展冬季消防安全宣传月活动的说明",
              "text": "为进一步增强群众消防安全意识，县里将于12月开展冬季消防安全宣传月活动，各乡镇（街道）组织进村入户宣传。"}
    with rt.session() as s:
        item = triage_posts(s, [to_post(notice, 1, NOW)], rt.triage_context(), NOW).items[0]
        statement = s.get_one(Event, item["event_id"])
        assert not statement.relevant and statement.irrelevant_reason == OWN_RELEASE
        assert s.scalar(select(func.count()).select_from(Assignment).where(Assignment.event_id == statement.id)) == 0
        assert item["deadlines"] == [] and item["primary_unit"] is None


def _count(rt: Runtime) -> int:
    with rt.session() as s:
        return int(s.scalar(select(func.count()).select_from(Response)) or 0)


def test_a_township_release_saying_our_town_names_its_township(db_url: str, runtime_for: Callable[[str], Runtime],
                                                                cfg: Config) -> None:
    rt = runtime_for(db_url)
    flash = {"id": "f", "platform": "weibo", "author": "库区老周", "published_at": "2026-11-28T08:00:00+08:00",
             "text": "紧水滩镇库区一条小船翻了，船上五个人落水，救援艇还在找人"}
    notice = {"id": "n", "platform": "wechat", "author": "紧水滩镇人民政府", "published_at": "2026-11-28T09:30:00+08:00",
              "title": "关于库区船只翻覆事故的情况通报",
              "text": "11月28日7时50分许，我镇某村一村民驾驶自用小型船只搭载4人在库区水域翻覆，5人落水，2人获救，3人失联，"
                      "搜救工作正在进行。"}
    with rt.session() as s:
        items = triage_posts(s, [to_post(r, n, NOW) for n, r in enumerate((flash, notice), 1)], rt.triage_context(), NOW).items
    assert items[0]["event_id"] == items[1]["event_id"]
    assert items[0]["primary_unit"] == "紧水滩镇"
    release = official_release(notice["author"], None, f"{notice['title']}。{notice['text']}", cfg)
    assert release is not None and release.township == "紧水滩镇" and release.kind == "情况通报"
    with rt.session() as s:
        response = s.scalars(select(Response).where(Response.event_id == items[0]["event_id"])).one()
        assert s.get_one(Unit, response.unit_id).name == "紧水滩镇"
        # The owner's own 情况通报 meets its 发布权威信息 milestone, at its publication time.
        met = s.scalars(select(Deadline).join(Assignment).where(Assignment.event_id == items[0]["event_id"],
                                                                Deadline.response_id == response.id)).all()
        assert met and all(d.met_at == response.responded_at for d in met)


def test_accounts_named_after_their_unit_are_its_accounts(cfg: Config) -> None:
    """Unlisted accounts named as a unit speak for it: 紧水滩镇人民政府, 云和县应急管理局 or just
    县应急管理局, and an account called just as its township (元和街道); a netizen named after a
    place does not."""
    notice = "【情况通报】11月17日19时50分许，本街道某小区楼道内一辆电动自行车充电时起火。"
    for author, unit in (("元和街道", "元和街道"), ("紧水滩镇人民政府", "紧水滩镇"), ("云和县应急管理局", "县应急管理局"),
                         ("县应急管理局", "县应急管理局"), ("丽水市生态环境局云和分局", "丽水市生态环境局云和分局")):
        found = official_release(author, None, notice, cfg)
        assert found is not None and found.unit == unit, author
    assert official_release("元和街道路人", None, notice, cfg) is None
    assert official_release("住在凤凰山街道", None, notice, cfg) is None
    assert official_release("县应急管理局的小王", None, notice, cfg) is None


def test_accounts_named_by_a_units_short_name_are_its_accounts(cfg: Config) -> None:
    """云和 + a department's usual short name (its characters in order, from the first) is that
    department's account; self-media named 云和 + something else are not."""
    notice = "【情况说明】针对网友反映的问题，经核实，现回复如下。"
    for author, unit in (("云和应急管理", "县应急管理局"), ("云和市场监管", "县市场监督管理局"),
                         ("云和综合执法", "县综合行政执法局"), ("云和医保", "县医疗保障局"),
                         ("云和县住建", "县住房和城乡建设局"), ("云和交警", "县公安局"),
                         ("网信云和", "县委网信办"), ("生态云和", "丽水市生态环境局云和分局"),
                         ("健康云和", "县卫生健康局"), ("石塘镇发布", "石塘镇")):
        found = official_release(author, None, notice, cfg)
        assert found is not None and found.unit == unit, author
    for author in ("云和本地通", "云和交通事儿", "云和身边事", "云和生活圈", "云和财经", "云和",
                   "最美云和", "爱上云和", "印象云和", "平安夜云和", "法治云和", "生活云和", "幸福云和"):
        assert official_release(author, None, notice, cfg) is None, author


def test_a_townships_account_under_a_word_of_praise_is_its_account(cfg: Config) -> None:
    """Township 政务号 are often named by a word of praise and the township's short name (魅力赤石,
    印象紧水滩, 畲乡雾溪): their "我乡某村" is that township; people named after the place are not."""
    notice = "10月16日凌晨，我乡某村发生山体滑坡，造成人员伤亡。"
    for author, unit in (("魅力赤石", "赤石乡"), ("印象紧水滩", "紧水滩镇"), ("畲乡雾溪", "雾溪畲族乡"),
                         ("美丽崇头", "崇头镇"), ("凤凰山平安", "凤凰山街道")):
        found = official_release(author, None, notice, cfg)
        assert found is not None and found.unit == unit and found.township == unit, author
    for author in ("赤石老表", "赤石乡的阿萍", "紧水滩本地通", "魅力", "魅力云和", "印象赤石的风"):
        assert official_release(author, None, notice, cfg) is None, author
