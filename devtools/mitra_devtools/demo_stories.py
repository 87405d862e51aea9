"""A good practice of the demo year, published: Plan International's staff draft it (reporting's /stories), Kota
Semarang's office publishes it (not the one who drafted it)."""

from __future__ import annotations

from typing import Any

from mitra_devtools.demo_agreements import ngo, region
from mitra_devtools.demo_http import Demo
from mitra_devtools.demo_registry import REGENCY_CODE, Year
from mitra_shared.clock import add_months

STORY_TITLE = "Sekolah siaga bencana di Kota Semarang (demo)"


def story_body(plan: dict[str, Any], msp: dict[str, Any], year: Year) -> dict[str, Any]:
    return {
        "title": STORY_TITLE,
        "body": "Demo data, not a real account. Under the MSP with Kementerian Sosial, schools in Kota Semarang "
        "practised evacuation drills with the city's disaster office and children's forums.\n\n"
        "The example shows how a good practice is documented per region and shared (Praktik Baik dan Kisah "
        "Sukses).",
        "organization_id": plan["id"],
        "msp_id": msp["id"],
        "region_code": REGENCY_CODE,
        "story_date": add_months(year.msp_starts_on, 8).isoformat(),
        "media": [],
    }


def publish_story(demo: Demo, plan: dict[str, Any], msp: dict[str, Any], year: Year) -> None:
    """The story drafted by the NGO if it is not there, then published by the region if it is not yet."""
    url = f"{demo.urls.reporting}/stories"
    staff = ngo(demo, plan)
    found = demo.get(url, staff, organization_id=plan["id"], limit=100)["items"]
    story = next((s for s in found if s["title"] == STORY_TITLE), None)
    if story is None:
        story = demo.post(url, staff, story_body(plan, msp, year)).json()
        demo.did(f"story drafted by {plan['legal_name']}: {STORY_TITLE}")
    if story["status"] == "published":
        return
    demo.post(
        f"{url}/{story['id']}/publish",
        region(demo, REGENCY_CODE),
        {},
        extra_headers={"If-Match": f'"{story["version"]}"'},
    )
    demo.did(f"story published by Kota Semarang: {STORY_TITLE}")
