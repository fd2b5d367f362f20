"""The same incident in other words: facts read from posts, and when they make one incident."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.rules.clues import FOREIGN, Clues, incident_text, names_elsewhere
from pipeline.rules.incidents import Profile, conflicts, match
from pipeline.triage import TriageContext, analyse_chunk
from tests.conftest import NOW


def clues(ctx: TriageContext, *texts: str, at: datetime = NOW) -> list[Clues]:
    posts = [to_post({"id": f"t{i}", "platform": "weibo", "text": t, "published_at": at.isoformat()}, i + 1, NOW)
             for i, t in enumerate(texts)]
    found = analyse_chunk(ctx, posts)[2]
    for c in found:
        assert c is not None
        c.at = at.timestamp()
    return [c for c in found if c is not None]


def profile(*found: Clues) -> Profile:
    p = Profile()
    for c in found:
        p.add(c)
    return p


FLASH = "【突发】今天早上7时许，崇头镇通往云和梯田景区的盘山公路上一辆旅游大巴侧翻坠入山谷，已造成多人遇难"
NEWS = "记者从县应急管理局获悉，28日7时05分许，云和梯田附近盘山公路一辆载有游客的大巴坠谷，截至9时已致12人死亡、18人受伤"
FOLLOW = "崇头镇旅游大巴坠谷事故死亡人数已升至15人，伤者仍在县人民医院抢救"
TRUCK = "崇头镇集镇十字路口11时20分许，一辆装满毛竹的货车与一辆电动三轮车相撞，三轮车驾驶人当场身亡"
FIRE = "崇头镇坑根村今天下午3点多一幢民房起火，一名老人手部烧伤"


def test_facts_of_a_post(ctx: TriageContext) -> None:
    flash, news, truck = clues(ctx, FLASH, NEWS, TRUCK)
    assert flash.towns == ("崇头镇",) and "云和梯田" in flash.spots and flash.kinds == ("交通事故",)
    assert flash.objects == ("车辆:客车",) and flash.hour == 7 and flash.incident_day() == 28
    assert news.towns == ("崇头镇",)  # through the landmark
    assert (news.hour, news.day, news.deaths, news.hurt) == (7, 28, 12, 18)  # "截至9时" dates the report
    assert set(truck.objects) == {"车辆:货车", "车辆:三轮车"} and truck.hour == 11


def test_a_repost_is_read_for_the_original_not_its_comment() -> None:
    text = incident_text(None, f"我昨天刚从那里经过，太吓人了 //@丽水身边事:{FLASH}")
    assert text == FLASH
    assert incident_text("崇头镇大巴坠谷", FLASH).startswith("崇头镇大巴坠谷。")


def test_a_titled_post_reads_the_same_facts_as_its_title_and_text_cut_together(ctx: TriageContext) -> None:
    # clues_of reuses the text's tokens and cuts only the title; the facts must be those of the
    # joined text cut whole.
    from pipeline.rules.clues import extract

    title = "云和梯田盘山公路旅游大巴坠谷"
    post = to_post({"id": "t", "platform": "news", "title": title, "text": FOLLOW, "published_at": NOW.isoformat()},
                   1, NOW)
    analyses, _, read = analyse_chunk(ctx, [post])
    found, analysis = read[0], analyses[0]
    whole = extract(ctx.tokenizer.doc(f"{title}。{FOLLOW}"), analysis.townships, analysis.casualties.deaths,
                    analysis.casualties.injured or analysis.casualties.serious_injuries, ctx.vocab)
    assert found is not None and "云和梯田" in found.spots
    assert (found.towns, found.spots, found.kinds, found.objects, found.terms) == \
        (whole.towns, whole.spots, whole.kinds, whole.objects, whole.terms)


def test_one_incident_retold_with_growing_figures(ctx: TriageContext, cfg: Config) -> None:
    rules = cfg.policy.events.incidents
    flash, news, follow = clues(ctx, FLASH, NEWS, FOLLOW)
    assert match(news, profile(flash), rules) is not None
    # The follow-up names no landmark nor hour: one fact (the bus) agrees, enough only when this is
    # the only traffic accident in 崇头镇 of late.
    assert match(follow, profile(flash, news), rules) is None
    m = match(follow, profile(flash, news), rules, sole=True)
    assert m is not None and any("同类事件" in r for r in m.reasons)
    follow.deaths = 9  # fewer deaths, reported later: another incident
    assert any("死亡人数不符" in r for r in conflicts(follow, profile(flash, news), cfg.policy.events.incidents))


def test_other_incidents_in_the_same_township_on_the_same_day_stay_apart(ctx: TriageContext, cfg: Config) -> None:
    rules = cfg.policy.events.incidents
    flash, news, truck, fire = clues(ctx, FLASH, NEWS, TRUCK, FIRE)
    bus = profile(flash, news)
    assert match(truck, bus, rules, sole=True) is None
    assert any("涉及对象不同" in r for r in conflicts(truck, bus, cfg.policy.events.incidents))
    assert any("发生时间不同" in r for r in conflicts(truck, bus, cfg.policy.events.incidents))
    assert match(fire, bus, rules, sole=True) is None
    assert any("事件类型不同" in r for r in conflicts(fire, bus, cfg.policy.events.incidents))


def _routine(ctx: TriageContext, cfg: Config, a: str, b: str) -> Any:
    first, second = clues(ctx, a, b)
    return match(second, profile(first), cfg.policy.events.incidents)


def test_routine_items_join_on_their_words_not_on_a_shared_place(ctx: TriageContext, cfg: Config) -> None:
    water = "我是古竹村村民，这半个月村里停了四次水，供水管老化，每次停水都没有任何通知"
    again = "古竹村今天又停水了，水龙头一滴都没有，供水站电话打了没人接，能不能提前通知"
    road = "古竹村进村那条水泥路烂成什么样了，大坑套小坑，下雨全是积水，晚上骑车好几个人摔了"
    assert _routine(ctx, cfg, water, again) is not None
    assert _routine(ctx, cfg, water, road) is None
    ticket = "云和梯田景区门票又涨了，去年还是50，今年变成80，观景台另收停车费，太贵了"
    assert _routine(ctx, cfg, FLASH, ticket) is None  # an incident and a routine matter at one landmark


def test_a_debunk_tells_of_the_rumour_it_refutes(ctx: TriageContext, cfg: Config) -> None:
    """Someone refuting a rumour ("【辟谣】网传…系谣言", "别传了，公安都辟谣了") speaks of the same
    story: the refutation is no fact against it (independently written sets put both in one
    incident; the county's own 辟谣 is its unit's response, ``test_the_countys_debunk…``)."""
    rules = cfg.policy.events.incidents
    rumour, debunk = clues(ctx, "紧急扩散！紧水滩水库大坝裂了马上要溃坝，下游的人赶紧跑！！转给家里人",
                           "【辟谣】网传“紧水滩水库要溃坝”系谣言！经县水利局核实，水库运行正常，请不信谣、不传谣。")
    rumour.rumor = True  # as the rumour model says
    assert debunk.debunk and not debunk.official
    assert not conflicts(debunk, profile(rumour), rules)
    # the only such incident at the dam of late: the place and the kind are enough
    assert match(debunk, profile(rumour), rules, sole=True) is not None


def test_the_countys_debunk_answers_the_rumour_it_names_not_any_rumour_there(ctx: TriageContext,
                                                                             cfg: Config) -> None:
    rules = cfg.policy.events.incidents
    water, dam, pork = clues(ctx, "听说云和县城的自来水被污染了，这两天千万别喝，赶紧去超市抢桶装水！",
                             "【辟谣】网传“云和县城自来水被污染不能喝”系谣言。经检测，县城水厂出厂水各项指标均符合标准",
                             "【辟谣】网传“凤凰山街道农贸市场卖病死猪肉”不实。经查，该市场在售猪肉均来自定点屠宰企业")
    water.rumor = True
    dam.official = pork.official = True
    assert match(dam, profile(water), rules) is not None
    assert match(pork, profile(water), rules) is None  # a rumour of 县城, another matter


def test_a_text_naming_a_place_elsewhere_is_marked(ctx: TriageContext) -> None:
    """What keeps a flash of another county out of a 云和 incident: a city, county, district or
    town named as one word, or a well-known place; never 云和's own names, short names that may be
    ours (安溪, 凤凰山), the kind words, or 县 on its own (县医院, 县领导)."""
    def elsewhere(text: str) -> bool:
        return names_elsewhere(ctx.tokenizer.doc(text), ctx.vocab)

    for text in ("18日凌晨，遂昌县湖山乡一处山体发生滑坡", "3日下午，瓯海区泽雅水库一艘钓鱼船翻船",
                 "杭州一所中学数名学生午餐后出现腹泻症状", "泉州市安溪县龙门镇一处山场发生森林火情",
                 "景宁鹤溪街道今天停电一上午", "凤凰山脚下一家饭店着火了（大连）",
                 "主管道抢修，预计下午恢复，莲都的朋友们提前储水"):  # 莲都 cut into 莲 都
        assert elsewhere(text), text
    # jieba's dictionary tags 后山, 滑坡, 太阳 and 东西 as place names: they name nowhere else
    for text in ("尊敬的县领导：您好", "送到县医院去了", "记者从浙江省云和县获悉", "凤凰山起火了",
                 "刚从安溪回云和县城", "梯田这边滑坡了", "开发区那边火光冲天", "崇头镇坑根村附近县道塌方",
                 "我们村后山滑坡了", "元和街道小太阳幼儿园收费", "东西都烧没了", "我家门口的树都倒了"):
        assert not elsewhere(text), text


def test_a_namesake_named_with_another_county_is_not_our_place(ctx: TriageContext, cfg: Config) -> None:
    """温岭市石塘镇 is not our 石塘镇: its capsizing keeps a place of its own (marked as elsewhere),
    so neither joins the other by 同一地点 nor counts as placeless; ours keeps its township."""
    ours, theirs = clues(ctx, "石塘镇长汀村附近水域一艘渔船翻覆，2人落水获救",
                         "3日下午，温岭市石塘镇附近海域一艘渔船翻覆，5名船员中4人获救，1人失踪")
    assert ours.towns == ("石塘镇",)
    assert theirs.towns == (f"{FOREIGN}石塘镇",) and theirs.townships == () and theirs.elsewhere
    assert match(theirs, profile(ours), cfg.policy.events.incidents) is None
    assert match(ours, profile(theirs), cfg.policy.events.incidents) is None
    # 温岭's own account on "石塘镇海域" speaks of 温岭's 石塘镇 (a text naming 云和 would be ours)
    told = _by(ctx, "温岭发布", "【安全提醒】受强对流天气影响，石塘镇海域一艘渔船倾覆，船上3人均已获救")
    assert told.towns == (f"{FOREIGN}石塘镇",) and told.elsewhere
    assert not _by(ctx, "龙泉发布", "云和县石塘镇长汀村附近水域一艘渔船翻覆").elsewhere
    # a repost reads what it passes on as its original account's words: 景宁发布's "我县" is 景宁
    passed = _by(ctx, "丽水身边事", "前天云和那边也是翻船//@景宁发布:【情况通报】我县一水库发生一起渔船倾覆事故，1人失联")
    assert passed.elsewhere and passed.abroad == ("景宁",)
    # a person telling where they live speaks for no county: their 元和 is ours
    away = _by(ctx, "在杭州的小徐人", "元和那边村里停电的事有人反映了吗？我爸妈天天打电话说又黑了")
    assert away.towns == ("元和街道",) and not away.elsewhere


def test_the_only_such_event_at_another_village_days_before_is_not_this_one(ctx: TriageContext,
                                                                           cfg: Config) -> None:
    rules = cfg.policy.events.incidents
    [first] = clues(ctx, "古竹村口那个路口又撞了，电瓶车和小轿车，骑车的大姐躺在地上起不来", at=NOW - timedelta(days=2))
    [told] = clues(ctx, "【事故通报】元和街道古竹村路口发生一起小型轿车与电动自行车碰撞事故，驾驶人受伤送医",
                   at=NOW - timedelta(hours=22))
    [again] = clues(ctx, "睦田加油站门口两辆车撞上了，一辆SUV一辆皮卡，堵了好长一串")
    [near] = clues(ctx, "睦田加油站门口两辆车撞上了，一辆SUV一辆皮卡，堵了好长一串", at=NOW - timedelta(days=2, hours=-1))
    assert match(again, profile(first, told), rules, sole=True) is None  # another village, two days on
    assert match(near, profile(first, told), rules, sole=True) is not None  # within hours: the road between them


def _by(ctx: TriageContext, author: str, text: str, at: datetime = NOW) -> Clues:
    post = to_post({"id": "a", "platform": "weibo", "author": author, "text": text, "published_at": at.isoformat()},
                   1, NOW)
    found = analyse_chunk(ctx, [post])[2][0]
    assert found is not None
    found.at = at.timestamp()
    return found


def test_the_accounts_township_is_evidence_for_a_placeless_post(ctx: TriageContext, cfg: Config) -> None:
    """石塘宝妈's "打桩声" names no place: her account's township agrees with the 石塘镇 complaint
    (a reason says so), not with the same complaint in 崇头镇; it is no place identity."""
    rules = cfg.policy.events.incidents
    [shitang, chongtou] = clues(ctx, "石塘镇集镇边上那个工地天天晚上施工打桩到凌晨，有没有夜间施工许可？",
                                "崇头镇集镇边上那个工地天天晚上施工打桩到凌晨，有没有夜间施工许可？")
    mum = _by(ctx, "石塘宝妈", "宝宝半夜被打桩声吓哭三回，这工地是不是不用睡觉")
    assert mum.home == "石塘镇" and mum.towns == () and mum.townships == ()
    m = match(mum, profile(shitang), rules, sole=True)
    assert m is not None and any("发帖账号所在地（石塘镇）" in r for r in m.reasons)
    assert match(mum, profile(chongtou), rules, sole=True) is None


def test_the_one_incident_of_its_kind_at_a_place_within_the_day(ctx: TriageContext, cfg: Config) -> None:
    """A flash and a report of the one fire in 凤凰山街道 that day share no other fact; two days
    on, the same words need more."""
    rules = cfg.policy.events.incidents
    flash, report = clues(ctx, "凤凰山街道工业园那边一个厂烧起来了，浓烟好大",
                          "凤凰山街道一木制品企业成品仓库发生火灾，县消防救援大队调派6车30人到场处置")
    assert match(report, profile(flash), rules) is None  # another fire there of late: not enough
    m = match(report, profile(flash), rules, sole=True)
    assert m is not None and "同地同类事件，近期仅此一起" in m.reasons
    report.at = flash.at + 2 * 86400
    assert match(report, profile(flash), rules, sole=True) is None


def test_something_happened_at_the_very_spot(ctx: TriageContext, cfg: Config) -> None:
    rules = cfg.policy.events.incidents
    bus, there, village = clues(ctx, FLASH, "云和梯田今早出事了，护栏不结实，大家拍照别往边上靠",
                                "坑根村那边好像出事了，救护车刚过去")
    assert there.mishap and not there.kinds  # 今早出事: not feared ("迟早要出事")
    assert match(there, profile(bus), rules, sole=True) is not None
    assert match(village, profile(bus), rules, sole=True) is None  # the same township, another spot


def test_what_turned_over_says_which_kind(ctx: TriageContext) -> None:
    truck, boat, cup = clues(ctx, "货车翻在弯道上，竹子压了一地", "湖上一条小船翻了，两个人在水里", "杯子翻了一桌子水")
    assert truck.kinds == ("交通事故",) and boat.kinds == ("翻船",) and cup.kinds == ()


def test_a_boat_that_tipped_over_capsized_and_a_bus_accident_is_a_traffic_accident(ctx: TriageContext) -> None:
    tipped, raft, bus = clues(ctx, "今日15时20分许，我镇辖区水域一艘载客小型船只发生侧翻", "水库那边竹筏翻了 两个人掉水里",
                              "#云和公交车事故# 市领导已赶赴云和指导伤员救治")
    assert tipped.kinds == ("翻船",) and raft.kinds == ("翻船",) and bus.kinds == ("交通事故",)


def test_the_missing_are_a_kind_only_when_nothing_else_happened(ctx: TriageContext) -> None:
    hikers, fire = clues(ctx, "我朋友他们四个人早上去爬山，现在还没下来，电话都打不通，已经失联了",
                         "【续报】火灾事故最新情况：当晚在岗的1名员工至今仍未联系上，已列为失联人员")
    assert hikers.kinds == ("失踪",) and fire.kinds == ("火灾",)


def test_a_first_report_with_its_toll_is_no_follow_up(ctx: TriageContext) -> None:
    first, later = clues(ctx, "29日8时10分许，丽龙高速云和互通往丽水方向因团雾发生多车追尾，截至记者发稿，已致1死6伤",
                         "丽龙高速多车追尾事故死亡人数升至2人")
    assert not first.follow_up and later.follow_up


def test_a_follow_ups_clock_time_is_its_news_not_the_incidents(ctx: TriageContext, cfg: Config) -> None:
    fire, later, closed = clues(ctx, "长田工业园区今晚21时05分许一木制品企业厂房发生火灾，造成2人死亡",
                                "【续报】火灾事故最新情况：1名重伤人员经全力抢救无效，于今日14时许不幸离世",
                                "受火灾影响，园区道路自今日13时起临时封闭，预计18时前恢复通行")
    assert later.hour == 14 and not conflicts(later, profile(fire), cfg.policy.events.incidents)
    assert closed.hour is None  # when a measure starts or ends dates no incident
    reopened, restored, slid = clues(ctx, "受山体滑坡影响封闭的县道赤石段，已于11月11日17时抢通，恢复单向通行",
                                     "塌方路段于12日9时30分许抢通，供水管道已修复", "11日17时许，县道赤石段发生山体滑坡")
    assert (reopened.day, reopened.hour) == (None, None) == (restored.day, restored.hour)  # when it was done
    assert (slid.day, slid.hour) == (11, 17)
    morning, two = clues(ctx, "本报讯 11月3日上午，崇头镇盘山公路发生山体滑坡，至13时许将被埋车内11人全部救出",
                         "昨天下午两点多，凤鸣社区安置房工地的外墙架子突然倒了一大片")
    assert morning.hour is None  # the morning's slide, not the rescue's 13时
    assert two.hour == 14


def test_a_toll_told_on_a_later_day_is_the_days_news(ctx: TriageContext, cfg: Config) -> None:
    """"今天上午获悉 … 已致2人遇难" the day after a capsizing dates the news, not the incident; a
    report of the next day without a toll names another day."""
    tz = timezone(timedelta(hours=8))
    report, = clues(ctx, "8日15时许，仙宫湖水域一艘自用船只倾覆，船上7人落水，3人失联",
                    at=datetime(2026, 11, 8, 18, tzinfo=tz))
    toll, other = clues(ctx, "记者今天上午获悉，翻船事故已致2人遇难，仍有1人失联",
                        "今天上午仙宫湖又有一条船翻了，船上的人都救起来了", at=datetime(2026, 11, 9, 10, tzinfo=tz))
    p = profile(report)
    assert toll.deaths == 2 and not conflicts(toll, p, cfg.policy.events.incidents)
    assert any("日期" in c for c in conflicts(other, p, cfg.policy.events.incidents))


def test_a_small_passenger_car_is_a_car_not_a_bus(ctx: TriageContext, cfg: Config) -> None:
    """小型客车 is the legal name of a car: the official report of a landslide burying one is the
    flash's 小汽车, not another incident's bus; a word inside a longer object word is not named."""
    report, flash, bus = clues(ctx, "崇头镇岗头村附近县道一处边坡发生山体滑坡，一辆途经小型客车被掩埋",
                               "梯田那边山体滑坡，一辆小汽车被埋了", "盘山公路一辆旅游大巴侧翻，中型客车")
    rules = cfg.policy.events.incidents
    assert report.objects == ("车辆:轿车",) and not conflicts(report, profile(flash), rules)
    assert bus.objects == ("车辆:客车",)


def test_an_investigations_result_a_week_later_dated_to_the_incident_joins_it(ctx: TriageContext,
                                                                               cfg: Config) -> None:
    """The result of an inquiry comes a week after the last news, past the incident window: dated
    to the incident's day, of its kind, it still tells of it; one dated to another day does not."""
    tz = timezone(timedelta(hours=8))
    report, = clues(ctx, "11月13日12时30分许，元和街道一所小学部分学生午餐后陆续出现呕吐症状，疑似食物中毒",
                    at=datetime(2026, 11, 13, 20, tzinfo=tz))
    result, other = clues(ctx, "经检测，11月13日学生疑似食源性疾病事件系学校食堂四季豆未充分加热、皂素中毒所致",
                          "经检测，11月2日学生疑似食源性疾病事件系学校食堂四季豆未充分加热、皂素中毒所致",
                          at=datetime(2026, 11, 21, 16, tzinfo=tz))
    rules = cfg.policy.events.incidents
    found = match(result, profile(report), rules, sole=True)
    assert found is not None and "发生日期相同（13日）" in found.reasons
    assert match(other, profile(report), rules, sole=True) is None


