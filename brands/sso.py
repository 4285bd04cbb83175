"""Roles from an identity provider's claims: the pure half of single sign-on.

No database and no Django models here, so the settings can parse the mapping
at start-up (a bad mapping stops the process with a message) and the rules
can be tested on their own. brands.oidc applies the result to a person.

A claim (by default `groups`) carries a list of values. A value named in the
group-role map gives that group role (`YARDSTICK_ADMIN=admin`); a value of
the form `<prefix><brand>:<role>` (`brand:jumbo-nl:lead`) gives that role in
the brand whose slug or code is `<brand>`. Every other value is someone
else's group and is ignored. When several values give roles, the strongest
wins: admin over assessor over viewer, lead over data scientist over viewer.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

# Strongest first; kept as plain strings so this module needs no models.
GROUP_ROLES = ("admin", "assessor", "viewer")
BRAND_ROLES = ("lead", "data_scientist", "viewer")

DEFAULT_GROUP_ROLES = "YARDSTICK_ADMIN=admin,YARDSTICK_ASSESSOR=assessor,YARDSTICK_VIEWER=viewer"


def parse_group_roles(raw: str, *, name: str = "OIDC_GROUP_ROLES") -> dict[str, str]:
    """`VALUE=role,VALUE=role` -> {value: role}; a typo stops start-up naming the entry."""
    mapping: dict[str, str] = {}
    for entry in (item.strip() for item in raw.split(",")):
        if not entry:
            continue
        value, sep, role = (part.strip() for part in entry.partition("="))
        if not sep or not value:
            raise ImproperlyConfigured(
                f"{name} entries must look like GROUP=role; {entry!r} does not"
            )
        if role not in GROUP_ROLES:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} names the role {role!r}; "
                f"group roles are {', '.join(GROUP_ROLES)}"
            )
        mapping[value] = role
    return mapping


@dataclass(frozen=True)
class MappedRoles:
    """What the identity provider says a person may do in Yardstick."""

    group_role: str = ""
    # brand slug or code (lower case) -> brand role
    brand_roles: dict[str, str] = field(default_factory=dict)

    @property
    def grants_anything(self) -> bool:
        return bool(self.group_role or self.brand_roles)


def claim_values(claims: Mapping, claim: str) -> list[str]:
    """The claim's values as strings: providers send a list, a single string or nothing."""
    raw = claims.get(claim)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, Iterable) and not isinstance(raw, Mapping):
        return [str(item) for item in raw if isinstance(item, str | int)]
    return []


def _stronger(order: tuple[str, ...], current: str, candidate: str) -> str:
    if not current:
        return candidate
    return candidate if order.index(candidate) < order.index(current) else current


def roles_from_claims(
    claims: Mapping,
    *,
    claim: str,
    group_roles: Mapping[str, str],
    brand_prefix: str,
) -> MappedRoles:
    group_role = ""
    brand_roles: dict[str, str] = {}
    for value in claim_values(claims, claim):
        if value in group_roles:
            group_role = _stronger(GROUP_ROLES, group_role, group_roles[value])
            continue
        if not brand_prefix or not value.startswith(brand_prefix):
            continue
        brand, sep, role = value[len(brand_prefix) :].rpartition(":")
        brand = brand.strip().lower()
        if not sep or not brand or role not in BRAND_ROLES:
            continue
        brand_roles[brand] = _stronger(BRAND_ROLES, brand_roles.get(brand, ""), role)
    return MappedRoles(group_role=group_role, brand_roles=brand_roles)


def email_is_verified(claims: Mapping) -> bool:
    """Only a literal true counts (some providers send the string "true")."""
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
