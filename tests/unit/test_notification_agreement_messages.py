from datetime import date

from mitra_notifications.domain import agreement_texts as texts


def test_an_overdue_work_plan_names_the_region_and_the_holiday() -> None:
    facts = texts.ObligationFacts(
        kind="work_plan",
        organization_name="CARE International",
        period="2027",
        due_on=date(2027, 3, 31),
        region_code="3374",
        days_overdue=2,
        holiday="Hari Raya Nyepi",
    )
    indonesian = texts.obligation(facts, True, "id")
    assert indonesian.subject == "Terlambat: Rencana Kerja Tahunan (RKT) 2027 CARE International (3374)"
    assert "2 hari terlambat" in indonesian.text
    assert "hari libur: Hari Raya Nyepi" in indonesian.text
    english = texts.obligation(facts, True, "en")
    assert english.subject == "Overdue: CARE International's annual work plan (RKT) 2027 (3374)"


def test_a_due_report_on_a_weekend_says_so() -> None:
    facts = texts.ObligationFacts(
        kind="semester_report",
        organization_name="SNV",
        period="2027-S1",
        due_on=date(2027, 7, 31),
        days_left=7,
        weekend=True,
    )
    message = texts.obligation(facts, False, "en")
    assert message.subject == "Due 31 July 2027: SNV's semester report 2027-S1"
    assert "7 days left" in message.text
    assert "weekend" in message.text


def test_msp_and_visit_texts() -> None:
    msp = texts.MspFacts(
        number="MSP-1/2026",
        organization_name="Plan International",
        ministry_name="Kementerian Sosial",
        starts_on=date(2026, 12, 1),
        ends_on=date(2029, 11, 30),
        region_names=("Kota Semarang",),
        days_before=90,
    )
    assert (
        texts.msp_signed(msp, "id").subject == "MSP MSP-1/2026 ditandatangani: Plan International – Kementerian Sosial"
    )
    assert "Lokasi kerja: Kota Semarang" in texts.msp_signed(msp, "id").text
    assert texts.msp_expiring(msp, "en").subject == "MSP MSP-1/2026 ends in 90 days"
    visit = texts.VisitFacts(
        organization_name="OISCA",
        visitors=("Taro Yamada (JP)",),
        purpose="Field visit",
        arrives_on=date(2027, 1, 4),
        departs_on=date(2027, 1, 6),
        region_codes=("3374",),
        late=True,
        reason=None,
    )
    message = texts.visit(visit, "announced", "en")
    assert message.subject == "Foreign guests' visit announced: OISCA, 4 January 2027 – 6 January 2027"
    assert "announced later than the required notice" in message.text
