"""The OpenAPI document is valid, and a property-based run of every operation from it (with
schemathesis, in-process against the WSGI app) finds no server error and no answer that
breaks the document."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import api
from config.wsgi import application
from scoring.services import score_store
from surveys.models import AssessmentStatus
from surveys.services import assessment_start
from tests import factories
from tests.api.conftest import make_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_openapi_document_is_valid():
    """Checked against the OpenAPI 3 meta-schema (schemathesis raises on any violation)."""
    schemathesis.openapi.from_dict(api.get_openapi_schema()).validate()


def test_the_document_and_the_docs_page_are_served(client):
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Yardstick API"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    # The bundled Swagger UI from our own static files, never a CDN (script-src 'self').
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html


def _real_codes(path: str, codes: dict) -> dict | None:
    """Path parameters naming real objects, so that the run reaches past the 404s."""
    if "{code}" not in path:
        return None
    kind = path.removeprefix("/api/v1/").split("/")[0]
    found = {"code": codes[kind]}
    if "{key}" in path:
        found["key"] = "doc-purpose"
    return found


@pytest.fixture
def _connections_kept_open():
    """The WSGI app is called straight, not through Django's test client: keep Django from
    closing the test's database connection at the end of each request, as the client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_connections_kept_open")
@override_settings(API_RATE_LIMIT=100_000)
def test_every_operation_answers_within_its_schema(lead, brand, project, version):
    validated = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers={"doc-purpose": "yes"}
    )
    score_store(assessment=validated)
    draft = assessment_start(project=project, user=lead, mode="interview", version=version)
    codes = {
        "brands": str(brand.code),
        "projects": str(project.code),
        "assessments": str(draft.code),
        "question-sets": str(version.question_set.code),
        "question-set-versions": str(version.code),
    }
    headers = {"Authorization": f"Bearer {make_token(lead)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    statuses = set()
    for operation in operations:
        # Once with whatever the schema allows, once more on real objects.
        real = _real_codes(operation.path, codes)
        for path_parameters in [None] + ([real] if real else []):
            strategy = operation.as_strategy(path_parameters=path_parameters)

            @settings(
                max_examples=5,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case):
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                statuses.add((case.method, case.path, response.status_code))

            run()
    # The run got past authentication and the 404s to the real work.
    assert {("GET", "/api/v1/assessments/{code}", 200), ("GET", "/api/v1/brands", 200)} <= statuses
