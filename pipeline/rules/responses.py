"""What a recorded response must carry before it meets a milestone (RULES.md §4): a time between
the event's first known publication and the moment it is recorded (a few minutes' clock
difference aside), and its link — or, for a kind held in a room (新闻发布会, 吹风会, 接受媒体采访),
where it took place. A response dated before the matter existed or in the future would erase
lateness from the record; one with nothing to show for it meets nothing. Pure: the times are
passed in, the reasons come back in Chinese."""

from __future__ import annotations

from datetime import datetime, timedelta

from pipeline.config import Responses
from pipeline.rules.times import shown


def time_refusal(at: datetime, first_known: datetime, recorded_at: datetime, policy: Responses) -> str | None:
    """Why a response at ``at`` cannot be recorded at ``recorded_at`` for an event first known
    at ``first_known``, or None."""
    slack = timedelta(minutes=policy.clock_tolerance_minutes)
    if at > recorded_at + slack:
        return f"回应时间（{shown(at)}）晚于登记时间（{shown(recorded_at)}）：不能登记尚未发生的回应"
    if at < first_known - slack:
        return (f"回应时间（{shown(at)}）早于该事件最早的发布时间（{shown(first_known)}）："
                "事件尚未出现时不可能已作回应，请填写实际回应时间")
    return None


def evidence_refusal(kind: str, link: str | None, place: str | None, policy: Responses) -> str | None:
    """Why a response of ``kind`` with this link and place shows nothing a reader can check, or
    None. ``link`` is already checked to be an http(s) address (or None)."""
    if link:
        return None
    if kind not in policy.place_kinds:
        return f"“{kind}”须填写回应链接（http:// 或 https:// 开头的网址）"
    if not place:
        return f"“{kind}”须填写回应链接，或简要说明举行地点（如 县新闻中心一楼发布厅）"
    return None

