"""`viewer`: who is signed in, as whom, on which portal; assembled from each area's viewer
fields (above the areas, like `schema.build_schema`)."""

from __future__ import annotations

import strawberry

from auth.policy import Action, Resource
from schema.account.types import AccountNode, PersonNode
from schema.audit.viewer_fields import ViewerAuditFields
from schema.company.viewer_fields import ViewerCompanyFields
from schema.context import Info
from schema.delegation.viewer_fields import ViewerDelegationFields
from schema.dossier.viewer_fields import ViewerDossierFields
from schema.guards import allowed
from schema.habilitation.viewer_fields import ViewerHabilitationFields
from schema.messaging.viewer_fields import ViewerMessagingFields
from schema.tenant.types import Tenant


@strawberry.type(
    description="La personne connectée : son compte, son identité, le portail, les "
    "organisations pour lesquelles elle agit, ses mandats, ses alertes, ses habilitations et "
    "ses applications (cnsa)."
)
class Viewer(
    ViewerHabilitationFields,
    ViewerDelegationFields,
    ViewerCompanyFields,
    ViewerAuditFields,
    ViewerMessagingFields,
    ViewerDossierFields,
):
    account: AccountNode = strawberry.field(description="Son compte.")

    @strawberry.field(
        description="Mon identité ; refusée (mot de passe provisoire à changer…), null avec "
        "l'erreur sur ce champ."
    )
    async def person(self, info: Info) -> PersonNode | None:
        return await self.account.person(info)

    @strawberry.field(description="Le portail.")
    def tenant(self, info: Info) -> Tenant:
        return Tenant(pack=info.context.pack)


def resolve_viewer(info: Info) -> Viewer | None:
    context = info.context
    if context.actor is None or context.viewer_account is None:
        return None
    account = context.viewer_account
    if not allowed(info, Action.VIEW_ACCOUNT, Resource("Account", account.id, account.id)):
        return None
    return Viewer(
        account=AccountNode.from_row(account),
        person_id=account.person_id,
        account_id=account.id,
    )
