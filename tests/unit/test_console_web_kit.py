"""The web kit's pure helpers: paging links, sortable headers, field ids, and dates shown in the person's zone and
language."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mitra_console.http.web.forms import Paging, Sorting, field_id, hidden_csrf
from mitra_console.http.web.state import shared_languages


def test_paging_links_keep_the_filters_and_skip_far_pages() -> None:
    paging = Paging(limit=20, offset=100, path="/tpoa/register", query={"status": "active", "page": "6"})
    links = paging.links(total=500)
    assert links["pages"] == 25
    assert links["first"] == 101
    assert links["last"] == 120
    assert links["previous"] == "/tpoa/register?status=active&page=5"
    assert links["next"] == "/tpoa/register?status=active&page=7"
    numbers = [item.get("number") for item in links["items"]]
    assert numbers == [1, None, 5, 6, 7, None, 25]
    assert [item["number"] for item in links["items"] if item.get("current")] == [6]


def test_one_page_or_none() -> None:
    paging = Paging(limit=20, offset=0, path="/x", query={})
    assert paging.links(0)["pages"] == 1
    assert paging.links(0)["first"] == 0
    assert paging.links(20)["next"] is None
    assert paging.links(21)["next"] == "/x?page=2"


def test_a_sortable_header_toggles_and_goes_back_to_the_first_page() -> None:
    sorting = Sorting(key="title", descending=False, path="/msps", query={"sort": "title", "page": "3", "q": "plan"})
    assert sorting.value == "title"
    title = sorting.header("title")
    assert title["url"] == "/msps?q=plan&sort=-title"
    assert title["aria"] == "ascending"
    other = sorting.header("start_date")
    assert other["url"] == "/msps?q=plan&sort=start_date"
    assert other["aria"] == "none"


def test_field_ids_and_the_csrf_field_are_safe_html() -> None:
    assert field_id("funding_lines.0.amount") == "f-funding_lines-0-amount"
    assert str(hidden_csrf('a"b<')) == '<input type="hidden" name="csrf_token" value="a&#34;b&lt;">'


def render(source: str, language: str, **context: object) -> str:
    return shared_languages().environments[language].from_string(source).render(**context)


def test_moments_show_in_the_persons_zone_and_language() -> None:
    moment = datetime(2026, 12, 3, 7, 20, tzinfo=UTC)
    assert render("{{ m|datetime }}", "id", m=moment, lang="id", time_zone="Asia/Jakarta") == "3 Des 2026 14.20 WIB"
    assert render("{{ m|datetime }}", "en", m=moment, lang="en", time_zone="Asia/Jayapura") == "3 Dec 2026 16.20 WIT"
    assert render("{{ m|datetime }}", "id", m="2026-12-03T07:20:00Z", lang="id", time_zone="Asia/Makassar") == (
        "3 Des 2026 15.20 WITA"
    )
    late = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)  # already the 4th in Jayapura
    assert render("{{ m|date }}", "id", m=late, lang="id", time_zone="Asia/Jayapura") == "4 Des 2026"
    assert render("{{ d|date }}", "en", d=date(2027, 1, 31), lang="en") == "31 Jan 2027"
    assert render("{{ d|date }}", "id", d=None, lang="id") == ""
    assert render("{{ n|number }}", "id", n=1234567.5, lang="id") == "1.234.567,5"
