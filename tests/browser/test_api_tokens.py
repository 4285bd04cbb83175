"""Making an API token in the browser, using it, revoking it; the API's docs page under the
Content-Security-Policy."""

import re

from playwright.sync_api import expect


def test_a_lead_makes_a_token_uses_it_and_revokes_it(open_page, lead, brand):
    page = open_page(lead)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Nightly export")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make token").click()

    secret = page.get_by_label("Token", exact=True).input_value()
    assert re.fullmatch(r"ys_[A-Za-z0-9_-]{43}", secret)
    expect(page.get_by_role("cell", name="Nightly export", exact=True)).to_be_visible()

    headers = {"Authorization": f"Bearer {secret}"}
    answer = page.request.get("/api/v1/brands", headers=headers)
    assert answer.status == 200
    assert [b["name"] for b in answer.json()["results"]] == [brand.name]

    page.reload()  # the secret is shown once: not after a reload (nor is a second token made)
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
    expect(page.get_by_role("cell", name="Nightly export", exact=True)).to_have_count(1)
    page.get_by_role("button", name="Revoke Nightly export").click()
    expect(page.get_by_text("Token revoked: Nightly export")).to_be_visible()
    assert page.request.get("/api/v1/brands", headers=headers).status == 401


def test_the_api_docs_page_works_under_the_content_security_policy(open_page):
    page = open_page()
    response = page.goto("/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI drew the operations from the OpenAPI document (a blocked script would not).
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Yardstick API")
    expect(page.locator(".opblock").first).to_be_visible()
