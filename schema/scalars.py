"""The custom scalars as the schema declares them: French descriptions and `@specifiedBy`
the specification a client's code generator can map them from (`Date` and `DateTime`:
RFC 3339; `Upload`: the GraphQL multipart request spec). Strawberry keeps its serialisers
and parsers; only what the schema says of them changes. `build_schema` passes
`SCALAR_OVERRIDES`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from strawberry.file_uploads import Upload
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition

from schema.uploads import STRICT_UPLOAD

RFC_3339 = "https://www.rfc-editor.org/rfc/rfc3339"
MULTIPART_SPEC = "https://github.com/jaydenseric/graphql-multipart-request-spec"

DATE = dataclasses.replace(
    DateDefinition,
    description="Une date du calendrier, sans heure : « full-date » de la RFC 3339 "
    "(AAAA-MM-JJ, ex. 2026-03-31). Un jour s'entend à l'heure de Paris.",
    specified_by_url=f"{RFC_3339}#section-5.6",
)
DATE_TIME = dataclasses.replace(
    DateTimeDefinition,
    description="Un instant : « date-time » de la RFC 3339 avec son décalage horaire "
    "(ex. 2026-03-31T08:30:00+00:00).",
    specified_by_url=RFC_3339,
)
UPLOAD = dataclasses.replace(
    STRICT_UPLOAD,
    description="Un fichier, envoyé comme partie d'une requête multipart (jamais comme "
    "chaîne ni valeur JSON).",
    specified_by_url=MULTIPART_SPEC,
)

SCALAR_OVERRIDES: dict[object, Any] = {dt.date: DATE, dt.datetime: DATE_TIME, Upload: UPLOAD}
