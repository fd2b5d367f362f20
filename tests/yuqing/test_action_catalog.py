"""Every action of the catalog (pipeline.catalog) is offered everywhere: a form with its
button and a field for each of its fields on the event page, an API operation taking exactly
its body, a name in the event's timeline for each audit entry it writes, and a command with an
option for each field. Adding an action is one entry in the catalog and its form; a missing
piece fails here."""

from __future__ import annotations

import typing
from datetime import datetime
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
import typer

from pipeline.actions.runners import RUNNERS
from pipeline.catalog import ACTIONS, EventAction
from pipeline.queries.events import ACTION_NAMES
from pipeline.settings import Settings
from pipeline.timeparse import SHANGHAI
from yuqing.cli import app as cli_app
from yuqing.web import create_app
from yuqing.web.pages.events import form_body
from yuqing.web.render import ENV

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
EVENT_ID = 7


class Forms(HTMLParser):
    """Each form's address → its field names and its button's text."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, Any]] = {}
        self._form: dict[str, Any] | None = None
        self._button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = self.forms.setdefault(a.get("action") or "", {"fields": {}, "button": ""})
        elif self._form is not None and tag in ("input", "select") and a.get("name"):
            self._form["fields"][a["name"]] = a.get("value") or ""
        self._button = tag == "button"

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._button:
            self._form["button"] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        self._button = False


def _event_forms() -> dict[str, dict[str, Any]]:
    """The forms of the event page's three groups of buttons, as an analyst, a coordinator and
    a unit with new work see them (every button shown)."""
    forms = ENV.get_template("event_forms.html").module
    ev = SimpleNamespace(id=EVENT_ID, relevant=True, grade="一般", topic="交通运输", rumor=False, sentiment="负面")
    assignments = [{"unit": "石塘镇", "role": "primary", "status": "accepted"},
                   {"unit": "县交通运输局", "role": "cooperating", "status": "dispatched"}]
    html = (forms.corrections(ev, ["交通运输"], "t") + forms.assignments_form(ev, assignments, ["县应急管理局"], "t")  # type: ignore[attr-defined]
            + forms.work_form(ev, {"role": "primary", "status": "dispatched"}, ["网络问政回复"], "t", NOW))  # type: ignore[attr-defined]
    parser = Forms()
    parser.feed(str(html))
    return parser.forms


def _fields(action: EventAction) -> dict[str, bool]:
    """The action's fields as sent (their aliases) → whether each is required."""
    if action.body is None:
        return {}
    return {f.alias or name: f.is_required() for name, f in action.body.model_fields.items()}


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    state = tmp_path_factory.mktemp("state")
    settings = Settings.from_env({"YUQING_DATABASE_URL": f"sqlite:///{state}/never-opened.db", "YUQING_STATE_DIR": str(state)})
    doc: dict[str, Any] = create_app(settings).openapi()
    return doc


@pytest.fixture(scope="module")
def commands() -> dict[str, Any]:
    group: Any = typer.main.get_command(cli_app)  # a click group (typer may carry its own click)
    return dict(group.commands)


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_event_page_has_a_form_for_the_action(name: str) -> None:
    action = ACTIONS[name]
    form = _event_forms().get(f"/events/{EVENT_ID}/{name}")
    assert form is not None, f"the event page has no form for {name}"
    assert form["button"] == action.button
    missing = set(_fields(action)) - set(form["fields"])
    assert not missing, f"the form of {name} has no field for {missing}"
    body = form_body(action, {"reason": "理由", "with": "8", "posts": "9", "relevant": "1", "rumor": "0",
                              **{k: v for k, v in form["fields"].items() if v}}, NOW)
    assert (body is None) == (action.body is None)  # the page's form becomes the action's typed body


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_api_has_an_operation_taking_the_actions_fields(name: str, openapi: dict[str, Any]) -> None:
    action = ACTIONS[name]
    operation = openapi["paths"][f"/api/events/{{event_id}}/{name}"]["post"]
    assert operation["summary"].startswith(action.summary)
    if action.body is None:
        assert "requestBody" not in operation
        return
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == set(_fields(action))
    assert set(schema.get("required", [])) == {k for k, required in _fields(action).items() if required}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_timeline_names_what_the_action_records(name: str) -> None:
    action = ACTIONS[name]
    assert action.audit, f"{name} names no audit entry for the timeline"
    for code, words in action.audit.items():
        assert ACTION_NAMES[code] == words


def test_every_action_has_its_runner_and_nothing_else_runs() -> None:
    """The catalog defines; pipeline.actions.runners carries out — one runner per action, each
    taking the action's typed body."""
    assert set(RUNNERS) == set(ACTIONS)
    for name, run in RUNNERS.items():
        hints = typing.get_type_hints(run)
        assert hints["body"] == (type(None) if ACTIONS[name].body is None else ACTIONS[name].body), name


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_command_line_has_the_action(name: str, commands: dict[str, Any]) -> None:
    action = ACTIONS[name]
    command = commands.get(action.command)
    assert command is not None, f"no command “yuqing {action.command}” for {name}"
    options = {opt.lstrip("-") for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    assert "by" in options  # who acts
    if action.permission == "work":
        assert "unit" in options  # the unit whose work it is (the web takes the signed-in user's)
    for field in _fields(action):
        assert field in options or field.rstrip("s") in options, f"“yuqing {action.command}” has no option for {field}"


def test_every_page_button_is_an_action() -> None:
    """No form of the event page posts to an action the catalog does not have."""
    posted = {address.rsplit("/", 1)[1] for address in _event_forms()}
    assert posted == set(ACTIONS)


# A command line for each action (its options with sample values): the command must hand the
# action, with these values as its typed body's fields, to the catalog's runner.
SAMPLES = {"grade": ["--grade", "重大"], "topic": ["--topic", "交通运输"], "relevance": ["--relevant", "--topic", "交通运输"],
           "rumor": ["--rumor"], "sentiment": ["--sentiment", "中性"], "merge": ["--with", "8", "--with", "9"],
           "split": ["--post", "101"], "reassign": ["--unit", "石塘镇"], "assign": ["--unit", "石塘镇", "--role", "transfer"],
           "unassign": ["--unit", "石塘镇"], "accept": [], "return": [], "close": ["--note", "已处理"],
           "respond": ["--kind", "网络问政回复", "--link", "https://yunhe.example/r"]}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_command_runs_the_catalogs_action_with_its_fields(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import yuqing.cli.trust
    import yuqing.cli.work

    action, calls = ACTIONS[name], []

    def act_on_event(what: str, event_id: int, by: str, now: str | None, of_unit: str | None = None,
                     **fields: Any) -> Any:
        calls.append((what, event_id, by, of_unit, fields))
        return []

    for module in (yuqing.cli.work, yuqing.cli.trust):
        monkeypatch.setattr(module, "act_on_event", act_on_event)
    argv = [action.command, str(EVENT_ID), "--by", "张三", *SAMPLES[name]]
    if action.permission == "work":
        argv += ["--unit", "石塘镇"]
    if action.body is not None and "reason" in action.body.model_fields:
        argv += ["--reason", "理由"]
    result = CliRunner().invoke(cli_app, argv)
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    what, event_id, by, of_unit, fields = calls[0]
    assert (what, event_id, by) == (name, EVENT_ID, "张三")
    assert of_unit == ("石塘镇" if action.permission == "work" else None)
    assert set(fields) <= set(action.body.model_fields if action.body is not None else ())
    body = action.body.model_validate(fields) if action.body is not None else None   # the values make a valid body
    assert body is None or all(getattr(body, k) is not None for k in fields if k not in ("link", "place", "at"))
