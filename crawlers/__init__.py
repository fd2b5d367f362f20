"""Collectors (Scrapy spiders, feed readers): parse sources and yield posts for the ingest path."""
