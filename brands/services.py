"""Writes for brands: making and changing projects.

Used by the JSON API (api/); the admin site edits projects through its own forms. The rule
is the one the pages apply to every project action: a brand's leads and group admins and
assessors manage its projects.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from brands.models import Brand, Criticality, ProductLine, Project, ProjectKind, User
from brands.selectors import can_manage_brand


class ProjectError(Exception):
    """A project cannot be made or changed as asked. `status` is the HTTP status to answer
    with; `field` names the input at fault, when one is."""

    def __init__(self, message: str, *, field: str = "", status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


@dataclass(frozen=True)
class ProjectInput:
    """What to set on a project. `None` fields are left as they are (on create: defaults)."""

    name: str | None = None
    description: str | None = None
    kind: str | None = None
    criticality: str | None = None
    product_line: ProductLine | None = None
    clear_product_line: bool = False


def _apply(project: Project, data: ProjectInput) -> None:
    if data.name is not None:
        name = data.name.replace("\x00", "").strip()
        if not name:
            raise ProjectError("A project needs a name.", field="name")
        if len(name) > 120:
            raise ProjectError("The name is too long: at most 120 characters.", field="name")
        project.name = name
    if data.description is not None:
        description = data.description.replace("\x00", "").strip()
        if len(description) > 5000:
            raise ProjectError(
                "The description is too long: at most 5000 characters.", field="description"
            )
        project.description = description
    if data.kind is not None:
        if data.kind not in ProjectKind.values:
            raise ProjectError(
                f"The kind must be one of {', '.join(ProjectKind.values)}.", field="kind"
            )
        project.kind = data.kind
    if data.criticality is not None:
        if data.criticality not in Criticality.values:
            raise ProjectError(
                f"The criticality must be one of {', '.join(Criticality.values)}.",
                field="criticality",
            )
        project.criticality = data.criticality
    if data.product_line is not None:
        project.product_line = data.product_line
    elif data.clear_product_line:
        project.product_line = None


def _save(project: Project, brand: Brand) -> None:
    if Project.objects.filter(brand=brand, name=project.name).exclude(pk=project.pk).exists():
        raise ProjectError(
            f"{brand.name} already has a project named {project.name}.", field="name"
        )
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:  # the same name, saved by someone else just now
        raise ProjectError(
            f"{brand.name} already has a project named {project.name}.", field="name", status=409
        ) from None


@transaction.atomic
def project_create(*, brand: Brand, user: User, data: ProjectInput) -> Project:
    if not can_manage_brand(user, brand):
        raise ProjectError(
            "Only the brand's leads and group assessors can add projects.", status=403
        )
    if data.name is None:
        raise ProjectError("A project needs a name.", field="name")
    if data.kind is None:
        raise ProjectError(
            f"A project needs a kind: one of {', '.join(ProjectKind.values)}.", field="kind"
        )
    project = Project(brand=brand)
    _apply(project, data)
    _save(project, brand)
    return project


@transaction.atomic
def project_update(*, project: Project, user: User, data: ProjectInput) -> Project:
    if not can_manage_brand(user, project.brand):
        raise ProjectError(
            "Only the brand's leads and group assessors can change projects.", status=403
        )
    Project.objects.select_for_update().filter(pk=project.pk).first()
    _apply(project, data)
    _save(project, project.brand)
    return project