def test_streets_the_gazetteer_does_not_know_are_names_of_places(ctx: TriageContext) -> None:
    """人民巷, 解放街, 新城大道, 环城西路 name a spot as an unknown village does (no township);
    马路, 公路, 一条街, 半天路, 那条路 and a street word going on into another word (巷子 路 灯不亮)
    or after a verb (迷了路, 根本弄不明白) name none."""
    named = clues(ctx, "人民巷那边还是黑的", "解放街那边着火了", "新城大道红绿灯那里两车相撞", "环城西路又挖开了",
                  "公交车通往解放街的路口发生碰撞")  # a verb before a one-word street is no verb of its name
    assert [c.hamlets for c in named] == [("人民巷",), ("解放街",), ("新城大道",), ("环城西路",), ("解放街",)]
    assert all(c.towns == () for c in named)
    for c in clues(ctx, "过马路要小心，车开得飞快", "高速公路上追尾了", "一条街都停电了", "等了半天路还没修",
                   "学校门口那条路堵死了", "巷子路灯不亮好几天了", "下雨以后路面积水", "老人家在山上迷了路",
                   "材料太多，村里老人根本弄不明白", "面包车冲下路坎了", "现反映社区周边路灯长期不亮的问题"):
        assert c.hamlets == (), c


def test_stray_dogs_and_the_bus_service_are_routine_problems(ctx: TriageContext) -> None:
    dogs, bus, bite = clues(ctx, "象山村这边有几条流浪狗，早上追着上学的孩子跑", "崇头到县城的公交怎么一天只剩三班了",
                            "一条大黄狗把邻居家小孩腿咬了，去打狂犬疫苗了")
    assert dogs.matters == ("流浪狗",) and bus.matters == ("出行",)
    assert bite.kinds == ("动物伤人",)  # a bite is an incident, not the routine problem


