"""The web app (``yuqing web``), a package: ``app`` builds it, ``security`` guards every
request, ``render`` and ``templates/`` draw the pages, ``pages/`` and ``api`` are the routes."""

from yuqing.web.app import create_app, served

__all__ = ["create_app", "served"]
