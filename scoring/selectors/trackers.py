"""Reads for issue trackers: a brand's connections, one connection for a user, action issues."""

from django.db.models import QuerySet
from django.http import Http404

from brands.models import Brand, User
from brands.selectors import as_uuid, brand_ids_for_user
from scoring.models import TrackerConnection, TrackerIssue


def get_connection_for_user(user: User, code: object) -> TrackerConnection:
    """A connection of a brand `user` can see; any other is missing (404)."""
    connections = TrackerConnection.objects.select_related("brand")
    ids = brand_ids_for_user(user)
    if ids is not None:
        connections = connections.filter(brand_id__in=ids)
    try:
        return connections.get(code=as_uuid(code))
    except TrackerConnection.DoesNotExist:
        raise Http404("No such tracker connection") from None


def get_connection_by_code(code: object) -> TrackerConnection:
    """For the tracker's own webhook calls, which prove themselves by signature, not by login."""
    try:
        return TrackerConnection.objects.select_related("brand").get(code=as_uuid(code))
    except TrackerConnection.DoesNotExist:
        raise Http404("No such tracker connection") from None


def connections_of_brand(brand: Brand | int) -> QuerySet[TrackerConnection]:
    brand_id = brand if isinstance(brand, int) else brand.pk
    return TrackerConnection.objects.filter(brand_id=brand_id).order_by("name", "pk")


def get_connection_of_brand(brand_id: int, code: object) -> TrackerConnection:
    """One of the brand's connections (an action may only go to its own brand's trackers)."""
    try:
        return TrackerConnection.objects.get(brand_id=brand_id, code=as_uuid(code))
    except TrackerConnection.DoesNotExist:
        raise Http404("No such tracker connection") from None


def issues_by_action(action_ids) -> dict[int, TrackerIssue]:
    issues = TrackerIssue.objects.filter(action_id__in=list(action_ids)).select_related(
        "connection"
    )
    return {issue.action_id: issue for issue in issues}