def test_an_account_of_another_county_speaks_of_that_county(ctx: TriageContext) -> None:
    posts = [to_post({"id": "t", "platform": "weibo", "author": "景宁发布", "published_at": NOW.isoformat(),
                      "text": "【情况通报】我县一水库库区一艘小型自用船只侧翻，船上2人落水，均被救起"}, 1, NOW)]
    found = analyse_chunk(ctx, posts)[2][0]
    assert found is not None and found.elsewhere and "翻船" in found.kinds


def test_a_villages_short_name_jieba_cuts_into_characters_is_still_its_name(ctx: TriageContext) -> None:
    fire, field, road = clues(ctx, "长田着火了！！好大的烟", "延长田间管理时间，做好秋冬种准备", "元和这边早上堵死了")
    assert fire.spots == ("长田村",) and fire.towns == ("白龙山街道",)
    assert field.spots == () and field.towns == ()  # inside words of their own the characters name nothing
    assert road.towns == ("元和街道",)


def test_a_word_and_its_longer_form_are_one_shared_word(ctx: TriageContext) -> None:
    from pipeline.rules.incidents import shared_words
    report, later = clues(ctx, "滑坡事故共造成三名遇难者，均为当地村民", "最后一名失联人员找到，已遇难，遇难者家属已得到安置")
    words, _ = shared_words(later, profile(report), frozenset())
    assert len([w for w in words if "遇难" in w]) == 1


