"""Reads of the round reminders a person received ("Why did I get this")."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from brands.models import User
from brands.selectors import as_uuid
from surveys.models import ReminderDigest, ReminderItem


def digests_for_user(user: User) -> QuerySet[ReminderDigest]:
    """The reminder e-mails sent to `user`, newest first, with their items. Only their own."""
    if not user.is_authenticated:
        return ReminderDigest.objects.none()
    items = ReminderItem.objects.select_related(
        "member__round", "member__project__brand", "member__assessment"
    )
    return (
        ReminderDigest.objects.filter(user=user, sent_at__isnull=False)
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-day", "-sent_at")
    )


def get_digest_for_user(user: User, code: object) -> ReminderDigest:
    """One of `user`'s reminder e-mails; anyone else's is missing (404)."""
    try:
        return digests_for_user(user).get(code=as_uuid(code))
    except ReminderDigest.DoesNotExist:
        raise Http404("No such reminder") from None
