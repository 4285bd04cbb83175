from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """Which top-level navigation entries the current user gets."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_group": bool(user.group_role or user.is_superuser),
        "nav_is_admin": bool(user.group_role == "admin" or user.is_superuser),
    }
