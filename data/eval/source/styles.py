"""Outlet styles: how a weibo flash, an eyewitness, a news report, a follow-up, an official
notice, a WeChat account, provincial media and a repost tell the same incident."""
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=8))
CN = "零一二三四五六七八九十"
KIND_OFFICIAL = {"交通事故": "道路交通事故", "火灾": "火灾", "地质灾害": "山体滑坡地质灾害", "洪涝": "山洪灾害",
                 "溺水": "溺水事件", "中毒": "中毒事件", "坍塌": "坍塌事故", "爆炸": "爆炸事故", "山火": "森林火情",
                 "治安": "持刀伤人案件", "聚集": "群体性聚集事件", "坠落": "高处坠落事故", "触电": "触电事故",
                 "翻船": "翻船事故", "疫情": "聚集性疫情"}
RESPONSE = {"交通事故": "县公安局交警大队、县应急管理局、县卫生健康局第一时间赶赴现场开展救援和善后处置",
            "火灾": "县消防救援大队迅速出警处置，县应急管理局和属地政府同步到场",
            "地质灾害": "县自然资源和规划局、县应急管理局及属地乡镇连夜组织抢险",
            "洪涝": "县水利局、县应急管理局及属地乡镇迅速组织抢险救灾",
            "溺水": "公安、消防和民间救援力量立即开展搜救", "中毒": "县卫生健康局、县市场监督管理局已介入调查",
            "坍塌": "县应急管理局、县住房和城乡建设局已成立事故调查组", "爆炸": "县应急管理局已会同公安、消防开展事故调查",
            "山火": "县林业、应急部门迅速组织扑救", "治安": "县公安局迅速处置，嫌疑人已被依法控制",
            "聚集": "属地街道和县人力资源和社会保障局已介入协调", "坠落": "县应急管理局已介入调查",
            "触电": "电力部门和县应急管理局已介入调查", "翻船": "县交通运输局、公安、消防迅速组织搜救",
            "疫情": "县卫生健康局、县教育局已启动应急处置"}
NEWS = ["丽水网", "云和新闻网", "处州晚报", "丽水日报"]
OFFICIAL = ["云和发布", "云和县公安局", "云和县应急管理局"]
WECHAT = ["云和同城", "云和生活圈", "微云和头条", "云和身边事"]
PROVINCIAL = ["浙江新闻", "潮新闻", "钱江晚报"]
FORUMS = [("forum", "百度贴吧·云和吧"), ("forum", "丽水论坛"), ("weibo", "新浪微博")]
COMMENTS = ["太揪心了，愿伤者平安", "希望有关部门彻查原因，给个说法", "为救援人员点赞", "天啊，我昨天刚从那里经过",
            "祈福🙏", "转发扩散，大家注意安全", "又是这里！之前也出过事", "一定要查清楚责任",
            "看到消息手都在抖，希望没有更多伤亡", "家里人都在那边，刚打电话问了，还好没事", "心痛",
            "这种事情怎么总是发生", "求后续", "愿平安"]


def num(n, rng):
    if n <= 10 and rng.random() < 0.35:
        return ("十" if n == 10 else CN[n]) if n != 2 else "两"
    return str(n)


def fig_sentence(d, i, rng, vague_major=False):
    if d is None:
        return rng.choice(["已造成多人遇难", "现场伤亡惨重"]) if vague_major else rng.choice(
            ["目前伤亡情况不明", "具体伤亡情况还在核实", "现场可能有人员受伤"])
    if d and i:
        return rng.choice([f"造成{num(d, rng)}人死亡、{num(i, rng)}人受伤", f"已致{d}死{i}伤",
                           f"{num(d, rng)}人遇难，{num(i, rng)}人受伤"])
    if d:
        return rng.choice([f"造成{num(d, rng)}人死亡", f"{num(d, rng)}人不幸遇难", f"致{num(d, rng)}人死亡"])
    if i:
        return rng.choice([f"造成{num(i, rng)}人受伤", f"{num(i, rng)}人受伤送医", f"共有{num(i, rng)}人受伤"])
    return rng.choice(["暂无人员伤亡", "所幸无人员伤亡", "未造成人员伤亡"])


