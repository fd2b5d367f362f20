"""``python -m yuqing.cli``."""

from yuqing.cli import app

app()
