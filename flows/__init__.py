"""Prefect 3 flows: thin schedules over plain functions of ``pipeline`` and ``classifiers``."""
