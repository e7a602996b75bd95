"""The directory (LDAP) as the ledger sees it: where a person's entry is, their groups, the
org units they sit in, and who is there at all. Reads only; the writes are in
liaison/services/directory.py.

The connection is django-python3-ldap's (ldap3, pure Python), configured by the LDAP_AUTH_*
settings that ledger_site/settings.py derives from LDAP_URL and friends. Its sign-on binds as
the DN that `user_dn` returns: found by a search as the search account, so people may sit in
nested org units (uid=zhangsan,ou=BA,ou=KA,ou=people,...) rather than in one flat folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import ldap3
from django.conf import settings
from django_python3_ldap import ldap
from django_python3_ldap.utils import format_search_filter
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn


class DirectoryUnavailable(Exception):
    """The directory did not answer, or refused the search account."""


class DirectoryUserUnknown(Exception):
    """No entry of the directory has this user name."""


@dataclass(frozen=True)
class DirectoryPerson:
    """A person's entry: its DN, user name, and the values of the scope attribute."""

    dn: str
    username: str
    scope_values: tuple[str, ...]
    member_of: tuple[str, ...]


def directory_enabled() -> bool:
    return bool(settings.LDAP_AUTH_URL)


@contextmanager
def service_connection() -> Iterator[ldap3.Connection]:
    """Yield a connection bound as the search account (LDAP_BIND_DN)."""
    with ldap.connection() as connection:
        if connection is None:
            raise DirectoryUnavailable
        try:
            yield connection._connection
        except LDAPException as error:
            # Not an LDAPException any more: the library's connection would swallow it.
            raise DirectoryUnavailable(str(error)) from error


def user_dn(model_fields: dict) -> str:
    """Return the DN to bind as for a user name (LDAP_AUTH_FORMAT_USERNAME).

    The search account's own DN is returned as it is; anyone else's is searched for.
    """
    username = model_fields["username"]
    if username == settings.LDAP_AUTH_CONNECTION_USERNAME:
        return username
    object_class = escape_filter_chars(settings.LDAP_AUTH_OBJECT_CLASS)
    name_attribute = settings.LDAP_AUTH_USER_FIELDS["username"]
    name = escape_filter_chars(username)  # a "*" is a star, not a wildcard
    search_filter = f"(&(objectClass={object_class})({name_attribute}={name}))"
    with service_connection() as connection:
        connection.search(
            search_base=settings.LDAP_AUTH_SEARCH_BASE,
            search_filter=search_filter,
            search_scope=ldap3.SUBTREE,
            attributes=[],
            size_limit=1,
        )
        entries = [item for item in connection.response if item.get("type") == "searchResEntry"]
    if not entries:
        raise DirectoryUserUnknown(username)
    return str(entries[0]["dn"])


def _first_values(attributes: dict, name: str) -> tuple[str, ...]:
    value = attributes.get(name) or ()
    if isinstance(value, str | bytes):
        value = (value,)
    return tuple(str(item) for item in value)


def scope_codes(*, dn: str, attributes: dict) -> list[str]:
    """Return the org codes that may name a person's scope, the surest first.

    The scope attribute (LDAP_SCOPE_ATTRIBUTE, e.g. departmentNumber) first, then the org units
    of the DN from the nearest outwards (uid=x,ou=BA,ou=KA,... gives BA, then KA).
    """
    codes = list(_first_values(attributes, settings.LDAP_SCOPE_ATTRIBUTE))
    codes += [value for name, value, _sep in parse_dn(dn, escape=False) if name.lower() == "ou"]
    return codes


def normalise_dn(dn: str) -> str:
    """Return a DN in one spelling (case and spaces aside) so that two spellings compare equal."""
    try:
        parts = parse_dn(dn, escape=False, strip=True)
    except ldap3.core.exceptions.LDAPInvalidDnError:
        return dn.strip().lower()
    return ",".join(f"{name.lower()}={value.lower()}" for name, value, _sep in parts)


def user_groups(connection: ldap3.Connection, *, dn: str, attributes: dict) -> list[str]:
    """Return the DNs of a person's groups: memberOf, and the groups under LDAP_GROUP_BASE."""
    groups = list(_first_values(attributes, "memberOf"))
    if settings.LDAP_GROUP_BASE:
        escaped = escape_filter_chars(dn)
        try:
            connection.search(
                search_base=settings.LDAP_GROUP_BASE,
                search_filter=f"(|(member={escaped})(uniqueMember={escaped}))",
                search_scope=ldap3.SUBTREE,
                attributes=[],
            )
        except LDAPException as error:
            raise DirectoryUnavailable(str(error)) from error
        groups += [
            str(item["dn"]) for item in connection.response if item.get("type") == "searchResEntry"
        ]
    return groups


def people_list(connection: ldap3.Connection) -> dict[str, DirectoryPerson]:
    """Return everyone under LDAP_USER_BASE, by lower-cased user name (a paged search)."""
    username_attribute = settings.LDAP_AUTH_USER_FIELDS["username"]
    entries = connection.extend.standard.paged_search(
        search_base=settings.LDAP_AUTH_SEARCH_BASE,
        search_filter=format_search_filter({}),
        search_scope=ldap3.SUBTREE,
        attributes=[username_attribute, settings.LDAP_SCOPE_ATTRIBUTE, "memberOf"],
        paged_size=500,
        generator=True,
    )
    people = {}
    for entry in entries:
        if entry.get("type") != "searchResEntry":
            continue
        attributes = entry["attributes"]
        usernames = _first_values(attributes, username_attribute)
        if not usernames:
            continue
        dn = str(entry["dn"])
        people[usernames[0].lower()] = DirectoryPerson(
            dn=dn,
            username=usernames[0],
            scope_values=tuple(scope_codes(dn=dn, attributes=attributes)),
            member_of=_first_values(attributes, "memberOf"),
        )
    return people


def group_members(connection: ldap3.Connection) -> dict[str, list[str]]:
    """Return {normalised member DN: [group DNs]} for every group under LDAP_GROUP_BASE."""
    members: dict[str, list[str]] = {}
    if not settings.LDAP_GROUP_BASE:
        return members
    entries = connection.extend.standard.paged_search(
        search_base=settings.LDAP_GROUP_BASE,
        search_filter="(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))",
        search_scope=ldap3.SUBTREE,
        attributes=["member", "uniqueMember"],
        paged_size=500,
        generator=True,
    )
    for entry in entries:
        if entry.get("type") != "searchResEntry":
            continue
        attributes = entry["attributes"]
        for member in (
            *_first_values(attributes, "member"),
            *_first_values(attributes, "uniqueMember"),
        ):
            members.setdefault(normalise_dn(member), []).append(str(entry["dn"]))
    return members


def role_for_groups(groups: list[str] | tuple[str, ...]) -> str:
    """Return the role the first group of LDAP_GROUP_ROLES that holds the person maps to, or "".

    A key of LDAP_GROUP_ROLES is a group's full DN or just its cn.
    """
    dns = {normalise_dn(group) for group in groups}
    names = {dn.split(",", 1)[0].split("=", 1)[-1] for dn in dns}
    for key, role in settings.LDAP_GROUP_ROLES.items():
        wanted = normalise_dn(key) if "=" in key else key.strip().lower()
        if wanted in dns or wanted in names:
            return str(role)
    return ""
