import pytest
from pydantic import ValidationError

from mitra_registry.domain.organizations import RegisterOrganization, unknown_focus_areas


def test_a_registration_is_normalised() -> None:
    command = RegisterOrganization(
        legal_name="  Plan International ", country_of_origin="gb", focus_areas=["Child_Welfare", "child_welfare"]
    )
    assert command.legal_name == "Plan International"
    assert command.country_of_origin == "GB"
    assert command.focus_areas == ["child_welfare"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"legal_name": "P", "country_of_origin": "GB"}, "legal_name"),
        ({"legal_name": "Plan", "country_of_origin": "GBR"}, "country_of_origin"),
        ({"legal_name": "Plan", "country_of_origin": "G1"}, "country_of_origin"),
        ({"legal_name": "Plan", "country_of_origin": "ID"}, "country_of_origin"),
        ({"legal_name": "Plan", "country_of_origin": "GB", "contact_email": "not-an-address"}, "contact_email"),
        ({"legal_name": "Plan", "country_of_origin": "GB", "website": "plan"}, "website"),
        ({"legal_name": "Plan", "country_of_origin": "GB", "surprise": 1}, "surprise"),
    ],
)
def test_invalid_registrations_name_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RegisterOrganization.model_validate(fields)
    assert [error["loc"][0] for error in caught.value.errors()] == [field]


def test_unknown_focus_areas_are_reported_in_order() -> None:
    assert unknown_focus_areas(["poverty", "astrology", "hiv_aids", "tarot"], {"poverty", "hiv_aids"}) == [
        "astrology",
        "tarot",
    ]
