"""The GraphQL API: `build_schema` assembles the areas' queries and mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.schema.config import StrawberryConfig

import schema.account.types
import schema.dossier.types
import schema.messaging.types
import schema.organisation.types  # noqa: F401 - registers the node types
from schema.account.mutations import AccountMutations
from schema.company.mutations import CompanyMutations
from schema.context import Info
from schema.delegation.mutations import DelegationMutations
from schema.deposit.mutations import DepositMutations
from schema.dossier.mutations import DossierMutations
from schema.dossier.queries import DossierQueries
from schema.frames import SharingExecutor
from schema.habilitation.mutations import HabilitationMutations
from schema.habilitation.queries import HabilitationQueries
from schema.input_guard import RefuseOddCharacters
from schema.limits import limit_extensions
from schema.messaging.mutations import MessagingMutations
from schema.messaging.queries import MessagingQueries
from schema.messaging.subscriptions import MessagingSubscriptions
from schema.nodes import NODE_TYPES
from schema.organisation.mutations import OrganisationMutations
from schema.organisation.queries import OrganisationQueries
from schema.outcome import GuichetSchema, ShapeErrors, ShapeErrorsWithoutSuggestions
from schema.public.queries import PublicQueries
from schema.scalars import SCALAR_OVERRIDES
from schema.tenant.types import Tenant
from schema.title.mutations import TitleMutations
from schema.transactions import EndTransaction
from schema.viewer import Viewer, resolve_viewer
from schema.webhooks.mutations import WebhookMutations
from tenants.errors import CommonCode, DomainError

MAX_NODES = 100


async def _resolve_global_ids(info: Info, ids: list[str]) -> list[relay.Node | None]:
    """Nodes in the order asked; an ID that is malformed, of another tenant, or not the
    viewer's to see answers `null`, exactly as one that does not exist."""
    by_type: dict[str, list[tuple[int, str]]] = {}
    for position, value in enumerate(ids):
        try:
            gid = relay.GlobalID.from_id(value)
        except Exception:  # noqa: S112 - any undecodable ID is simply unknown
            continue
        if gid.type_name in NODE_TYPES:
            by_type.setdefault(gid.type_name, []).append((position, gid.node_id))
    result: list[relay.Node | None] = [None] * len(ids)
    for type_name, wanted in by_type.items():
        node_type = NODE_TYPES[type_name]
        nodes = await node_type.visible_nodes(info, [n for _, n in wanted])
        for (position, _), node in zip(wanted, nodes, strict=True):
            result[position] = node
    return result


@strawberry.type(description="Les lectures : la personne connectée, le portail, les objets.")
class Query(
    OrganisationQueries, HabilitationQueries, DossierQueries, PublicQueries, MessagingQueries
):
    @strawberry.field(description="Un objet par son identifiant global.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="L'identifiant global.")],
    ) -> relay.Node | None:
        return (await _resolve_global_ids(info, [str(id)]))[0]

    @strawberry.field(
        description="Des objets par leurs identifiants globaux (100 au plus : au-delà, null "
        "avec l'erreur TOO_MANY_IDS sur ce champ)."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Les identifiants globaux.")
        ],
    ) -> list[relay.Node | None] | None:
        if len(ids) > MAX_NODES:
            raise DomainError.one(CommonCode.TOO_MANY_IDS, ("ids",), max=MAX_NODES)
        return await _resolve_global_ids(info, [str(i) for i in ids])

    @strawberry.field(description="La personne connectée, ou null.")
    def viewer(self, info: Info) -> Viewer | None:
        return resolve_viewer(info)

    @strawberry.field(description="Le portail interrogé : informations publiques.")
    def tenant(self, info: Info) -> Tenant:
        return Tenant(pack=info.context.pack)


@strawberry.type(
    description="Les écritures : chacune prend son `input` et répond son `…Payload` (`ok`, "
    "`errors`, les objets produits)."
)
class Mutation(
    AccountMutations,
    OrganisationMutations,
    DelegationMutations,
    CompanyMutations,
    HabilitationMutations,
    DepositMutations,
    DossierMutations,
    TitleMutations,
    MessagingMutations,
    WebhookMutations,
):
    pass


@strawberry.type(
    description="Les abonnements en temps réel (graphql-transport-ws, le jeton d'accès dans "
    "`connection_init`)."
)
class Subscription(MessagingSubscriptions):
    pass


def build_schema(
    *,
    production: bool = False,
    max_depth: int = 12,
    max_aliases: int = 30,
    max_cost: int = 5000,
    max_tokens: int = 2000,
) -> strawberry.Schema:
    """Errors are shaped (and masked) by one extension for every transport; strings are
    checked by one other before anything reads them."""
    shaping = ShapeErrorsWithoutSuggestions if production else ShapeErrors
    return GuichetSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(NODE_TYPES.values()),
        extensions=[
            shaping,
            *limit_extensions(
                production=production,
                max_depth=max_depth,
                max_aliases=max_aliases,
                max_cost=max_cost,
                max_tokens=max_tokens,
            ),
            RefuseOddCharacters,  # after the validation cache: see its docstring
            EndTransaction,
        ],
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=production),
        scalar_overrides=SCALAR_OVERRIDES,
        # the lean executor (simple fields read directly), sharing subscription frames
        execution_context_class=SharingExecutor,
    )
