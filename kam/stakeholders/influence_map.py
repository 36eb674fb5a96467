"""The influence map (组织结构-影响关系图, DOMAIN.md §2.2) as an ECharts graph.

Two structures in one picture: the formal reports-to tree (solid grey lines)
and the political structure (dashed red "influences" lines, thicker when
stronger). Nodes are coloured by project support, shaped by buying role and
sized by influence. :func:`map_option` is pure; :func:`account_map` and
:func:`opportunity_map` read the data in three queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.pipeline.models import Opportunity, Status
from kam.stakeholders.models import (
    BuyingRole,
    Contact,
    Influence,
    InfluenceLine,
    Relationship,
    Stakeholder,
    Support,
)

SUPPORT_COLOURS = {
    Support.SUPPORTER: "#2e7d32",
    Support.NEUTRAL: "#8d99a6",
    Support.OPPONENT: "#c62828",
    "": "#c9d3dd",
}
ROLE_SYMBOLS = {
    BuyingRole.DECISION_MAKER: "diamond",
    BuyingRole.TECHNICAL_GATEKEEPER: "rect",
    BuyingRole.USER: "roundRect",
    BuyingRole.COACH: "triangle",
}
INFLUENCE_SIZES = {Influence.HIGH: 46, Influence.MEDIUM: 34, Influence.LOW: 24, "": 26}
RELATIONSHIP_BORDERS: dict[str, int] = {
    Relationship.ACQUAINTED: 1,
    Relationship.DATING: 2,
    Relationship.TRUSTING: 4,
    Relationship.ALLIED: 6,
}


@dataclass(frozen=True)
class Node:
    key: str
    name: str
    title: str = ""
    roles: tuple[str, ...] = ()
    support: str = ""
    influence: str = ""
    relationship: str = ""
    has_left: bool = False
    url: str = ""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    formal: bool
    strength: int = 2


def map_option(nodes: list[Node], edges: list[Edge]) -> dict[str, Any]:
    """The ECharts option of the map; legends and labels in the active language."""
    supports = [*Support.values, ""]
    categories = [
        {
            "name": str(Support(s).label) if s else _("Not assessed"),
            "itemStyle": {"color": SUPPORT_COLOURS[s]},
        }
        for s in supports
    ]
    formal_name, informal_name = _("reports to"), _("influences")
    data = []
    for node in nodes:
        role_labels = [str(BuyingRole(r).label) for r in node.roles]
        symbol = next((ROLE_SYMBOLS[r] for r in ROLE_SYMBOLS if r in node.roles), "circle")
        subtitle = " · ".join([t for t in [node.title, *role_labels] if t])
        extra = []
        if node.relationship:
            extra.append(str(Relationship(node.relationship).label))
        if node.has_left:
            extra.append(_("left"))
        data.append(
            {
                "id": node.key,
                "name": node.name,
                "value": "、".join([subtitle, *extra]) if subtitle or extra else "",
                "category": supports.index(node.support if node.support in supports else ""),
                "symbol": symbol,
                "symbolSize": INFLUENCE_SIZES.get(node.influence, 26),
                "itemStyle": {
                    "borderColor": "#17324d",
                    "borderWidth": RELATIONSHIP_BORDERS.get(node.relationship, 0),
                    "opacity": 0.45 if node.has_left else 1,
                },
                "label": {"formatter": f"{node.name}\n{' '.join(role_labels)}".strip()},
                "url": node.url,
            }
        )
    links = [
        {
            "source": e.source,
            "target": e.target,
            "value": formal_name if e.formal else informal_name,
            "lineStyle": (
                {"type": "solid", "color": "#8d99a6", "width": 1.5, "curveness": 0}
                if e.formal
                else {
                    "type": "dashed",
                    "color": "#c0392b",
                    "width": 1 + e.strength,
                    "curveness": 0.25,
                }
            ),
        }
        for e in edges
    ]
    return {
        "tooltip": {"formatter": "{b}<br>{c}"},
        "legend": [{"data": [c["name"] for c in categories], "top": 0}],
        "animationDuration": 300,
        "series": [
            {
                "type": "graph",
                "layout": "force",
                "roam": True,
                "draggable": True,
                "top": 40,
                "label": {"show": True, "position": "bottom", "fontSize": 11},
                "force": {"repulsion": 260, "edgeLength": [70, 150], "gravity": 0.08},
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 7,
                "categories": categories,
                "data": data,
                "links": links,
                "emphasis": {"focus": "adjacency"},
            }
        ],
    }


def _person_url(pk: int) -> str:
    return reverse("stakeholders:detail", args=[pk])


def account_map(account: Account) -> tuple[list[Node], list[Edge]]:
    """Everyone at the account; roles and judgements from the account's open deals."""
    people = list(
        Contact.objects.filter(account=account).values(
            "pk", "name", "title", "reports_to_id", "has_left"
        )
    )
    judged: dict[int, dict[str, Any]] = {}
    for s in (
        Stakeholder.objects.filter(
            opportunity__account=account, opportunity__status=Status.OPEN, contact__isnull=False
        )
        .order_by("updated_at")
        .values(
            "contact_id",
            "support",
            "influence",
            "relationship",
            *Stakeholder.ROLE_FIELDS.values(),
        )
    ):
        j = judged.setdefault(s["contact_id"], {"roles": set()})
        j["roles"].update(r for r, f in Stakeholder.ROLE_FIELDS.items() if s[f])
        for key in ("support", "influence", "relationship"):
            if s[key]:
                j[key] = s[key]
    nodes = [
        Node(
            key=f"c{p['pk']}",
            name=p["name"],
            title=p["title"],
            roles=tuple(
                r for r in BuyingRole.values if r in judged.get(p["pk"], {}).get("roles", ())
            ),
            support=judged.get(p["pk"], {}).get("support", ""),
            influence=judged.get(p["pk"], {}).get("influence", ""),
            relationship=judged.get(p["pk"], {}).get("relationship", ""),
            has_left=p["has_left"],
            url=_person_url(p["pk"]),
        )
        for p in people
    ]
    ids = {p["pk"] for p in people}
    edges = [
        Edge(f"c{p['pk']}", f"c{p['reports_to_id']}", formal=True)
        for p in people
        if p["reports_to_id"] in ids
    ]
    edges += [
        Edge(f"c{s}", f"c{t}", formal=False, strength=w)
        for s, t, w in InfluenceLine.objects.filter(account=account).values_list(
            "source_id", "target_id", "strength"
        )
    ]
    return nodes, edges


