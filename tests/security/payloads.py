"""A world whose every free-text field holds a script, formula or Unicode payload.

Built through the real inputs wherever one exists (question-set upload, starting
an assessment, the answer endpoint, review, return, invitations, the offline
workbook, the action forms); through factories only where the input is the admin
site or the seed (brands, product lines, projects, people's names).
"""

import dataclasses
import datetime
import io
import json
import re
from html.parser import HTMLParser

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brands.models import BrandRole, GroupRole
from reports.dashboards.brand_charts import CSV_CHARTS as BRAND_CHARTS
from reports.dashboards.group_charts import CSV_CHARTS as GROUP_CHARTS
from reports.models import ReportJob
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys.models import Assessment, AssessmentStatus, QuestionSetVersion
from surveys.services.invitations import invitation_token
from tests import factories
from tests.surveys.workbook_files import fill

# What a browser would run if it were not escaped.
HTML = "<script>alert(1)</script><img src=x onerror=alert(1)>\"'"
# What a spreadsheet would run if it were not neutralised.
HYPERLINK = '=HYPERLINK("http://evil.example","x")'
FORMULAS = (HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1")
# Text that reads differently than it is: a right-to-left override and a zero-width space.
UNICODE = "\u202eevil\u200bname"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Markers that tell text from the payloads apart from the app's own text.
MARKERS = ("alert(1)", "HYPERLINK", "+1+1", "-2+3", "@SUM(A1)", "=1+1", "\u202e")
# An e-mail address the form takes (normalised to lower case).
EMAIL = '"<script>alert(1)</script>"@example.com'
# A link that passes as a web address but would break out of an attribute if unescaped.
EVIDENCE = 'https://example.com/?q=<script>alert(1)</script>"onmouseover="alert(1)'
BAD_LINKS = ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>")


# An element no page of ours has: found in a page, it came from a payload.
MARKER_TAG = "yardstick-payload"
# For file names: a browser's upload keeps only what follows the last "/".
FILE_HTML = "<img src=x onerror=alert(1)><svg onload=alert(1)>\"'"
# Each field's text as a page must show it (escaped), by the field's name: filled by `field`.
FIELDS: dict[str, str] = {}


def mixed(formula: str, suffix: str = "") -> str:
    """A formula payload followed by the script payload: both kinds of output are tested."""
    return f"{formula}{HTML}{suffix}"


def field(name: str, formula: str = "", html: str = HTML) -> str:
    """The payload for the field `name`: formula, script, then the name to find it by."""
    FIELDS[name] = f"{html} {name}"
    return f"{formula}{html} {name}"


class _Tags(HTMLParser):
    """Every element and attribute of a page, as a browser's parser would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: str | None = None
        self._data_only = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and value:
                scheme = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and ("src", "x") in attrs:
            self.problems.append("<img src=x> from a payload")
        if tag == MARKER_TAG:
            self.problems.append(f"<{MARKER_TAG}> from a payload")
        if tag == "script":
            self._script = ""
            self._data_only = dict(attrs).get("type") == "application/json"
            # The app's own scripts are files (the CSP allows no inline script).
            if not self._data_only and not dict(attrs).get("src"):
                self.problems.append("an inline <script>")

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            # Data for the charts (json_script) may carry user text, with < and > escaped.
            runnable = not self._data_only and "alert(1)" in self._script
            if runnable or (self._data_only and "<" in self._script):
                self.problems.append(f"<script>{self._script[:200]}</script>")
            elif self._data_only:
                # plotly.js reads its labels as a little HTML: user text in them is escaped.
                self.problems += [
                    f"chart text {text[:80]!r}"
                    for text in _strings(json.loads(self._script))
                    if "alert(1)" in text and "<script>" in text
                ]
            self._script = None


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def html_problems(page: str) -> list[str]:
    """Payloads that a browser would run or follow in `page` (empty when all are escaped)."""
    parser = _Tags()
    parser.feed(page)
    parser.close()
    problems = parser.problems
    if "<script>alert(1)" in page:
        problems.append("raw <script>alert(1) in the page")
    return problems


# --------------------------------------------------------------------------- building


def payload_spec(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
    """The default question set with payloads in its titles, statements, guidance, labels."""
    first, second, *rest = spec.sections
    q1, q2, q3, *others = first.questions
    first = dataclasses.replace(
        first,
        title=field("section title"),
        description=field("section description", "+1+1"),
        questions=(
            dataclasses.replace(
                q1,
                text=field("statement", HYPERLINK),
                why=field("why it matters", "+1+1"),
                good=field("what good looks like", "-2+3"),
                evidence=field("evidence to ask for", "@SUM(A1)"),
            ),
            dataclasses.replace(q2, text=field("second statement", "-2+3") + UNICODE),
            dataclasses.replace(q3, text="@SUM(A1) third statement"),
            *others,
        ),
    )
    second = dataclasses.replace(second, title=field("second section title", "=1+1"))
    FIELDS["option label"] = f"@SUM(A1)<{MARKER_TAG}>Partly"
    scale = tuple(
        dataclasses.replace(o, label=FIELDS["option label"]) if o.key == "partly" else o
        for o in spec.scale
    )
    FIELDS["level name"] = "+1+1<script>x</script>"
    levels = (
        dataclasses.replace(spec.levels[0], name=FIELDS["level name"], description=HTML),
        *spec.levels[1:],
    )
    return dataclasses.replace(spec, sections=(first, second, *rest), scale=scale, levels=levels)


@dataclasses.dataclass
class World:
    brand: object
    other_brands: list
    product_line: object
    project: object
    lead: object
    ds: object
    admin: object
    version: QuestionSetVersion
    draft: QuestionSetVersion
    interview: Assessment
    self_fill: Assessment
    action: object
    invitation: object
    payload_keys: list
    mail: list
    refused_links: dict
    reports: list
    fields: dict
    round: object = None
    round_member: object = None
    tracker: object = None
    webhook: object = None
    reminder: object = None
    group_charts: tuple = GROUP_CHARTS
    brand_charts: tuple = BRAND_CHARTS


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ok(response, *codes):
    assert response.status_code in (codes or (200, 302)), (
        response.status_code,
        response.content.decode()[-3000:],
    )
    return response


def save_answer(client, assessment, key: str, **data):
    answer = assessment.answers.get(question__key=key)
    posted = {"base_revision": answer.revision, "answer": "yes", **data}
    return client.post(reverse("answer_save", args=[assessment.code, key]), posted)


def person_name(name: str, formula: str) -> dict:
    """First and last name of a person; shown together as the field `name`."""
    FIELDS[name] = f"{HTML} {name}"
    return {"first_name": f"{formula}{HTML}", "last_name": name}


def build_world(mail_outbox: list) -> World:
    FIELDS.clear()
    admin = factories.UserFactory(
        username="payload-admin", group_role=GroupRole.ADMIN, **person_name("admin-name", "=1+1")
    )
    admin_client = _client(admin)

    # The question set, through the upload a group admin uses (file name included).
    default = factories.default_version()
    spec = payload_spec(factories.default_spec())
    upload = SimpleUploadedFile(
        f"{HTML}.yaml", fmt.to_yaml(spec).encode(), content_type="application/x-yaml"
    )
    response = _ok(
        admin_client.post(reverse("version_draft_upload", args=[default.code]), {"file": upload})
    )
    draft = QuestionSetVersion.objects.get(code=response["Location"].split("/")[-3])
    _ok(admin_client.post(reverse("draft_publish", args=[draft.code])))
    draft.refresh_from_db()
    assert draft.is_published
    # A draft copy, so that the editor's pages show the payloads too.
    response = _ok(admin_client.post(reverse("version_draft_copy", args=[draft.code])))
    editing = QuestionSetVersion.objects.get(code=response["Location"].split("/")[-3])

    # Brands, product line, project and people: the admin site's inputs, so factories.
    brand = factories.BrandFactory(name=field("brand", "@SUM(A1)"))
    others = [
        factories.BrandFactory(name=HYPERLINK + " brand"),
        factories.BrandFactory(name="+1+1 " + UNICODE),
    ]
    line = factories.ProductLineFactory(
        name=field("product line", "-2+3"), description=field("line description", "=")
    )
    project = factories.ProjectFactory(
        brand=brand,
        name=field("project", HYPERLINK),
        description=field("project description", "\t=1+1"),
        kind="batch",
        product_line=line,
    )
    lead = factories.member(
        brand, BrandRole.LEAD, username="payload-lead", **person_name("lead-name", "+1+1")
    )
    ds = factories.member(
        brand,
        BrandRole.DATA_SCIENTIST,
        username="payload-ds",
        **person_name("ds-name", '=HYPERLINK("x")'),
    )
    project.team.add(lead, ds)
    # Two more brands with validated figures, so that group views show every brand.
    keys = list(draft.questions.order_by("order").values_list("key", flat=True))
    # Their projects' names start with each formula payload, the tab and CR ones included
    # (the admin site keeps them; forms strip them).
    for k, other in enumerate(others):
        for n in range(3):
            p = factories.ProjectFactory(
                brand=other,
                name=f"{FORMULAS[3 * k + n]} {UNICODE} {n}",
                kind="batch",
                product_line=line,
            )
            done = factories.assessment(
                p,
                draft,
                status=AssessmentStatus.VALIDATED,
                answers={k: ("yes", "partly", "no")[(i + n) % 3] for i, k in enumerate(keys)},
            )
            score_store(assessment=done)

    lead_client = _client(lead)
    # An interview: started, answered and finalised through the screens.
    _ok(
        lead_client.post(
            reverse("assessment_start", args=[project.code]),
            {"mode": "interview", "interviewees": field("interviewees", "=1+1")},
        )
    )
    interview = project.assessments.get(mode="interview")
    # Statements for realtime products only have no answer in a batch project.
    keys = list(
        interview.answers.order_by("question__order").values_list("question__key", flat=True)
    )
    payload_keys = keys[:6]
    for i, key in enumerate(keys):
        data = {"answer": "no" if i % 4 == 0 else "yes"}
        if i < len(FORMULAS):
            data.update(
                comment=field(f"comment {i}", FORMULAS[i]),
                evidence_url=EVIDENCE,
                interviewer_note=field(f"interviewer note {i}", FORMULAS[i]),
                note=field("change note", "@SUM(A1)"),
            )
        if i == 1:
            data.update(answer="na", na_reason=field("na reason", "-2+3"))
        _ok(save_answer(lead_client, interview, key, **data))
    _ok(lead_client.post(reverse("interview_finalise", args=[interview.code])))
    interview.refresh_from_db()
    assert interview.status == AssessmentStatus.VALIDATED

    # Links that must never be stored.
    refused_links = {}
    self_fill_start = lead_client.post(
        reverse("assessment_start", args=[project.code]), {"mode": "self_fill"}
    )
    _ok(self_fill_start)
    self_fill = project.assessments.get(mode="self_fill")
    for link in BAD_LINKS:
        response = save_answer(lead_client, self_fill, keys[0], evidence_url=link)
        refused_links[link] = response

    # An invitation by e-mail; the data scientist fills in through the screens.
    _ok(
        lead_client.post(
            reverse("invitation_list", args=[self_fill.code]), {"email": "o'hara@example.com"}
        )
    )
    invitation = self_fill.invitations.get()
    # A quoted local part is a valid address and may hold markup.
    FIELDS["invited address"] = EMAIL
    _ok(lead_client.post(reverse("invitation_list", args=[self_fill.code]), {"email": EMAIL}))
    mail = list(mail_outbox)
    ds_client = _client(ds)
    for i, key in enumerate(keys):
        data = {"answer": "partly" if i % 3 == 0 else "yes"}
        if i < len(FORMULAS):
            data.update(
                comment=field(f"respondent comment {i}", FORMULAS[-1 - i]),
                evidence_url="http://x.example",
            )
        _ok(save_answer(ds_client, self_fill, key, **data))
    _ok(ds_client.post(reverse("assessment_submit", args=[self_fill.code])))
    # The reviewer's notes, then the assessment goes back with a message.
    _ok(
        save_answer(
            lead_client,
            self_fill,
            keys[2],
            answer="no",
            comment=field("review comment", "+1+1"),
            note=field("review note", HYPERLINK),
        )
    )
    _ok(
        lead_client.post(
            reverse("assessment_return", args=[self_fill.code]),
            {"message": field("return message", "@SUM(A1)")},
        )
    )
    self_fill.refresh_from_db()
    assert self_fill.status == AssessmentStatus.DRAFT and self_fill.return_message

    # The invited respondent makes an account (the name is a payload) and answers.
    invitee_client = Client()
    password = "a-long-Unusual-passphrase-93"
    _ok(
        invitee_client.post(
            reverse("invitation_accept", args=[invitation_token(invitation)]),
            {**person_name("invitee-name", "-2+3"), "password1": password, "password2": password},
        )
    )
    _ok(save_answer(invitee_client, self_fill, keys[5], comment=field("invitee comment", "-2+3")))

    # The offline workbook: downloaded, payloads typed in, uploaded under a payload name.
    content = _ok(lead_client.get(reverse("workbook_download", args=[self_fill.code]))).content
    edits = {
        keys[3]: {"Answer": "No", "Comment": field("workbook comment", "+1+1")},
        keys[4]: {
            "Answer": "Yes",
            "Comment": "@SUM(A1) plain",
            "Evidence link": "https://e.example",
        },
    }
    upload = SimpleUploadedFile(
        field("workbook.xlsx", html=FILE_HTML),
        fill(content, edits),
        content_type="application/octet-stream",
    )
    _ok(lead_client.post(reverse("workbook_upload", args=[self_fill.code]), {"workbook": upload}))
    _ok(
        lead_client.post(
            reverse("workbook_apply", args=[self_fill.code]),
            {"all": "file", "note": field("apply note", "-2+3")},
        )
    )

    # Evidence a pipeline posted (its input is the API, which calls this service), shown on
    # the answer history pages of the statement.
    from surveys.services import evidence_record

    evidence_record(
        project=project,
        user=lead,
        question_key=payload_keys[0],
        url=EVIDENCE,
        outcome="failed",
        run_id=field("evidence run", "@SUM(A1)"),
        run_url=EVIDENCE,
        commit="0123abcd",
        source=field("evidence source", "+1+1"),
    )

    # An improvement action on a statement the interview answered "no".
    _ok(
        lead_client.post(
            reverse("action_create", args=[project.code]),
            {
                "question_key": keys[4],
                "title": field("action title", HYPERLINK),
                "note": field("action note", "+1+1"),
                "owner": str(ds.pk),
            },
        )
    )
    action = project.improvement_actions.get()
    # Its owner, a data scientist, moves it on with a note of their own.
    _ok(
        ds_client.post(
            reverse("action_update", args=[action.code]),
            {"status": "in_progress", "note": field("action progress note", "@SUM(A1)")},
        )
    )
    action.refresh_from_db()
    assert action.status == "in_progress"
    FIELDS.pop("action note")  # replaced by the owner's note

    # Reports asked for from the dashboards, with a payload where the filters go.
    for client, scope, code in (
        (lead_client, "brand", brand.code),
        (lead_client, "project", project.code),
        (admin_client, "group", ""),
    ):
        _ok(
            client.post(
                reverse("report_list"),
                {"scope": scope, "code": code, "format": "pdf", "filters": f"q={HTML}"},
            )
        )
    reports = list(ReportJob.objects.filter(requested_by__in=[lead, admin]))
    assert len(reports) == 3

    # An assessment round of the brand under a payload name, launched, due in two days, and the
    # reminders it sends today (the lead's overview names the round and its projects).
    from surveys.models import ReminderDigest, Round
    from surveys.services.reminders import round_reminders_send

    today = timezone.localdate()
    _ok(
        admin_client.post(
            reverse("round_create"),
            {
                "name": field("round name", "+1+1"),
                "question_set": str(draft.question_set.code),
                "brands": [str(brand.code)],
                "default_mode": "self_fill",
                "opens_on": today.isoformat(),
                "due_on": (today + datetime.timedelta(days=2)).isoformat(),
            },
        )
    )
    round_ = Round.objects.get()
    _ok(admin_client.post(reverse("round_launch", args=[round_.code])))
    round_reminders_send(day=today)
    reminder = ReminderDigest.objects.filter(user=lead).first()
    assert reminder is not None

    # The brand's issue tracker and webhook (issue 18), through the lead's forms.
    from brands.models import Webhook
    from scoring.models import TrackerConnection

    _ok(
        lead_client.post(
            reverse("tracker_list", args=[brand.code]),
            {
                "kind": "github",
                "name": field("tracker name", "-2+3"),
                "api_url": "https://github.example.com/api/v3",
                "target": "acme/recs",
                "token": "not-a-real-token",
            },
        )
    )
    _ok(
        lead_client.post(
            reverse("webhook_list", args=[brand.code]),
            {
                "url": "https://hooks.example.com/?q=" + field("webhook address"),
                "events": ["report.ready"],
                "active": "on",
            },
        )
    )

    # API tokens (issue 18), made through their pages: a personal one and a brand's service one.
    token_form = {"scope": "read", "expires_on": (today + datetime.timedelta(days=30)).isoformat()}
    _ok(
        admin_client.post(
            reverse("api_tokens"), {**token_form, "name": field("token name", "=1+1")}
        ),
        302,
    )
    _ok(
        admin_client.post(
            reverse("brand_tokens", args=[brand.code]),
            {**token_form, "name": field("service token name", "+1+1")},
        ),
        302,
    )

    return World(
        tracker=TrackerConnection.objects.get(brand=brand),
        webhook=Webhook.objects.get(brand=brand),
        brand=brand,
        other_brands=others,
        product_line=line,
        project=project,
        lead=lead,
        ds=ds,
        admin=admin,
        version=draft,
        draft=editing,
        interview=interview,
        self_fill=self_fill,
        action=action,
        invitation=invitation,
        payload_keys=payload_keys,
        mail=mail,
        refused_links=refused_links,
        reports=reports,
        fields=dict(FIELDS),
        round=round_,
        round_member=round_.members.get(project=project),
        reminder=reminder,
    )


def workbook_cells(content: bytes):
    """Every cell of every sheet of an .xlsx file, formulas kept as formulas."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell
