"""The web console: server-rendered pages for people, in Bahasa Indonesia (English one click away), over the four
services' APIs called with the session's token. Each role's pages are a module of their own (`ngo`, `ministry`,
`tpoa`, `region`, `auditor`, `admin`), which may include further routers of its own; `inbox` is every role's."""

from fastapi import APIRouter

from mitra_console.http.web import (
    account,
    admin,
    auditor,
    auth,
    documents,
    home,
    imports,
    inbox,
    ministry,
    ngo,
    region,
    tpoa,
    upload_proxy,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    account.router,
    home.router,
    ngo.router,
    ministry.router,
    tpoa.router,
    region.router,
    auditor.router,
    admin.router,
    inbox.router,
    documents.router,
    upload_proxy.router,
    imports.router,
]