def fig_title(d, i, rng):
    if d:
        return rng.choice([f"致{d}人死亡", f"已致{d}死", f"{d}人遇难"])
    if i:
        return rng.choice([f"{i}人受伤", f"致{i}人受伤"])
    return rng.choice(["无人员伤亡", ""]) if d == 0 else ""


def when(e, hours=0.0, minutes=0):
    m, dd = e["day"].split("-")
    base = datetime(2026, int(m), int(dd), e["hh"], e["mm"], tzinfo=TZ)
    return base + timedelta(hours=hours, minutes=minutes)


def date_words(e, rng, same_day=True):
    m, dd = e["day"].split("-")
    return rng.choice([f"{int(m)}月{int(dd)}日", f"{int(dd)}日"]) if not same_day or rng.random() < 0.6 else rng.choice(
        ["今天", f"{int(m)}月{int(dd)}日"])


def hour_words(e, rng):
    h = e["hh"]
    part = "凌晨" if h < 6 else "早上" if h < 9 else "上午" if h < 12 else "中午" if h < 14 else "下午" if h < 18 else "晚上"
    hh12 = h if h <= 12 else h - 12
    return rng.choice([f"{h}时许", f"{part}{hh12}点多", f"{h}时{e['mm']:02d}分许" if e["mm"] else f"{h}时许"])


def at_fig(e, which):
    figs = e["figs"]
    return figs[0] if which == "first" else figs[-1] if which == "last" else figs[min(1, len(figs) - 1)]


def d(e, k, rng):
    return e["details"][k % len(e["details"])]


def style_flash(e, rng):
    _, dd, ii = at_fig(e, "first")
    fig = fig_sentence(dd, ii, rng, vague_major=e["id"] in ("E01",))
    v = rng.randint(0, 1)
    if v == 0:
        text = f"【突发】{date_words(e, rng)}{hour_words(e, rng)}，{e['spot']}{e['what']}，{fig}。{d(e, 0, rng)}。{e['tag']}"
    else:
        text = f"紧急！{e['spot_short']}那边{e['what_short']}了，{fig}，{d(e, 1, rng)}，附近的朋友注意避让 {e['tag']}"
    return dict(platform="weibo", source="新浪微博", author=rng.choice(["丽水身边事", "云和热点", "小云说事", "处州快报"]),
                title=None, text=text.strip(), at=when(e, minutes=rng.randint(10, 40)))


def style_eyewitness(e, rng):
    _, dd, ii = at_fig(e, "first")
    platform, source = rng.choice(FORUMS)
    v = rng.randint(0, 2)
    if v == 0:
        text = (f"刚从{e['spot_short']}那边过来，{e['what_short']}，{d(e, 0, rng)}，救护车消防车一辆接一辆，"
                f"心里堵得慌，希望大家都平安🙏")
    elif v == 1:
        text = (f"我家就在{e['town'] or '县城'}，{hour_words(e, rng)}听到外面很吵，出去一看是{e['spot_short']}"
                f"{e['what_short']}，{fig_sentence(dd, ii, rng)}。{d(e, 2, rng)}。")
    else:
        text = f"有没有人知道{e['spot_alt']}怎么了？听说{e['what_short']}，{d(e, 1, rng)}，求知情人说说"
    title = None if platform == "weibo" else rng.choice([f"{e['spot_short']}出事了", f"{e['town']}{e['what_short']}，有人知道情况吗"])
    return dict(platform=platform, source=source, author=f"网友{rng.randint(100, 9999)}", title=title, text=text,
                at=when(e, minutes=rng.randint(5, 60)))


def style_news(e, rng):
    off, dd, ii = next((f for f in e["figs"] if f[1] is not None), e["figs"][-1])
    fig = fig_sentence(dd, ii, rng)
    v = rng.randint(0, 1)
    if v == 0:
        text = (f"记者从{rng.choice(['云和县有关部门', '县应急管理局', '当地警方', '县消防救援大队'])}获悉，{date_words(e, rng, False)}"
                f"{hour_words(e, rng)}，{e['spot']}{e['what']}。{fig}，{d(e, 1, rng)}。{d(e, 2, rng)}。事故原因正在进一步调查中。")
    else:
        text = (f"{date_words(e, rng, False)}{hour_words(e, rng).rstrip('许')}左右，{e['spot']}{e['what']}。截至记者发稿，{fig}。"
                f"据了解，{d(e, 0, rng)}。{d(e, len(e['details']) - 1, rng)}。")
    title = f"{e['town'] or '云和'}{e['what_short']} {fig_title(dd, ii, rng)}".strip()
    return dict(platform="news", source=rng.choice(NEWS), author="记者", title=title, text=text,
                at=when(e, hours=off, minutes=rng.randint(40, 100)))


