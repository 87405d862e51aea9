"""Everything a page module needs, in one import (see /work/notes/web-kit.md):

from mitra_console.http.web.kit import N_, Page, Paging, Sorting, web_allow, web_router
"""

from mitra_console.http.web.api import Answer, ApiClient
from mitra_console.http.web.forms import FormErrors, Paging, ShownError, Sorting, field_id
from mitra_console.http.web.i18n import N_
from mitra_console.http.web.nav import add_nav
from mitra_console.http.web.page import Page, PublicPage, WebPage
from mitra_console.http.web.policy import WEB_PEOPLE, WEB_PUBLIC, web_allow
from mitra_console.http.web.routing import (
    BadRequest,
    NotAllowed,
    PageError,
    PageNotFound,
    ServiceUnavailable,
    web_router,
)
from mitra_console.http.web.together import all_of

__all__ = [
    "N_",
    "WEB_PEOPLE",
    "WEB_PUBLIC",
    "Answer",
    "ApiClient",
    "BadRequest",
    "FormErrors",
    "NotAllowed",
    "Page",
    "PageError",
    "PageNotFound",
    "Paging",
    "PublicPage",
    "ServiceUnavailable",
    "ShownError",
    "Sorting",
    "WebPage",
    "add_nav",
    "all_of",
    "field_id",
    "web_allow",
    "web_router",
]
