"""Who may see a report job: its requester, while they still may see what it covers.

The check runs on every look at a job (status, download, retry), not only when
it was asked for: someone who has left the brand since gets a 404, as for any
object of a brand they cannot see.
"""

from django.db.models import QuerySet
from django.http import Http404

from brands.models import User
from brands.selectors import as_uuid, brand_ids_for_user, may_see_brand_id, projects_for_user
from reports.models import ReportJob, ReportScope


def may_see_group(user: User) -> bool:
    """Group reports follow the group dashboard's rule: group roles only."""
    return bool(user.is_authenticated and user.is_active and (user.group_role or user.is_superuser))


def may_see_scope(user: User, job: ReportJob) -> bool:
    if job.scope == ReportScope.GROUP:
        return may_see_group(user)
    if job.scope == ReportScope.BRAND:
        return may_see_brand_id(user, job.brand_id)
    return projects_for_user(user).filter(id=job.project_id).exists()


def report_jobs_for_user(user: User) -> QuerySet[ReportJob]:
    """The user's own jobs about what they may still see, newest first."""
    jobs = ReportJob.objects.filter(requested_by=user).select_related("brand", "project")
    ids = brand_ids_for_user(user)
    # Group reports have no brand, so a brand filter leaves them out, as it should.
    return jobs if ids is None else jobs.filter(brand_id__in=ids)


def get_report_job_for_user(user: User, code: object) -> ReportJob:
    """The user's job with `code`; 404 for anyone else's job and for a scope they lost."""
    try:
        return report_jobs_for_user(user).get(code=as_uuid(code))
    except ReportJob.DoesNotExist:
        raise Http404("No such report") from None
