"""A ``Document`` as one self-contained web page: styles inline, charts embedded as PNG data
URIs, nothing fetched from elsewhere, so the file can be mailed, archived or served as it is.
It keeps the office look of the Word version (red masthead, numbered tables and figures) and
prints on A4. Every text is escaped.
"""

from __future__ import annotations

import base64
from html import escape

from pipeline.reports.document import Chart, Document, Notice, Paragraph, Table

NUMERIC = ("int", "percent", "hours", "float")
STYLE = """
body{font-family:"FangSong","仿宋","Noto Serif CJK SC","Songti SC",serif;font-size:16px;line-height:1.7;color:#111;
max-width:860px;margin:24px auto;padding:0 24px;background:#fff}
.masthead{color:#c00000;font-family:"SimSun","宋体","Noto Serif CJK SC",serif;font-weight:bold;font-size:40px;
text-align:center;letter-spacing:4px;margin:8px 0 4px}
.number{text-align:center;margin:4px 0}
.issuer{display:flex;justify-content:space-between;border-bottom:3px solid #c00000;padding-bottom:6px}
h1{font-family:"SimSun","宋体","Noto Serif CJK SC",serif;font-size:26px;text-align:center;margin:24px 0 16px}
h2{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:19px;font-weight:normal;margin:24px 0 8px}
p{text-indent:2em;margin:4px 0}
.lead{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif}
.notice{border:1px solid #c00000;background:#fff2cc;padding:6px 10px;text-indent:0}
.notice b{color:#c00000}
table{border-collapse:collapse;width:100%;font-family:"SimSun","宋体","Noto Serif CJK SC",serif;font-size:14px;margin:4px 0 12px}
th,td{border:1px solid #444;padding:3px 6px;vertical-align:top}
th{background:#d9d9d9;font-weight:bold}
td.num{text-align:right;white-space:nowrap}
caption,figcaption{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:14px;padding:6px 0 3px}
figure{margin:8px 0;text-align:center}
figure img{max-width:100%}
.empty{text-indent:0;color:#555}
.basis{font-size:14px;color:#333;margin-top:18px}
.colophon{border-top:1px solid #000;border-bottom:1px solid #000;margin-top:24px;padding:4px 0;text-indent:0;
display:flex;justify-content:space-between;font-size:15px}
@media print{body{margin:0;max-width:none}}
"""


def _table(table: Table, number: int) -> str:
    head = "".join(f"<th>{escape(c.name)}</th>" for c in table.columns)
    if not table.rows:
        return f'<p class="empty"><span class="lead">表{number}　{escape(table.title)}：</span>{escape(table.empty)}</p>'
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if c.kind in NUMERIC else ""}>{escape(c.text(v))}</td>'
                         for c, v in zip(table.columns, row, strict=True)) + "</tr>"
        for row in table.rows)
    return f"<table><caption>表{number}　{escape(table.title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(chart: Chart, number: int) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    return (f'<figure><img alt="{escape(chart.caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>图{number}　{escape(chart.caption)}</figcaption></figure>")


def _paragraph(block: Paragraph) -> str:
    lead = f'<span class="lead">{escape(block.lead)}</span>' if block.lead else ""
    return f"<p>{lead}{escape(block.text)}</p>"


def _sections(doc: Document) -> list[str]:
    parts: list[str] = []
    tables = charts = 0
    for section in doc.sections:
        parts.append(f"<h2>{escape(section.heading)}</h2>")
        for block in section.blocks:
            if isinstance(block, Table) and block.in_document:
                tables += 1
                parts.append(_table(block, tables))
            elif isinstance(block, Chart):
                charts += 1
                parts.append(_chart(block, charts))
            elif isinstance(block, Paragraph):
                parts.append(_paragraph(block))
            elif isinstance(block, Notice):
                parts.append(f'<p class="notice"><b>提示：</b>{escape(block.text)}</p>')
    return parts


def render_html(doc: Document) -> bytes:
    parts = [
        "<!doctype html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(doc.title)}</title><style>{STYLE}</style></head><body>",
        f'<div class="masthead">{escape(doc.masthead)}</div><div class="number">{escape(doc.number)}</div>',
        f'<div class="issuer"><span>{escape(doc.issuer)}　编</span><span>{escape(doc.issued_label)}</span></div>',
        f"<h1>{escape(doc.title)}</h1>",
        *(f'<p class="notice"><b>提示：</b>{escape(n)}</p>' for n in doc.notices),
        f'<p><span class="lead">内容提要：</span>{escape(doc.summary)}</p>',
        *_sections(doc),
        f'<p class="basis">{escape(doc.basis)}</p>' if doc.basis else "",
        f'<p class="colophon"><span>{escape(doc.distribution)}</span></p>' if doc.distribution else "",
        f'<p class="colophon"><span>{escape(doc.issuer)}</span><span>{escape(doc.issued_label)}印发</span></p>',
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p).encode("utf-8")
