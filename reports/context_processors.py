import functools

from django.http import HttpRequest

from reports.my_work import work_count


def my_work(request: HttpRequest) -> dict:
    """The number beside "My work" in the navigation, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates call a callable; the cache keeps it to one count per page.
    return {"nav_work_count": functools.cache(lambda: work_count(user))}