def test_villages_the_gazetteer_does_not_know_are_names_of_places(ctx: TriageContext, cfg: Config) -> None:
    rules = cfg.policy.events.incidents
    one, again, other, words = clues(ctx, "楼山村早上起来没水了，脸都没洗，也不提前通知一下",
                                     "楼山村停水一上午了，只能去买矿泉水煮饭", "杏岙村今天又停水了，水龙头一滴都没有",
                                     "部门和村干部多次向村里反映，失联村民已找到，我们村也停水了，欢迎来我村看看")
    some, = clues(ctx, "元和这边有个村天天停电你们知道吗")
    assert one.hamlets == ("楼山村",) and other.hamlets == ("杏岙村",) and words.hamlets == () == some.hamlets
    assert not one.places()  # a name, but no township: no place identity, no relevance
    assert match(again, profile(one), rules) is not None  # the same problem at the same village
    assert any("地点不同" in r for r in conflicts(other, profile(one), cfg.policy.events.incidents))


def test_everyday_matters_beyond_accidents_are_named(ctx: TriageContext) -> None:
    bite, pork, fees, school = clues(ctx, "老街上一条大黄狗把小孩咬伤了，小腿都出血了",
                                     "凤凰山菜场的猪肉千万别买，听说是病死猪", "医保又涨了，一家四口一年要交两千多",
                                     "学校门口放学时段接送车辆乱停乱放，经常堵到路上")
    assert bite.kinds == ("动物伤人",) and "食品" in pork.matters
    assert "医保" in fees.matters and "停车" in school.matters


def test_a_quoted_phrase_is_a_name(ctx: TriageContext) -> None:
    [fee] = clues(ctx, "孩子幼儿园又要交什么“特色课程费”1200，不交就不让上兴趣课")
    assert ("特色课程费", 7.5) in fee.terms


def test_letters_repeating_a_title_that_names_its_place_are_one_matter(ctx: TriageContext, cfg: Config) -> None:
    """Letters by different people about one matter repeat its title for weeks; a title naming
    no place (情况通报) says nothing of the kind."""
    from pipeline.rules.clues import title_key

    rules = cfg.policy.events.incidents
    titled = "崇头镇黄源村通村公路破损严重"
    assert title_key(titled, ctx.vocab) == titled
    assert title_key("关于一起交通事故的情况通报", ctx.vocab) is None and title_key("崇头镇答复", ctx.vocab) is None
    first, later = clues(ctx, "我是崇头镇的村民，村里那条路下雨就塌陷，车子开不过去", "崇头镇这条路一直没人修，老人出门摔了好几次")
    first.title = later.title = titled
    later.at = first.at + 10 * 86400  # ten days on: beyond the incidents' window, within the matters'
    m = match(later, profile(first), rules)
    assert m is not None and "标题相同" in m.reasons
    later.title = None
    assert match(later, profile(first), rules) is None


def test_a_letter_asks_about_a_matter_even_when_it_mentions_a_fire(ctx: TriageContext) -> None:
    """A letter on the leadership's message board about water pressure that says a fire hydrant
    would be dry is a complaint about the water, not a fire; a post elsewhere saying the same is
    read as it stands."""
    text = "紧水滩镇集镇自来水水压不足，高峰期楼上没水，万一着火了消防栓都没水，请尽快解决。"
    posts = [to_post({"id": f"p{i}", "platform": platform, "text": text, "published_at": NOW.isoformat()}, i + 1, NOW)
             for i, platform in enumerate(("message_board", "weibo"))]
    letter, weibo = analyse_chunk(ctx, posts)[2]
    assert letter is not None and weibo is not None
    assert letter.kinds == () and letter.matters == ("停水",)
    assert weibo.kinds == ("火灾",)


def test_a_slope_collapse_is_a_landslide_and_a_hill_fire_a_fire(ctx: TriageContext, cfg: Config) -> None:
    rules = cfg.policy.events.incidents
    slide, collapse, hill, fire = clues(ctx, "崇头镇梅源村上山那段路塌方了，整条路堵死", "崇头镇梅源村上山的公路边坡坍塌，一辆小客车受损",
                                        "赤石乡后山起山火了，烟往上直冒", "赤石乡半岭村后山着火了，火线拉得好长")
    assert {"坍塌", "地质灾害"} <= set(collapse.kinds) and {"山火", "火灾"} <= set(hill.kinds)
    assert not conflicts(collapse, profile(slide), rules) and not conflicts(hill, profile(fire), rules)
    assert match(collapse, profile(slide), rules, sole=True) is not None


def test_a_text_going_on_about_something_told_before_is_told_from_one_more_of_its_kind() -> None:
    from pipeline.rules.clues import goes_on

    assert goes_on("第六天 今晚又是通宵 我明天还要上早班")
    assert goes_on("路灯还是没修 打了12345说已转办")
    assert goes_on("亮了亮了 终于来电了")
    assert not goes_on("千峡湖那边也翻船了 还好人都捞上来了")
    assert not goes_on("周末想去爬山，有没有推荐的徒步路线")


def test_posts_told_only_as_another_countys_share_that_place(ctx: TriageContext, cfg: Config) -> None:
    """Two reports of one crash in 莲都 name none of our places: 莲都 is the place they share (so
    they are one incident there), while the same kind in 景宁 is another, and neither is ours."""
    rules = cfg.policy.events.incidents
    flash, report, jingning, ours = clues(
        ctx, "莲都那边山路上一辆大巴和货车撞了，现场好多人受伤",
        "【警情通报】21日14时许，莲都区某乡镇路段一辆大型客车与一辆重型半挂货车发生碰撞，造成6人死亡",
        "景宁那边也有车出事了，一辆大巴和货车撞了", "崇头镇盘山公路一辆大巴和货车相撞，多人受伤")
    assert flash.abroad == ("莲都",) and report.abroad == ("莲都",) and jingning.abroad == ("景宁",)
    assert ours.abroad == () and flash.towns == ()  # no township of ours, and none made up
    m = match(report, profile(flash), rules, sole=True)
    assert m is not None and any("莲都" in r for r in m.reasons)
    assert match(jingning, profile(flash), rules, sole=True) is None
    assert match(ours, profile(flash), rules, sole=True) is None and match(flash, profile(ours), rules, sole=True) is None


def test_words_that_only_look_like_places_elsewhere_are_none(ctx: TriageContext) -> None:
    """"各乡镇（街道）" is every township of ours, and 白龙湾小学 holds no 龙湾 (温州's district)."""
    meeting, school = clues(ctx, "县防指决定启动防汛Ⅳ级应急响应，各乡镇（街道）要加强值班值守",
                            "白龙湾小学十几个学生食物中毒？？？有没有知道情况的家长")
    assert not meeting.elsewhere and not school.elsewhere and school.abroad == ()
    # where people come from is no place of what happened; where it happened is
    tourists, come, there = clues(ctx, "续报：观光车侧翻事故已致2死15伤，伤者多为上海、杭州、宁波自驾游客",
                                  "一名来自杭州的游客在步道被蛇咬伤", "杭州一景区观光车侧翻，多名游客受伤")
    assert not tourists.elsewhere and not come.elsewhere and there.elsewhere and there.abroad == ("杭州",)


def test_problems_named_in_passing_do_not_tell_incidents_apart(ctx: TriageContext, cfg: Config) -> None:
    """"被困人员" holds the words of a stuck lift (困人), and a landslide's villagers are moved to a
    school: the kind of incident tells incidents apart, not the routine problems named in passing."""
    rules = cfg.policy.events.incidents
    slide, news = clues(ctx, "赤石乡一村庄发生山体滑坡，一户民房被埋，县里安排供水车送水",
                        "最新进展：滑坡现场找到一名被困人员，已无生命体征")
    assert slide.matters and news.matters and not set(slide.matters) & set(news.matters)
    assert not conflicts(news, profile(slide), rules)
    lift, noise = clues(ctx, "凤鸣小区3号楼电梯又坏了，困人半小时", "凤鸣小区楼下广场舞音响太吵了")
    assert any("反映的问题不同" in r for r in conflicts(noise, profile(lift), rules))  # routine matters: still apart


