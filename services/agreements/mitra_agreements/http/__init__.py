"""Agreements' HTTP API: one router per aggregate, thin handlers that call the use cases."""

from mitra_agreements.http import documents, msps, obligations, organizations, recommendations, visits

ROUTERS = (
    organizations.router,
    msps.router,
    obligations.router,
    visits.router,
    recommendations.router,
    documents.router,
    documents.public_router,
)