def style_followup(e, rng):
    off, dd, ii = e["figs"][-1]
    if dd:
        change = rng.choice([f"死亡人数已升至{dd}人", f"遇难人数上升到{dd}人", f"已造成{dd}人死亡"])
    else:
        change = rng.choice([f"受伤人数增至{ii}人", f"受伤人数已上升至{ii}人"])
    text = (f"记者从县应急管理局获悉，{date_words(e, rng, False)}发生在{e['spot_alt'].rstrip('上')}的{e['what_short']}事件，"
            f"截至目前{change}。{d(e, 3, rng)}。{d(e, 1, rng)}。")
    return dict(platform=rng.choice(["news", "weibo"]), source=rng.choice(NEWS), author="记者",
                title=f"{e['spot_short']}{e['what_short']}{change}", text=text, at=when(e, hours=off, minutes=rng.randint(20, 60)))


def style_official(e, rng):
    off, dd, ii = e["figs"][-1] if len(e["figs"]) < 3 else e["figs"][1]
    text = (f"【情况通报】{date_words(e, rng, False)}{e['hh']}时{e['mm']:02d}分许，{e['spot']}发生一起"
            f"{KIND_OFFICIAL[e['kind']]}。经初步核查，{fig_sentence(dd, ii, rng)}。事件发生后，{RESPONSE[e['kind']]}。"
            f"{d(e, 2, rng)}。相关情况将及时发布。")
    return dict(platform=rng.choice(["weibo", "wechat"]), source=rng.choice(OFFICIAL), author=None,
                title=f"关于{e['spot_short']}{KIND_OFFICIAL[e['kind']]}的情况通报", text=text,
                at=when(e, hours=max(off, 1), minutes=rng.randint(20, 90)))


def style_wechat(e, rng):
    off, dd, ii = e["figs"][-1]
    fig = fig_sentence(dd, ii, rng)
    text = (f"{date_words(e, rng)}{hour_words(e, rng)}，{e['spot_alt']}{e['what']}。据了解，{fig}，{d(e, 3, rng)}。"
            f"{d(e, 1, rng)}。请大家注意安全，不信谣、不传谣，以官方发布为准。")
    return dict(platform="wechat", source=rng.choice(WECHAT), author=None,
                title=f"{rng.choice(['揪心！', '突发！', '刚刚，'])}{e['spot_short']}{e['what_short']}，{fig}",
                text=text, at=when(e, hours=off + rng.uniform(1, 4)))


def style_provincial(e, rng):
    off, dd, ii = e["figs"][-1]
    text = (f"浙江丽水云和县{e['spot']}{date_words(e, rng, False)}{hour_words(e, rng)}{e['what']}，"
            f"{fig_sentence(dd, ii, rng)}。记者从当地获悉，{d(e, 0, rng)}。目前，{RESPONSE[e['kind']]}。")
    return dict(platform="news", source=rng.choice(PROVINCIAL), author="记者",
                title=f"丽水云和{e['what_short']}{fig_title(dd, ii, rng)}", text=text, at=when(e, hours=off + rng.uniform(2, 6)))


STYLES = {"flash": style_flash, "eyewitness": style_eyewitness, "news": style_news, "followup": style_followup,
          "official": style_official, "wechat": style_wechat, "provincial": style_provincial}


def repost(of, rng):
    who = of["source"] if of["platform"] in ("news", "wechat") or not of["author"] else of["author"]
    text = f"{rng.choice(COMMENTS)} //@{who}:{of['text']}"
    return dict(platform="weibo", source="新浪微博", author=f"用户{rng.randint(1000, 99999)}", title=None, text=text,
                at=of["at"] + timedelta(minutes=rng.randint(5, 180)))


def tell(e, rng):
    posts = []
    for name in e["styles"].split():
        if name == "repost":
            if posts:
                posts.append(repost(rng.choice(posts), rng))
            continue
        posts.append(STYLES[name](e, rng))
    return posts
