from celery.schedules import crontab
from django.conf import settings

from portal.dashboards.tasks import refresh_rollups
from portal.reports.tasks import schedule_monthly_reports


def test_monthly_reports_are_scheduled_on_the_first_of_the_month():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-monthly"]
    assert entry["task"] == schedule_monthly_reports.name
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].day_of_month == {1}


def test_rollups_are_refreshed_on_a_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-refresh-rollups"]
    assert entry["task"] == refresh_rollups.name
