"""Background refresh of the dashboard summaries (enqueued by a stale dashboard and by `refresh-summaries`)."""

from django_tasks import task

from lindung.reporting.refresh import refresh_summaries


@task()
def refresh_summaries_task(full: bool = False) -> dict:
    result = refresh_summaries(full=full)
    return {"villages": result.villages, "regions": result.regions, "duration_s": round(result.duration_s, 3)}
