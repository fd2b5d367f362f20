"""Who responds (RULES.md §3): coordinators, leadership, primary, cooperating and transfer
units, each with the reason it is on the assignment. A pure function of the event's facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.config import Config


@dataclass(frozen=True)
class RoutingFacts:
    """What routing needs to know about an event."""

    grade: str
    topic_scores: dict[str, float]   # relevant topics only (无关 excluded)
    text: str                        # the event's texts, for area keywords and policy patterns
    townships: list[str]
    categories: list[str]
    emergency_types: list[str]


@dataclass
class Routing:
    primary: str
    cooperating: list[str] = field(default_factory=list)
    transfer: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    leadership: bool = False
    reasons: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, unit: str, role: str, reason: str) -> None:
        if role == "cooperating" and (unit == self.primary or unit in self.cooperating):
            if unit in self.cooperating:
                self.reasons[(unit, role)].append(reason)
            return
        if role == "cooperating":
            self.cooperating.append(unit)
        elif role == "transfer" and unit not in self.transfer:
            self.transfer.append(unit)
        elif role == "coordinator" and unit not in self.coordinators:
            self.coordinators.append(unit)
        self.reasons.setdefault((unit, role), []).append(reason)


def competent_department(topic: str, text: str, cfg: Config) -> tuple[str | None, str]:
    """The county department competent for ``topic``; a named sub-area can hand it elsewhere."""
    spec = cfg.topics.topics[topic]
    for area in spec.areas:
        hit = next((k for k in area.keywords if k in text), None)
        if hit:
            return area.department, f"{topic}·{area.name}（“{hit}”）主管部门"
    return spec.department, f"{topic}主管部门"


def is_county_policy(facts: RoutingFacts, cfg: Config) -> str | None:
    """Reason text when the item is about a county-level major policy or decision."""
    if "政策误读" in facts.categories:
        return "政策误读：县级政策由主管部门回应"
    for pattern in cfg.policy.routing.county_policy_patterns:
        m = re.search(pattern, facts.text)
        if m:
            return f"县级重大政策或决策（“{m.group(0)[:30]}”）由主管部门回应"
    return None


def _departments(facts: RoutingFacts, cfg: Config) -> list[tuple[str, str]]:
    """Departments concerned, best-scoring topic first (RULES.md §3 step 5)."""
    rules = cfg.policy.routing
    ranked = sorted(facts.topic_scores.items(), key=lambda kv: -kv[1])
    if not ranked:
        return []
    best = ranked[0][1]
    result: list[tuple[str, str]] = []
    for i, (topic, score) in enumerate(ranked):
        if i > 0 and (score < rules.secondary_topic_min_score or score < best * rules.secondary_topic_min_ratio):
            break
        dept, why = competent_department(topic, facts.text, cfg)
        if dept is not None and dept not in (d for d, _ in result):
            result.append((dept, f"{why}（领域得分{score:.2f}）"))
    return result


def route(facts: RoutingFacts, cfg: Config) -> Routing:
    """Apply RULES.md §3 in order of precedence."""
    rules = cfg.policy.routing
    departments = _departments(facts, cfg)
    if not departments:
        fallback = cfg.units.coordinators[0]
        departments = [(fallback, "无明确主管部门，由县政府办公室牵头")]
    lead, lead_why = departments[0]
    policy_reason = is_county_policy(facts, cfg)
    if policy_reason:
        routing = Routing(primary=lead)
        routing.reasons[(lead, "primary")] = [f"{policy_reason}；{lead_why}"]
    elif len(facts.townships) == 1:
        town = facts.townships[0]
        routing = Routing(primary=town)
        routing.reasons[(town, "primary")] = [f"属地管理：事发地为{town}"]
        routing.add(lead, "cooperating", f"{lead_why}，配合属地")
    else:
        routing = Routing(primary=lead)
        if facts.townships:
            routing.reasons[(lead, "primary")] = [f"涉及多个乡镇（街道），由{lead_why}牵头"]
            for town in facts.townships:
                routing.add(town, "cooperating", "属地管理：涉及本乡镇（街道），配合主管部门")
        else:
            routing.reasons[(lead, "primary")] = [f"未指明乡镇（街道），由{lead_why}牵头"]
    for dept, why in departments[1:]:
        routing.add(dept, "cooperating", f"多部门涉及：{why}")
    for unit in cfg.units.coordinators:
        routing.add(unit, "coordinator", "组织协调、督促指导（始终参与）")
    if facts.grade in rules.leadership_grades:
        routing.leadership = True
    emergency = [t for t in facts.emergency_types if t in rules.emergency_cooperating_types]
    if emergency:
        routing.add(rules.emergency_cooperating_unit, "cooperating", f"突发事件（{'、'.join(emergency)}）")
    if "谣言" in facts.categories:
        for unit in rules.rumor_transfer_units:
            routing.add(unit, "transfer", "有害谣言：线索移交")
    return routing
