"""Teams: a tree of sales teams with a manager each."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from kam.core import changes
from kam.core.models import AuditEvent, Interface, Team, User


def _path_for(parent: Team | None, team_id: int) -> str:
    return f"{parent.path if parent else '/'}{team_id}/"


@transaction.atomic
def save_team(
    team: Team,
    *,
    name: str,
    parent: Team | None,
    manager: User | None,
    by: User | None,
    via: str = Interface.WEB,
) -> Team:
    """Create or change a team, keeping the tree acyclic and the paths right."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A team needs a name.")})
    if Team.objects.exclude(pk=team.pk).filter(name=name).exists():
        raise ValidationError({"name": _("Another team already has this name.")})
    if (
        parent is not None
        and team.pk is not None
        and (parent.pk == team.pk or parent.path.startswith(team.path))
    ):
        raise ValidationError(
            {"parent": _("A team cannot sit under itself or under one of its own sub-teams.")}
        )
    old_path = team.path if team.pk else None
    # A new team's path needs its id: it is recorded, path included, once both are saved.
    action = AuditEvent.Action.UPDATE if team.pk else AuditEvent.Action.CREATE
    with changes.tracked(team, by=by, via=via, action=action, always=True):
        team.name, team.parent, team.manager = name, parent, manager
        team.save()
        new_path = _path_for(parent, team.pk)
        if new_path != team.path:
            team.path = new_path
            team.save(update_fields=["path"])
            if old_path and old_path != "/":
                # Move the whole subtree: replace the old prefix in every descendant.
                Team.objects.filter(path__startswith=old_path).exclude(pk=team.pk).update(
                    path=Concat(Value(new_path), Substr(F("path"), Length(Value(old_path)) + 1))
                )
    return team


def subtree(team: Team) -> list[int]:
    """Ids of ``team`` and every team below it."""
    return list(Team.objects.filter(path__startswith=team.path).values_list("pk", flat=True))