def opportunity_map(opportunity: Opportunity) -> tuple[list[Node], list[Edge]]:
    """The buying circle of one deal, with the lines between its members."""
    members = list(
        Stakeholder.objects.filter(opportunity=opportunity).select_related("contact", "staff")
    )
    nodes = []
    ids: set[int] = set()
    bosses: dict[int, int | None] = {}
    for s in members:
        contact = s.contact
        if contact is not None:
            ids.add(contact.pk)
            bosses[contact.pk] = contact.reports_to_id
            key, title, url = f"c{contact.pk}", contact.title, _person_url(contact.pk)
            has_left = contact.has_left
        else:
            key, url, has_left = f"s{s.pk}", "", False
            title = _("our colleague") if s.staff_id else _("third party")
        nodes.append(
            Node(
                key=key,
                name=contact.name if contact is not None else s.display_name,
                title=title,
                roles=tuple(s.roles),
                support=s.support,
                influence=s.influence,
                relationship=s.relationship,
                has_left=has_left,
                url=url,
            )
        )
    edges = [
        Edge(f"c{c}", f"c{b}", formal=True) for c, b in bosses.items() if b is not None and b in ids
    ]
    edges += [
        Edge(f"c{s}", f"c{t}", formal=False, strength=w)
        for s, t, w in InfluenceLine.objects.filter(
            account_id=opportunity.account_id, source_id__in=ids, target_id__in=ids
        ).values_list("source_id", "target_id", "strength")
    ]
    return nodes, edges