def test_a_search_for_the_missing_is_the_capsizings_not_a_fires(ctx: TriageContext, cfg: Config) -> None:
    """A post naming only the search ("失联", "搜救") tells of a capsizing or a landslide whose
    missing are its figures; a fire is no such incident, and a search is no fire."""
    rules = cfg.policy.events.incidents
    boat, fire, search = clues(ctx, "仙宫湖水口湾一艘小型船只翻覆，船上5人，已救起2人",
                               "仙宫湖边一家农家乐起火了，浓烟很大",
                               "仙宫湖上十几条船在搜救，希望失联的人都能找到")
    assert search.kinds == ("失踪",)
    assert not conflicts(search, profile(boat), rules)
    m = match(search, profile(boat), rules, sole=True)
    assert m is not None and any("翻船" in r for r in m.reasons)
    assert any("事件类型不同" in r for r in conflicts(search, profile(fire), rules))


def test_a_vehicle_that_fell_or_went_over_had_a_road_accident(ctx: TriageContext) -> None:
    """A minibus over a cliff (坠崖) is a road accident, not a fall from a height; a shuttle that
    turned over (接驳车 … 翻了) or went over the edge (翻下去) too; a worker's fall stays a fall."""
    cliff, shuttle, over, worker = clues(ctx, "坠崖面包车上已有多人遇难，县里领导都在现场",
                                         "下山的接驳车在弯道翻了，好几个人坐在路边",
                                         "安溪那边山路上一辆面包车翻下去了", "工地上一名工人从三楼坠落，送医抢救")
    assert cliff.kinds == ("交通事故",) and shuttle.kinds == ("交通事故",) and over.kinds == ("交通事故",)
    assert shuttle.objects == ("车辆:客车",) and worker.kinds == ("坠落",)


def test_a_look_back_days_later_at_the_one_such_incident_there_joins_it(ctx: TriageContext, cfg: Config) -> None:
    """"前几天安溪乡那个车祸" five days on tells of the one crash there, past the incident window; the
    same words without looking back, or with another crash there of late, do not join it."""
    rules = cfg.policy.events.incidents
    [crash] = clues(ctx, "安溪畲族乡一辆面包车坠入路边山崖，车上共9人，多人受伤", at=NOW - timedelta(days=5))
    back, fresh = clues(ctx, "前几天安溪乡那个车祸，遇难的有一个是我同学的爸爸，那个弯一直没装护栏",
                        "安溪乡那个车祸，遇难的有一个是我同学的爸爸，那个弯一直没装护栏")
    assert back.looks_back and not fresh.looks_back
    m = match(back, profile(crash), rules, sole=True)
    assert m is not None and "回顾此前同地同类事件，近期仅此一起" in m.reasons
    assert match(fresh, profile(crash), rules, sole=True) is None
    assert match(back, profile(crash), rules, sole=False) is None


def test_a_minibus_may_be_told_as_a_small_passenger_vehicle(ctx: TriageContext, cfg: Config) -> None:
    """The police call a 面包车 a 小型普通客车: no other vehicle; a truck still is."""
    rules = cfg.policy.events.incidents
    flash, police, truck = clues(ctx, "安溪畲族乡境内一辆面包车坠入路边山崖，车上共9人",
                                 "安溪畲族乡某县道一辆小型普通客车驶出路外坠入路侧山崖",
                                 "安溪畲族乡某县道一辆货车驶出路外坠入路侧山崖")
    assert flash.objects == ("车辆:面包车",) and police.objects == ("车辆:客车",)
    assert not any("涉及对象不同" in r for r in conflicts(police, profile(flash), rules))
    assert any("涉及对象不同" in r for r in conflicts(truck, profile(flash), rules))


def test_premises_people_were_taken_to_are_no_place_of_the_incident(ctx: TriageContext, cfg: Config) -> None:
    """"转移到学校" after a landslide that buried a house: the school is a shelter, not another
    incident's premises; a school where children fell ill is the incident's."""
    rules = cfg.policy.events.incidents
    slide, moved, canteen = clues(ctx, "赤石乡一村庄发生山体滑坡，一户民房被埋",
                                  "赤石乡那个滑坡，隔壁几户都被转移到学校去了，36名群众安置在乡中心学校",
                                  "白龙山街道一小学学生在学校食堂用餐后呕吐")
    assert moved.objects == () and canteen.objects == ("场所:学校",)
    assert not conflicts(moved, profile(slide), rules)


def test_a_landmark_or_a_destination_is_no_premises_of_the_incident(ctx: TriageContext, cfg: Config) -> None:
    """A flash placing a crash by a landmark ("紧水滩电站往龙泉方向") and the news saying where the
    bus was heading ("前往龙泉方向某工地") name no premises it happened at: they do not contradict
    each other; a fire at a power station's building is at the station."""
    rules = cfg.policy.events.incidents
    flash, news, fire = clues(ctx, "53省道紧水滩电站往龙泉方向两公里，一辆中巴和大挂车迎面撞上，2人死亡",
                              "53省道紧水滩镇路段一辆中型客车与重型半挂车相撞，客车上载有前往龙泉方向某工地的务工人员13人",
                              "紧水滩镇一水电站厂房起火")
    assert not [o for o in (*flash.objects, *news.objects) if o.startswith("场所:")]
    assert "场所:电站" in fire.objects
    assert not conflicts(news, profile(flash), rules)


def test_vehicles_of_the_response_are_no_vehicles_of_the_incident(ctx: TriageContext, cfg: Config) -> None:
    """The police closing a road "换乘接驳车" and a witness telling the hurt were "拿私家车送下去"
    name no vehicle of the crash: no contradiction; a crash between cars and one of a bus are two."""
    rules = cfg.policy.events.incidents
    police, witness, bus = clues(ctx, "云和梯田景区道路发生一起多车碰撞事故，游客车辆请停放至梅源停车场换乘接驳车",
                                 "梯田九曲云环下面五辆车连环撞，救护车上不来，是拿私家车送下去的",
                                 "云和梯田景区道路一辆旅游大巴与轿车相撞")
    assert police.objects == () and witness.objects == ()
    assert not conflicts(police, profile(witness), rules)
    assert "车辆:客车" in bus.objects and "车辆:轿车" in bus.objects


def test_news_of_what_is_under_way_gives_its_own_hour_and_day(ctx: TriageContext, cfg: Config) -> None:
    """"27日13时许找到1名失联人员…另1人仍在搜寻" a day after a capsizing at 15时 tells of the search,
    not of another capsizing; the same words with nothing under way name another day and hour."""
    rules = cfg.policy.events.incidents
    first, = clues(ctx, "11月26日15时10分许，石塘镇长汀村附近水域一艘自用小船倾覆，船上4人落水，2人失联",
                   at=NOW - timedelta(days=1, hours=19))
    still, other = clues(ctx, "石塘镇翻船事故：27日13时许，搜救人员在事发水域找到1名失联人员，另1人仍在搜寻",
                         "石塘镇翻船事故：27日13时许，一艘小船在长汀村附近水域倾覆", at=NOW - timedelta(hours=20))
    assert still.still and not other.still
    going, = clues(ctx, "队员们凌晨5点集结，今天继续在库区搜寻两名落水者", at=NOW - timedelta(hours=20))
    assert going.still and not conflicts(going, profile(first), rules)  # "继续": the search's hour
    assert not conflicts(still, profile(first), rules)
    assert conflicts(other, profile(first), rules)


def test_figures_being_checked_are_no_news_of_what_is_under_way(ctx: TriageContext, cfg: Config) -> None:
    """"具体伤亡情况还在核实" in a flash of a drowning a day after a capsizing on the same lake
    says the figures are being checked, not that the capsizing goes on: its hour and day are its own."""
    rules = cfg.policy.events.incidents
    first, = clues(ctx, "11月26日11时许，紧水滩镇仙宫湖库区一艘载有5人的自用小船翻沉，造成2人死亡",
                   at=NOW - timedelta(days=1, hours=6))
    flash, search = clues(ctx, "11月27日下午2点多，紧水滩镇仙宫湖沿岸一名游客失足落水，具体伤亡情况还在核实",
                          "紧水滩镇仙宫湖翻船事故，搜救人员还在搜寻最后一名落水者", at=NOW - timedelta(hours=4))
    assert not flash.still and search.still
    assert any("发生" in r for r in conflicts(flash, profile(first), rules))
    assert not conflicts(search, profile(first), rules)


