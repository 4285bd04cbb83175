"""Question sets as files in the browser: downloading a version as YAML or Excel, and loading
either back as a new draft through the one upload form."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys import question_set_excel as qx
from surveys import question_set_format as fmt
from surveys import selectors, services
from surveys.models import QuestionSetVersion
from tests import factories

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(name: str, version: QuestionSetVersion) -> str:
    return reverse(name, args=[version.code])


def get(client, user, address: str):
    client.force_login(user)
    return client.get(address)


def upload(client, user, version, name: str, data: bytes, content_type="application/octet-stream"):
    client.force_login(user)
    return client.post(
        url("version_draft_upload", version),
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def workbook_of(version: QuestionSetVersion) -> bytes:
    return qx.write_workbook(selectors.version_as_spec(version), version=version.number)


def edited(data: bytes, change) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def reweighted(workbook):
    workbook["Questions"]["D2"] = 3


def cells(data: bytes) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheets = {name: list(workbook[name].values) for name in qx.DATA_SHEETS}
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(max_col=2, values_only=True)}
    sheets["About"] = [(label, about[label]) for label in qx.ABOUT_FIELDS.values()]
    return sheets


def drafts(version: QuestionSetVersion) -> int:
    return version.question_set.versions.filter(status="draft").count()


@pytest.fixture
def draft(version, group_admin):
    return services.version_draft_copy(version=version, user=group_admin)


class TestYamlDownload:
    def test_it_is_the_canonical_file_the_loader_reads(self, client, viewer, version):
        response = get(client, viewer, url("version_yaml", version))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/yaml; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="mlops-maturity-v{version.number}.yaml"'
        )
        assert response.content.decode() == factories.default_source()

    def test_a_draft_downloads_for_group_admins_with_its_changes(self, client, group_admin, draft):
        services.draft_scoring_update(
            version=draft,
            user=group_admin,
            aggregation="min_section",
            levels=list(selectors.version_as_spec(draft).levels),
        )
        response = get(client, group_admin, url("version_yaml", draft))
        assert fmt.parse(response.content.decode()).aggregation == "min_section"
        assert "-draft.yaml" in response["Content-Disposition"]

    @pytest.mark.parametrize("who", ["lead", "viewer", "group_viewer", "group_assessor"])
    def test_a_draft_is_not_found_by_anyone_else(self, client, draft, who, request):
        response = get(client, request.getfixturevalue(who), url("version_yaml", draft))
        assert response.status_code == 404

    def test_it_only_answers_get(self, client, group_admin, version):
        client.force_login(group_admin)
        assert client.post(url("version_yaml", version)).status_code == 405


class TestExcelDownload:
    def test_it_reads_back_as_the_version(self, client, data_scientist, version):
        response = get(client, data_scientist, url("version_xlsx", version))
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"].endswith(f'-v{version.number}.xlsx"')
        assert qx.read_bytes(response.content).spec == selectors.version_as_spec(version)

    def test_the_about_sheet_says_which_version_it_is(self, client, viewer, version):
        response = get(client, viewer, url("version_xlsx", version))
        about = openpyxl.load_workbook(io.BytesIO(response.content))["About"]
        pairs = {row[0]: row[1] for row in about.iter_rows(max_col=2, values_only=True)}
        assert (pairs["Version"], pairs["Status"]) == (str(version.number), "Published")
        assert pairs["Exported"]

    def test_a_draft_is_not_found_by_a_lead(self, client, lead, draft):
        assert get(client, lead, url("version_xlsx", draft)).status_code == 404

    def test_it_only_answers_get(self, client, group_admin, version):
        client.force_login(group_admin)
        assert client.post(url("version_xlsx", version)).status_code == 405

    def test_the_version_page_links_both_downloads(self, client, viewer, version):
        html = get(client, viewer, url("version_detail", version)).content.decode()
        assert url("version_xlsx", version) in html and url("version_yaml", version) in html

    def test_the_draft_editor_links_both_downloads(self, client, group_admin, draft):
        html = get(client, group_admin, url("draft_edit", draft)).content.decode()
        assert url("version_xlsx", draft) in html and url("version_yaml", draft) in html


class TestExcelUpload:
    def test_an_edited_workbook_becomes_a_draft(self, client, group_admin, version):
        data = edited(workbook_of(version), reweighted)
        response = upload(client, group_admin, version, "set.xlsx", data, XLSX)
        draft = selectors.draft_of(version.question_set)
        assert response.status_code == 302
        assert response["Location"] == url("draft_edit", draft)
        first = selectors.version_as_spec(draft).questions[0]
        assert (first.key, first.weight) == ("doc-purpose", 3)

    def test_import_then_export_gives_the_same_cells(self, client, group_admin, version):
        data = edited(workbook_of(version), reweighted)
        upload(client, group_admin, version, "set.xlsx", data, XLSX)
        draft = selectors.draft_of(version.question_set)
        exported = get(client, group_admin, url("version_xlsx", draft)).content
        assert cells(exported) == cells(data)

    def test_the_kind_is_told_by_content_not_by_name(self, client, group_admin, version):
        data = edited(workbook_of(version), reweighted)
        response = upload(client, group_admin, version, "set.yaml", data, "application/x-yaml")
        assert response.status_code == 302
        assert drafts(version) == 1

    def test_yaml_under_any_other_name_is_read_as_yaml(self, client, group_admin, version):
        text = factories.default_source().replace("weight: 2", "weight: 3", 1)
        response = upload(client, group_admin, version, "set.txt", text.encode(), "text/plain")
        assert response.status_code == 302
        assert drafts(version) == 1

    def test_problems_are_listed_by_sheet_row_and_column_and_nothing_is_saved(
        self, client, group_admin, version
    ):
        def change(workbook):
            workbook["Questions"]["D12"] = "heavy"
            workbook["Questions"]["C3"] = "=A1"

        data = edited(workbook_of(version), change)
        response = upload(client, group_admin, version, "set.xlsx", data, XLSX)
        assert response.status_code == 400
        html = response.content.decode()
        assert "Nothing was saved" in html
        assert "Questions, row 3, text: a formula (=A1)" in html
        assert "Questions, row 12, weight: &#x27;weight&#x27; must be a number" in html
        assert drafts(version) == 0

    def test_a_workbook_for_another_set_is_refused(self, client, group_admin, version):
        def change(workbook):
            workbook["About"]["B3"] = "other-set"

        data = edited(workbook_of(version), change)
        response = upload(client, group_admin, version, "set.xlsx", data, XLSX)
        assert response.status_code == 400
        assert "the file is for the set &#x27;other-set&#x27;" in response.content.decode()
        assert drafts(version) == 0

    def test_a_second_draft_is_refused_with_a_conflict(self, client, group_admin, version, draft):
        response = upload(client, group_admin, version, "set.xlsx", workbook_of(version), XLSX)
        assert response.status_code == 409
        assert "already has a draft" in response.content.decode()
        assert drafts(version) == 1

    def test_extra_sheets_are_mentioned_when_the_draft_is_made(self, client, group_admin, version):
        def change(workbook):
            reweighted(workbook)
            workbook.create_sheet("Notes")

        data = edited(workbook_of(version), change)
        response = upload(client, group_admin, version, "set.xlsx", data, XLSX)
        page = client.get(response["Location"]).content.decode()
        assert "loaded from the Excel workbook" in page and "&#x27;Notes&#x27;" in page

    @pytest.mark.parametrize("who", ["lead", "viewer", "group_viewer", "group_assessor"])
    def test_only_group_admins_may_upload(self, client, version, who, request):
        data = edited(workbook_of(version), reweighted)
        response = upload(client, request.getfixturevalue(who), version, "set.xlsx", data, XLSX)
        assert response.status_code == 403
        assert drafts(version) == 0

    def test_it_only_takes_post(self, client, group_admin, version):
        assert get(client, group_admin, url("version_draft_upload", version)).status_code == 405


class TestBadFiles:
    @pytest.mark.parametrize(
        ("name", "data", "says"),
        [
            ("set.xlsx", b"key,name\nx,y\n", "not an Excel workbook"),
            ("set.csv", b"key,name\nx,y\n", "is a CSV file"),
            ("set.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Excel 97-2003"),
            ("set.xlsx", b"PK\x03\x04" + b"\x00" * 200, "damaged"),
            ("set.bin", bytes(range(256)) * 4, "not UTF-8 text"),
            ("set.yaml", b"- just\n- a list\n", "must be a block of fields"),
            ("set.yaml", b"key: [unclosed\n", "not valid YAML"),
            ("set.yaml", b"a: &x [1, 2]\nb: *x\n", "anchors and aliases"),
            ("set.yaml", b"a: " + b"[" * 200 + b"]" * 200 + b"\n", "nested far deeper"),
            ("set.yaml", b"key: x\nweight: " + b"9" * 5000 + b"\n", "not readable as YAML"),
            ("set.yaml", b"\xef\xbb\xbf   \n", "empty"),
        ],
    )
    def test_it_names_the_problem_and_saves_nothing(
        self, client, group_admin, version, name, data, says
    ):
        response = upload(client, group_admin, version, name, data)
        assert response.status_code == 400
        assert says in response.content.decode().replace("&#x27;", "'")
        assert drafts(version) == 0

    def test_a_truncated_workbook(self, client, group_admin, version):
        data = workbook_of(version)
        response = upload(client, group_admin, version, "set.xlsx", data[: len(data) // 3], XLSX)
        assert response.status_code == 400
        assert "damaged" in response.content.decode()

    def test_a_file_over_the_limit_is_refused_before_it_is_read(self, client, group_admin, version):
        response = upload(client, group_admin, version, "set.xlsx", b"PK\x03\x04" * 1_600_000)
        assert response.status_code == 400
        assert "larger than" in response.content.decode()
        assert drafts(version) == 0

    def test_yaml_over_one_megabyte_is_refused(self, client, group_admin, version):
        text = "# " + "x" * 1_100_000 + "\n" + factories.default_source()
        response = upload(client, group_admin, version, "set.yaml", text.encode())
        assert response.status_code == 400
        assert "larger than 1 MB" in response.content.decode()

    def test_a_zip_bomb_is_not_inflated(self, client, group_admin, version):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
        response = upload(client, group_admin, version, "set.xlsx", out.getvalue(), XLSX)
        assert response.status_code == 400
        assert "expands to" in response.content.decode()


class TestQuestionSetPage:
    def test_group_admins_find_the_upload_form(self, client, group_admin, version):
        html = get(client, group_admin, reverse("question_set_list")).content.decode()
        assert url("version_draft_upload", version) in html
        assert 'accept=".yaml,.yml,.xlsx"' in html

    def test_the_form_says_when_a_draft_is_already_open(self, client, group_admin, version, draft):
        html = get(client, group_admin, reverse("question_set_list")).content.decode()
        assert url("version_draft_upload", version) not in html
        assert f"already has a draft (version {draft.number})" in html

    def test_others_see_no_upload_form(self, client, lead, version):
        html = get(client, lead, reverse("question_set_list")).content.decode()
        assert url("version_draft_upload", version) not in html
