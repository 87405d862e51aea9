"""Agreements' HTTP API: one router per aggregate, thin handlers that call the use cases."""

from mitra_agreements.http import (
    documents,
    imports,
    monitoring,
    msps,
    obligations,
    organizations,
    recommendations,
    reviews,
    visits,
)

ROUTERS = (
    organizations.router,
    msps.router,
    reviews.router,
    obligations.router,
    visits.router,
    recommendations.router,
    monitoring.router,
    documents.router,
    documents.public_router,
    imports.router,
)