def test_a_parents_words_for_food_poisoning_name_it(ctx: TriageContext) -> None:
    """"是不是中午食堂吃坏了", "下午开始肚子痛" tell of food poisoning as 呕吐 and 腹泻 do; "掉水里",
    "炸碎", "碰到高压线" of drowning, an explosion, electrocution."""
    for c in clues(ctx, "孩子放学回来吐了三次，是不是中午食堂吃坏了？？", "女儿下午第二节课开始肚子痛，到家就吐了"):
        assert c.kinds == ("中毒",), c
    fell, blast, wire = clues(ctx, "大湾头钓点有人掉水里了，救援队的船刚到", "那家饭店的煤气罐，玻璃全炸碎了",
                              "两个工人在路边装广告牌碰到高压线了")
    assert (fell.kinds, blast.kinds, wire.kinds) == (("溺水",), ("爆炸",), ("触电",))


def test_everyday_words_for_falling_rocks_a_gas_cylinder_and_black_smoke_name_the_kind(ctx: TriageContext) -> None:
    """"路上掉了一堆石头下来" is a rockfall, "煤气罐炸了" an explosion, "黑烟冲天" a fire, "车翻了" a
    crash, "整片滑下来了" a slide, "县城要淹" a flood, a 炭盆 in a closed room a poisoning, "打伤" a fight."""
    rocks, cylinder, smoke = clues(ctx, "去长汀那条路上掉了一堆石头下来，小车过不去了", "楼下小吃店的煤气罐炸了，吓死人",
                                   "那边什么情况？？黑烟冲天，消防车一辆接一辆开过去")
    assert (rocks.kinds, cylinder.kinds, smoke.kinds) == (("地质灾害",), ("爆炸",), ("火灾",))
    overturned, slid, flooded, charcoal, fight = clues(
        ctx, "长田路口前面说是车翻了，堵了半小时", "梅竹村那个大弯上面整片滑下来了", "群里说今晚开闸县城要淹",
        "民宿房间里放着炭盆，四个游客早上都不舒服", "两伙人在夜市动手，有人被打伤了")
    assert (overturned.kinds, slid.kinds, flooded.kinds, charcoal.kinds, fight.kinds) == (
        ("交通事故",), ("地质灾害",), ("洪涝",), ("中毒",), ("治安",))
    hit, mushrooms, scaffold, rising = clues(ctx, "十字路口电瓶车被小车撞飞了", "隔壁一家吃了山上采的野蘑菇，全家都送医院了",
                                             "在建的楼脚手架整片倒下来了", "溪水漫上来了，村口的路都看不见了")
    assert (hit.kinds, mushrooms.kinds, scaffold.kinds[:1], rising.kinds) == (
        ("交通事故",), ("中毒",), ("坍塌",), ("洪涝",))
    dark, muddy, saw = clues(ctx, "天都黑了还没来电", "水龙头里放出来跟黄泥汤一样", "村口工地切割机一直响到半夜")
    assert (dark.matters, muddy.matters, saw.matters) == (("停电",), ("水质",), ("噪音",))
    assert clues(ctx, "晚上十二点了，隔壁工地还在哐哐哐，明天还要上班")[0].matters == ("噪音",)
    lorry, swine, kidnap, fleeced = clues(ctx, "路口大货车右转把骑电瓶车的老人卷进车底了", "赤石那边闹猪瘟了？群里说溪里好几头死猪",
                                          "群里都在传有人贩子抢孩子", "民宿平时三百多，国庆一晚1888，这不是宰客是什么")
    assert (lorry.kinds, swine.kinds, kidnap.kinds, fleeced.matters) == (("交通事故",), ("疫情",), ("治安",), ("收费",))


def test_a_post_telling_something_happened_at_the_place_of_the_days_one_incident_is_it(ctx: TriageContext,
                                                                                      cfg: Config) -> None:
    """"路坎下面那辆面包车，车顶都压扁了，2人受伤" names no kind, but tells something happened
    at the place of the one incident there that day: it is that incident; three days later it is
    not, nor is a boat out fishing on the lake of the day's capsizing (a vehicle is no mishap)."""
    rules = cfg.policy.events.incidents
    crash, capsized = clues(ctx, "安溪畲族乡一面包车翻下路坎，车上3人受伤", "紧水滩镇仙宫湖库区一艘小船翻沉，1人死亡",
                            at=NOW - timedelta(hours=3))
    same, fishing = clues(ctx, "路坎下面那辆面包车，车顶都压扁了，2人受伤抬上来了 #云和安溪乡", "仙宫湖禁渔期还有人开着小船下电网捕鱼")
    later, = clues(ctx, "路坎下面那辆面包车，车顶都压扁了，2人受伤抬上来了 #云和安溪乡", at=NOW + timedelta(days=3))
    assert not same.kinds and match(same, profile(crash), rules, sole=True) is not None
    assert match(same, profile(crash), rules, sole=False) is None
    assert match(later, profile(crash), rules, sole=True) is None
    assert match(fishing, profile(capsized), rules, sole=True) is None


def test_an_appliance_burnt_out_is_no_fire(ctx: TriageContext) -> None:
    """"电压不稳…热水器烧了" tells of a surge, not a fire, and "变压器烧了一台" of a power cut;
    "老屋烧了三间" is one."""
    surge, transformer, fire = clues(ctx, "白洋墩村电压不稳，电器都烧坏了，前天我家热水器烧了",
                                     "古竹来电了，听说是变压器烧了一台，换了新的", "黄处那边老屋烧了三间")
    assert "火灾" not in surge.kinds and "停电" in surge.matters
    assert transformer.kinds == () and "停电" in transformer.matters
    assert fire.kinds == ("火灾",)


def test_a_units_reply_repeats_the_letters_title_and_is_dated_by_its_writing(ctx: TriageContext,
                                                                             cfg: Config) -> None:
    """"回复：云和梯田观光车事故受伤游客赔偿无人过问" answers the letter of that title, whatever days
    it names (when it checked, the deadline it sets)."""
    rules = cfg.policy.events.incidents
    tz = timezone(timedelta(hours=8))
    letter = _titled(ctx, "云和梯田观光车事故受伤游客赔偿无人过问", "我是10月5日在云和梯田景区观光车侧翻事故中受伤的游客",
                     datetime(2026, 10, 12, 10, tzinfo=tz))
    reply = _titled(ctx, "回复：云和梯田观光车事故受伤游客赔偿无人过问",
                    "您反映的问题已收悉。经我镇10月15日与景区核实，景区已成立事故善后专班，将于10月20日前与您协商",
                    datetime(2026, 10, 15, 16, tzinfo=tz))
    assert reply.title == letter.title is not None
    assert reply.incident_day() == 15  # 20日 is still to come: a deadline
    m = match(reply, profile(letter), rules)
    assert m is not None and "标题相同" in m.reasons


def test_a_notice_naming_its_own_day_and_the_incidents_is_not_another_day(ctx: TriageContext,
                                                                          cfg: Config) -> None:
    """"10月6日上午，崇头镇召开…会议，通报了10月5日…观光车侧翻事故" names the incident's day too."""
    rules = cfg.policy.events.incidents
    tz = timezone(timedelta(hours=8))
    [crash] = clues(ctx, "10月5日上午，云和梯田景区一辆观光车侧翻，7名游客受伤", at=datetime(2026, 10, 5, 17, tzinfo=tz))
    [meeting] = clues(ctx, "10月6日上午，崇头镇召开景区安全生产紧急会议，通报了10月5日我镇辖区景区发生的观光车侧翻事故情况",
                      at=datetime(2026, 10, 6, 16, tzinfo=tz))
    [other] = clues(ctx, "10月6日上午，崇头镇景区一辆观光车侧翻，2名游客受伤", at=datetime(2026, 10, 6, 16, tzinfo=tz))
    assert meeting.named_days() == (6, 5)
    assert not conflicts(meeting, profile(crash), rules)
    assert any("发生日期不同" in r for r in conflicts(other, profile(crash), rules))


