"""The reports the system produced (报告): the list, newest first, and each file — Word and
Excel to download, the self-contained web page to read in the browser."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse

from pipeline.auth import Principal
from pipeline.queries.reports import ReportView, list_reports, served_file
from pipeline.vocabulary import FORMAT_NAMES, REPORT_NAMES
from yuqing.web import security
from yuqing.web.render import page

router = APIRouter()

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
# A report page carries its own style and its charts as data: images; still no script, nothing
# fetched from elsewhere, no forms, no framing.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
              "frame-ancestors 'none'; base-uri 'none'")
LIST_LIMIT = 200


def file_name(report: ReportView, fmt: str) -> str:
    """``舆情日报-2026-11-27.docx``: the kind and the key, never the title (an event report's
    title quotes crawled text)."""
    label = re.sub(r"[^\w\-]+", "-", report.key.split(":", 1)[-1]).strip("-")
    return f"{REPORT_NAMES.get(report.kind, '报告')}-{label}.{fmt}"


def report_list(request: Request, kind: str | None) -> list[ReportView]:
    return security.runtime(request).read(list_reports, kind if kind in REPORT_NAMES else None, LIST_LIMIT)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, who: Annotated[Principal, Depends(security.require("reports"))]) -> HTMLResponse:
    kind = request.query_params.get("kind", "")
    return page(request, "reports.html", title="报告", who=who, items=report_list(request, kind),
                kind=kind if kind in REPORT_NAMES else "", report_names=REPORT_NAMES, format_names=FORMAT_NAMES)


def report_response(request: Request, report_id: int, fmt: str) -> FileResponse:
    rt = security.runtime(request)
    known = fmt in MEDIA_TYPES and security.known_id(report_id)
    found = rt.read(served_file, report_id, fmt, rt.settings.state_dir / "reports") if known else None
    if found is None:
        raise security.PageError(404, "未找到", "没有这份报告，或它没有这种格式的文件。")
    report, path = found
    headers = {"Content-Security-Policy": REPORT_CSP}  # the app adds the other security.HEADERS
    return FileResponse(path, media_type=MEDIA_TYPES[fmt], filename=file_name(report, fmt), headers=headers,
                        content_disposition_type="inline" if fmt == "html" else "attachment")


@router.get("/reports/{report_id}/{fmt}")
def report_download(report_id: int, fmt: str, request: Request,
                    who: Annotated[Principal, Depends(security.require("reports"))]) -> FileResponse:
    return report_response(request, report_id, fmt)
