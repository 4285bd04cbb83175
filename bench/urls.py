"""The app's URLs plus the floors: the cheapest views that do the same kind of work."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def floor_update(request, answer_id: int):
    """A bare Django view doing one UPDATE: the floor for saving an answer (P3)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_answer SET comment = %s WHERE id = %s",
            [request.POST.get("comment", ""), answer_id],
        )
    return HttpResponse("ok")


urlpatterns = [
    path("bench/floor/answer/<int:answer_id>/", floor_update),
    path("", include("config.urls")),
]
