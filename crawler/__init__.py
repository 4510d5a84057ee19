"""The Scrapy project: discover articles from sources.toml, fetch them politely, archive every response to WARC.

Never imports cleaning/ or tidings/: the WARC files are the whole interface.
"""
