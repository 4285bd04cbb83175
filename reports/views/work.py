"""My work: each signed-in person's home, listing what is theirs to do."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from brands.models import GroupRole
from brands.selectors import brands_for_user
from reports import my_work as work

FAILED_REPORTS_DAYS = 30


@require_GET
@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    is_admin = user.is_superuser or user.group_role == GroupRole.ADMIN
    queue = None
    if work.is_assessor(user):
        queue = work.review_queue(user, filters=work.QueueFilters.parse(request.GET), now=now)
    if request.htmx and queue is not None:
        return render(request, "reports/my_work.html#queue", {"queue": queue})
    today = timezone.localdate()
    self_fills = list(work.my_self_fills(user))
    work.mark_round_due_dates(self_fills, today=today)
    context = {
        "brands": list(brands_for_user(user)),
        "self_fills": self_fills,
        "rounds": work.round_work(user, today=today),
        "lead": work.lead_work(user, today=today),
        "queue": queue,
        "is_group": bool(user.group_role or user.is_superuser),
        "ready_reports": list(work.ready_reports(user)),
        "drafts": list(work.question_set_drafts()) if is_admin else None,
        "failed_reports": (
            list(work.failed_reports(since=now - datetime.timedelta(days=FAILED_REPORTS_DAYS)))
            if is_admin
            else None
        ),
        "failed_days": FAILED_REPORTS_DAYS,
        "ages": work.QUEUE_AGES,
    }
    return render(request, "reports/my_work.html", context)
