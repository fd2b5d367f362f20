"""Reports (RULES.md §5, §8): 舆情日报 / 周报 / 月报, 舆情专报 and 考核通报.

The figures come from ``pipeline.queries`` (report_figures, event_report, assessment); the
composers here turn them into a format-free ``Document`` with the Chinese summary and advice
written by templates; the renderers lay a Document out as Word (``docx``), Excel (``xlsx``) or
one self-contained web page (``html``); ``service`` writes them under the state directory,
records and announces the ones the system produces on its own.
"""
