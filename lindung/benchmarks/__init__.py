"""Benchmarks run as `lindung bench …` (issue 3: the worker import against COPY and django-import-export)."""
