"""The app's URLs plus the floors: the cheapest views that do the same kind of work."""

import json

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def floor_update(request, answer_id: int):
    """The floor for saving an answer (P3): a bare Django view doing the same UPDATE and history
    INSERT in one transaction, with no checks, no ORM and no template. The actor comes in the
    form, so that the floor reads no session or user."""
    comment = request.POST.get("comment", "")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_answer SET comment = %s, revision = revision + 1 WHERE id = %s "
            "RETURNING revision",
            [comment, answer_id],
        )
        (revision,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO surveys_answerevent (answer_id, actor_id, at, via, revision, changes, note)"
            " VALUES (%s, %s, now(), 'self_fill', %s, %s, '')",
            [
                answer_id,
                int(request.POST["actor"]),
                revision,
                json.dumps({"comment": ["", comment]}),
            ],
        )
    return HttpResponse("ok")


# Each project's latest validated assessment on a day (the dashboards' choice of figure).
LATEST = """
    SELECT DISTINCT ON (a.project_id) a.id, a.project_id, p.brand_id
    FROM surveys_assessment a JOIN brands_project p ON p.id = a.project_id
    WHERE a.status = 'validated' AND a.assessed_on <= %s {where}
    ORDER BY a.project_id, a.assessed_on DESC, a.created_at DESC, a.id DESC
"""
HEATMAP_SQL = f"""
    WITH latest AS ({LATEST.format(where="")})
    SELECT l.brand_id, ss.section_id, AVG(ss.value), COUNT(ss.value)
    FROM latest l
    JOIN scoring_score s ON s.assessment_id = l.id
    JOIN scoring_sectionscore ss ON ss.score_id = s.id
    GROUP BY l.brand_id, ss.section_id
"""
BRAND_SQL = f"""
    WITH latest AS ({LATEST.format(where="AND p.brand_id = (SELECT id FROM brands_brand WHERE code = %s)")})
    SELECT l.project_id, s.overall, s.level, s.all_core_met
    FROM latest l JOIN scoring_score s ON s.assessment_id = l.id
"""
PROJECT_SQL = """
    SELECT a.id, a.assessed_on, a.status, s.overall, s.level, ss.section_id, ss.value
    FROM surveys_assessment a
    JOIN brands_project p ON p.id = a.project_id
    LEFT JOIN scoring_score s ON s.assessment_id = a.id
    LEFT JOIN scoring_sectionscore ss ON ss.score_id = s.id
    WHERE p.code = %s
    ORDER BY a.assessed_on DESC, a.id DESC
"""


def _rows(sql: str, params: list) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return HttpResponse(json.dumps(rows, default=str), content_type="application/json")


def floor_heatmap(request):
    """P1's floor: the brands x sections means of the latest validated scores, one query."""
    return _rows(HEATMAP_SQL, [request.GET.get("as_of", "9999-12-31")])


def floor_brand(request, code):
    """P2's floor for the brand page: its projects' latest validated scores, one query."""
    return _rows(BRAND_SQL, ["9999-12-31", str(code)])


def floor_project(request, code):
    """P2's floor for the project page: the project's scores with their sections, one query."""
    return _rows(PROJECT_SQL, [str(code)])


urlpatterns = [
    path("bench/floor/heatmap/", floor_heatmap),
    path("bench/floor/brand/<uuid:code>/", floor_brand),
    path("bench/floor/project/<uuid:code>/", floor_project),
    path("bench/floor/answer/<int:answer_id>/", floor_update),
    path("", include("config.urls")),
]