def _titled(ctx: TriageContext, title: str, text: str, at: datetime) -> Clues:
    post = to_post({"id": "l", "platform": "message_board", "title": title, "text": text,
                    "published_at": at.isoformat()}, 1, NOW)
    found = analyse_chunk(ctx, [post])[2][0]
    assert found is not None
    found.at = at.timestamp()
    return found


def test_everyday_problems_of_a_county_are_named(ctx: TriageContext) -> None:
    """Problems raised again and again in other words: no phone signal, muck spilt by lorries,
    kitchen fumes, sand dug from the stream at night, short weight at the market, a shed on fire."""
    signal, muck, fumes, sand, weight, shed = clues(
        ctx, "紧水滩岩下村手机信号差到离谱，打电话要跑到阳台", "白龙山隧道出来那段路全是泥，渣土车洒的",
        "楼下餐饮店油烟太大，窗户都不敢开", "天堂坑村这段溪里又有挖机半夜在挖沙",
        "青阳门菜市场买鱼缺斤短两，少了三两", "坪垟岗这边有户人家柴房烧着了，烟好大")
    [lamp] = clues(ctx, "人民巷的灯又黑了，是不是上次修得不彻底")
    assert lamp.matters == ("路灯",)
    assert signal.matters == ("信号",) and muck.matters == ("渣土",) and fumes.matters == ("油烟",)
    assert sand.matters == ("采砂",) and weight.matters == ("计量",) and shed.kinds == ("火灾",)


def test_a_searchs_clock_times_are_the_searchs(ctx: TriageContext, cfg: Config) -> None:
    """Hikers missing since the evening (20时 reported) are found at 6 in the morning: the township's
    notice of the finding is the same search; two fires three hours apart are still two."""
    rules = cfg.policy.events.incidents
    police, found = clues(ctx, "今晚20时许，我局接到报警，称4名外地游客在安溪畲族乡山区登山时失联",
                          "安溪畲族乡：4名外地游客在黄源村后山登山途中失联，乡里组织搜救，凌晨6时许4人全部找到")
    assert police.hour == 20 and found.hour == 6 and police.kinds == found.kinds == ("失踪",)
    assert not conflicts(found, profile(police), rules)
    fire, later = clues(ctx, "安溪畲族乡一民房今晚20时许起火", "今天6时10分许，安溪畲族乡一民房发生火灾")
    assert fire.hour == 20  # "20时许起火": the fire's hour, no measure starting then ("13时起暂停")
    assert any("发生时间不同" in r for r in conflicts(later, profile(fire), rules))


def test_an_employer_who_cannot_be_reached_is_no_missing_person(ctx: TriageContext) -> None:
    """"包工头仍然失联" in a wage complaint is the wage matter's, not a search for someone missing
    (it used to meet a lake accident's search); hikers out of reach are."""
    wages, contractor, hikers = clues(
        ctx, "民宿改造项目拖欠14名工人工资，包工头仍然失联，工人们在工地上住了快一个礼拜",
        "经核实，该项目劳务分包人卷款失联，涉及14名工人工资共计28.6万元",
        "两个队友今天下午在崇头那边的山里走穿越线，到现在联系不上")
    assert wages.kinds == () and "欠薪" in wages.matters
    assert contractor.kinds == ()
    assert hikers.kinds == ("失踪",)


def test_people_shut_in_a_lift_are_no_missing_persons(ctx: TriageContext) -> None:
    """"电梯又把人关里面了…被困了四十分钟" is the lift's fault, a routine problem; 被困 in the hills is a search."""
    lift, hills = clues(ctx, "浮云社区那栋老楼的电梯又把人关里面了，一个老太太被困了四十分钟",
                        "五名驴友在紧水滩镇一处山林中迷路被困，蓝天救援队正在搜救")
    assert lift.kinds == () and "电梯" in lift.matters
    assert hills.kinds == ("失踪",)


def test_a_small_boat_by_any_name_that_turned_over_capsized(ctx: TriageContext) -> None:
    """小艇, 铁皮船, 渡船 are boats: one that 侧翻 capsized, it had no road accident."""
    for text in ("紧水滩镇仙宫湖水域一艘钓鱼小艇因大风侧翻，艇上2人落水", "湖上一条小铁皮船翻了，好几个人在水里",
                 "过湖的渡船侧翻了，船上的人都落水了"):
        c, = clues(ctx, text)
        assert "车辆:船" in c.objects and "翻船" in c.kinds and "交通事故" not in c.kinds, (text, c.kinds)


def test_a_mishap_feared_is_none(ctx: TriageContext) -> None:
    """"真怕出事" about 渣土车 at night fears a crash; "渣土车出事了" tells of one."""
    feared, happened = clues(ctx, "局村那条路的渣土车晚上十一点了还在跑，车速还快，村里老人小孩多，真怕出事。",
                             "局村那条路的渣土车出事了，路都封了")
    assert feared.kinds == () and not feared.mishap
    assert happened.kinds == ("交通事故",)


def test_a_namesake_village_places_a_post_in_the_township_it_is_named_with(ctx: TriageContext) -> None:
    """The incident clues agree with the gazetteer: "安溪畲族乡下垟村" is in 安溪畲族乡 only."""
    namesake, village = clues(ctx, "安溪畲族乡下垟村手机信号差，在家里打电话要跑到门口", "下垟村手机信号差")
    assert namesake.towns == ("安溪畲族乡",) and village.towns == ("崇头镇",)


CRASH = "2月13日7时20分许，一辆中型客车行驶至赤石乡云赤线赤石岭路段时驶出路外坠坡，造成6人死亡、21人受伤"


def test_an_incident_named_by_its_date_is_read_as_that_name_and_day(ctx: TriageContext) -> None:
    """"“1·20”坍塌事故" names the incident and its day, whatever day the report is written ("22日…
    获悉"); a day that is a festival or campaign, not an incident ("“3·15”晚会"), names none."""
    named, bare, festival = clues(ctx, "潮新闻记者22日从云和县获悉，该县已成立“1·20”坍塌事故调查组",
                                  "1·14那场火的调查报告什么时候出？", "“3·15”晚会曝光了几家黑心作坊，“11·9”消防宣传日活动在广场举行")
    assert named.codes == ("1·20",) and named.incident_day() == 20
    assert bare.codes == ("1·14",)
    assert festival.codes == ()


def test_a_post_naming_the_incident_by_its_date_joins_it_days_later(ctx: TriageContext, cfg: Config) -> None:
    """A department's measures five days on ("“2·13”事故发生后，我局…") name neither the place nor the
    kind: the incident's name is enough. Another date's incident ("“2·16”事故后") is another one."""
    rules = cfg.policy.events.incidents
    (report,) = clues(ctx, f"关于“2·13”客车坠坡事故的情况通报。{CRASH}")
    measures, other = clues(ctx, "“2·13”事故发生后，县交通运输局立即开展客运包车和农村客运安全专项整治",
                            "“2·16”事故后，我局已会同街道对老城区餐饮店燃气管道开展排查", at=NOW + timedelta(days=5))
    event = profile(report)
    found = match(measures, event, rules)
    assert found is not None and "事件名称相同（“2·13”）" in found.reasons
    assert match(other, event, rules) is None
    assert any(c.startswith("事件名称不同") for c in conflicts(other, event, rules))
    # the missing of the named crash are its own: no search of a kind of its own
    (found_missing,) = clues(ctx, "【续报】2月14日8时许，“2·13”事故失联人员遗体在事发点下方溪沟内被找到",
                             at=NOW + timedelta(days=1))
    assert found_missing.kinds == ("失踪",) and not conflicts(found_missing, event, rules)
    assert match(found_missing, event, rules) is not None


def test_the_same_kind_happening_again_days_later_is_another_incident(ctx: TriageContext, cfg: Config) -> None:
    """"长田又着火了" five days after a fire at 长田村 tells of another fire; the same words the
    evening of the fire ("又烧起来了": it flared up again) are of that fire."""
    rules = cfg.policy.events.incidents
    (fire,) = clues(ctx, "12月4日19时20分许，白龙山街道长田村一木制品企业厂房发生火灾")
    (again,) = clues(ctx, "长田又着火了？？刚看到消防车往村里开", at=NOW + timedelta(days=5))
    (flare,) = clues(ctx, "长田村那边又着火了，刚扑灭又烧起来", at=NOW + timedelta(hours=3))
    assert again.recurs and flare.recurs
    event = profile(fire)
    assert any(c.startswith("再次发生") for c in conflicts(again, event, rules))
    assert not conflicts(flare, event, rules)


def test_a_vehicle_leaving_the_road_down_a_slope_is_a_road_accident(ctx: TriageContext) -> None:
    """"客车…驶出路外坠坡" with one missing is a road accident (its missing person is its figure), so
    that it meets the crash's other reports."""
    (crash,) = clues(ctx, "13日7时20分许，一辆中型客车在赤石乡境内驶出路外坠坡，已致5死1失联21伤")
    assert crash.kinds == ("交通事故",)


def test_a_fire_told_by_its_toll_or_its_size_is_a_fire(ctx: TriageContext) -> None:
    """"烧死了", "火好大", "火势", "那场火" tell of a fire as 起火 and 着火 do."""
    found = clues(ctx, "厂里烧死了人", "白洋墩那边火好大！！！半边天都红了", "火势很快得到控制", "昨晚那场火我们厂就在隔壁")
    assert [c.kinds for c in found] == [("火灾",)] * 4


def test_a_rough_toll_is_no_figure_to_agree_or_disagree_on(ctx: TriageContext, cfg: Config) -> None:
    """Hearsay of "七八个" dead a morning after a fire of one dead neither contradicts the fire nor
    makes its later "升至3人" a falling toll; an exact toll still does."""
    rules = cfg.policy.events.incidents
    (fire,) = clues(ctx, "1月14日21时20分许，元和街道白洋墩村一木制玩具企业发生火灾，造成1人死亡、3人受伤")
    (rough,) = clues(ctx, "厂里至少烧死了七八个工人 都是外地来打工的", at=NOW + timedelta(hours=12))
    (rise,) = clues(ctx, "木玩企业火灾遇难人数升至3人", at=NOW + timedelta(hours=18))
    assert rough.kinds == ("火灾",) and rough.deaths is None
    event = profile(fire, rough)
    assert not conflicts(rise, event, rules)
    (exact,) = clues(ctx, "厂里的火灾已造成8人死亡", at=NOW + timedelta(hours=12))
    assert exact.deaths == 8 and any(c.startswith("死亡人数不符") for c in conflicts(rise, profile(fire, exact), rules))


def test_a_short_village_name_beside_another_township_is_a_word_of_its_own(ctx: TriageContext) -> None:
    """"崇头停水第二天，…去山脚接泉水": the foot of a hill in 崇头镇, not 元和街道's 山脚村; named with
    its own township or alone, the short form is the village."""
    water, own, alone = clues(ctx, "崇头停水第二天，全家拎着桶去山脚接泉水", "元和街道山脚这边停水了", "山脚这边停水了")
    assert water.towns == ("崇头镇",) and not water.spots
    assert "山脚村" in own.spots and "山脚村" in alone.spots


def test_everyday_words_for_routine_problems(ctx: TriageContext) -> None:
    """Complaints in everyday words name their problem: a pothole by its size, a pig farm by its
    smell, unpaid wages as "血汗钱", dust as "一身灰", no signal as "这信号"."""
    found = clues(ctx, "从石塘到小顺这段路一路颠过来，坑比脸盆还大", "象山村这边一到傍晚就是一股猪粪味",
                  "干了四个多月，老板一分钱没给，血汗钱啊", "车一过去扬得一身灰", "爷爷每天爬到后山顶上，这信号……")
    assert [c.matters for c in found] == [("道路",), ("污染",), ("欠薪",), ("渣土",), ("信号",)]


def test_a_restaurant_that_blew_up_and_a_gas_leak_are_incidents(ctx: TriageContext) -> None:
    blast, leak = clues(ctx, "古竹那家土菜馆炸了，门面都没了，地上全是碎玻璃", "厂里有毒气体泄漏，三个工人送医")
    assert blast.kinds == ("爆炸",) and leak.kinds == ("中毒",)


def test_the_town_a_bus_was_heading_for_is_no_place_of_the_crash(ctx: TriageContext) -> None:
    """"乡里去县城的中巴被大货车撞翻": 县城 is where the bus was going, not where it crashed; "县城停水了"
    is in 县城 (all four of its townships)."""
    crash, back, water = clues(ctx, "出大事了！乡里去县城的中巴被大货车撞翻在路边，好多人被困在车里",
                               "坠湖货车驾驶员遗体已找到，驾驶员凌晨从县城送货返回途中出事", "县城停水了，什么时候来水")
    assert crash.towns == () and crash.kinds == ("交通事故",)
    assert back.towns == ()
    assert set(water.towns) == {"浮云街道", "元和街道", "白龙山街道", "凤凰山街道"}


def test_a_continuation_marked_xu_is_a_follow_up(ctx: TriageContext) -> None:
    flood, blast = clues(ctx, "洪水冲走村民事件续：失踪者遗体已找到", "#云和液化气爆燃# 续：一名重伤者经全力抢救无效，于17日凌晨不幸离世")
    assert flood.follow_up and blast.follow_up


def test_a_statistic_starting_on_the_incidents_day_is_not_dated_to_it(ctx: TriageContext, cfg: Config) -> None:
    """A release counting tourists "2月5日至11日" at 下垟村 names the day of the village's 除夕 fire,
    but tells of no fire: the day is no fact in common. A report of the fire dated to that day is."""
    rules = cfg.policy.events.incidents
    fire_at = datetime(2027, 2, 5, 23, 50, tzinfo=NOW.tzinfo)
    (fire,) = clues(ctx, "2月5日23时许，崇头镇下垟村一民房起火，一名老人遇难", at=fire_at)
    (later,) = clues(ctx, "下垟村烧掉的房子开始清理了，起火那天真吓人", at=fire_at + timedelta(days=3, hours=12))
    stats, report = clues(ctx, "春节假期（2月5日至11日），下垟村民宿共接待游客3200人次，同比增长12%",
                          "2月5日下垟村民房火灾原因查明：系燃放烟花引燃木质屋檐",
                          at=fire_at + timedelta(days=5, hours=14))  # 50 h after the last post: within the window
    stats.official = True
    event = profile(fire, later)
    found = match(stats, event, rules)
    assert found is None or not any(r.startswith("发生日期相同") for r in found.reasons)
    dated = match(report, event, rules)
    assert dated is not None and any(r.startswith("发生日期相同") for r in dated.reasons)


def test_a_post_naming_only_the_village_hours_after_its_one_incident_is_it(ctx: TriageContext, cfg: Config) -> None:
    """"坪垟岗那边好多人在帮忙" two hours after the last news of the fire at 坪垟岗村 (the one thing
    open there) is of that fire, though it shares no uncommon word with it; a day later, or at a
    lake (仙宫湖: a boat out fishing the afternoon of a capsizing) or a town's community, it is not."""
    rules = cfg.policy.events.incidents
    (fire,) = clues(ctx, "雾溪畲族乡坪垟岗村一户木结构民房起火，消防正在扑救", at=NOW - timedelta(hours=2))
    (near,) = clues(ctx, "坪垟岗那边好多人在帮忙搬东西，路口都是车")
    (late,) = clues(ctx, "坪垟岗那边好多人在帮忙搬东西，路口都是车", at=NOW + timedelta(hours=22))
    assert not (near.kinds or near.matters) and near.spots == ("坪垟岗村",)
    found = match(near, profile(fire), rules, sole=True)
    assert found is not None and "该地点近期仅此一事" in found.reasons
    assert match(near, profile(fire), rules, sole=False) is None
    assert match(late, profile(fire), rules, sole=True) is None
    (attack,) = clues(ctx, "浮云街道青阳门社区菜市场一名男子持刀将两名摊贩砍伤", at=NOW - timedelta(hours=1))
    (canteen,) = clues(ctx, "青阳门社区老年食堂饭菜涨价，老人们有话说")
    assert canteen.spots == ("青阳门社区",) and not (canteen.kinds or canteen.matters)
    assert match(canteen, profile(attack), rules, sole=True) is None
