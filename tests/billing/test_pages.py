"""The fees pages: station staff set prices, issue a month, record payments and corrections and
grant subsidies; a family reads and downloads its statements; nobody else sees them (404)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from billing.models import Adjustment, Payment, PriceList, Statement, SubsidyCategory, SubsidyGrant
from tests.billing.factories import enrol
from tests.childcare.factories import child_of, login

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def december():
    """3 December 2026, 07:00 Beijing time (still 2 December in UTC)."""
    with time_machine.travel(datetime.datetime(2026, 12, 3, 7, 0, tzinfo=BEIJING)):
        yield


@pytest.fixture
def enrolled_child(parent, community, station, station_staff):
    child = child_of(parent, community)
    enrol(
        child,
        station,
        station_staff,
        datetime.date(2026, 10, 1),
        datetime.datetime(2026, 10, 1, 9, 0, tzinfo=BEIJING),
    )
    return child


def price_form(**overrides: str) -> dict:
    data = {
        "valid_from": "2026-11",
        "monthly_price": "1100.00",
        "inclusive_ceiling": "1200.00",
        "half_day_price": "40",
        "drop_in_price": "25",
        "absence_free_days": "3",
    }
    return data | overrides


@pytest.mark.django_db
def test_staff_set_prices_issue_a_month_and_record_a_payment(
    client, station, station_staff, enrolled_child
):
    every = SubsidyCategory.objects.create(code="all", name="普惠补贴", for_every_child=True)
    login(client, station_staff)
    url = f"/fees/stations/{station.pk}/"

    refused = client.post(
        f"{url}prices/", price_form(monthly_price="1300.00", **{f"subsidy_{every.pk}": "300"})
    )
    assert refused.status_code == 200
    assert "1300.00" in refused.content.decode()  # the reason names the price and the ceiling
    assert not PriceList.objects.exists()

    saved = client.post(f"{url}prices/", price_form(**{f"subsidy_{every.pk}": "300"}))
    assert saved.status_code == 302
    assert PriceList.objects.get().subsidies.get().monthly_amount == Decimal("300.00")

    # The current month cannot be issued; November can, once.
    client.post(f"{url}issue/?month=2026-12")
    assert not Statement.objects.filter(month=datetime.date(2026, 12, 1)).exists()
    client.post(f"{url}issue/?month=2026-11")
    client.post(f"{url}issue/?month=2026-11")
    statement = Statement.objects.get()
    assert statement.total == Decimal("800.00")  # 1,100 − 300, November held in full
    page = client.get(f"{url}?month=2026-11").content.decode()
    assert enrolled_child.name in page and "800.00" in page

    too_much = client.post(
        f"/fees/statements/{statement.pk}/payment/",
        {"amount": "900", "method": "cash", "paid_on": "2026-12-02"},
    )
    assert too_much.status_code == 200 and not Payment.objects.exists()
    no_reference = client.post(
        f"/fees/statements/{statement.pk}/payment/",
        {"amount": "500", "method": "wechat", "paid_on": "2026-12-02"},
    )
    assert no_reference.status_code == 200 and not Payment.objects.exists()
    paid = client.post(
        f"/fees/statements/{statement.pk}/payment/",
        {"amount": "500", "method": "wechat", "paid_on": "2026-12-02", "reference": "4200001"},
    )
    assert paid.status_code == 302
    balance = Statement.objects.with_paid().get().balance
    assert balance == Decimal("300.00")


@pytest.mark.django_db
def test_staff_record_a_correction_and_a_grant(client, station, station_staff, enrolled_child):
    category = SubsidyCategory.objects.create(code="low", name="低收入家庭补贴")
    login(client, station_staff)
    url = f"/fees/stations/{station.pk}/"
    blank = client.post(
        f"{url}corrections/", {"child": enrolled_child.pk, "amount": "-40", "reason": " "}
    )
    assert blank.status_code == 200 and not Adjustment.objects.exists()
    client.post(
        f"{url}corrections/", {"child": enrolled_child.pk, "amount": "-40", "reason": "多收一次"}
    )
    assert Adjustment.objects.get().amount == Decimal("-40.00")
    client.post(
        f"{url}grants/",
        {"child": enrolled_child.pk, "category": category.pk, "valid_from": "2026-12-01"},
    )
    assert SubsidyGrant.objects.get().category == category
    page = client.get(url).content.decode()
    assert "多收一次" in page and "低收入家庭补贴" in page


@pytest.mark.django_db
def test_a_bad_month_is_a_message_not_an_error(client, station, station_staff):
    login(client, station_staff)
    response = client.get(f"/fees/stations/{station.pk}/?month=2026-13")
    assert response.status_code == 200
    assert "2026-13" in response.content.decode()


@pytest.fixture
def issued(station, station_staff, enrolled_child):
    from billing.services import price_list_save, statements_issue_for_month

    price_list_save(
        station=station,
        valid_from=datetime.date(2026, 11, 1),
        monthly_price=Decimal("1000"),
        inclusive_ceiling=Decimal("1200"),
        by=station_staff,
    )
    (statement,) = statements_issue_for_month(month=datetime.date(2026, 11, 1))
    return statement


@pytest.mark.django_db
def test_the_family_downloads_its_statement_and_nobody_else_can(
    client, issued, parent, other_parent, other_station_staff, official
):
    login(client, parent)
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "1,000.00" in page
    assert "record-payment" not in page  # a family does not record payments
    pdf = client.get(f"/fees/statements/{issued.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5000
    assert client.get(f"/fees/stations/{issued.station_id}/").status_code == 404

    for outsider in (other_parent, other_station_staff, official):
        client.logout()
        login(client, outsider)
        assert client.get(issued.get_absolute_url()).status_code == 404
        assert client.get(f"/fees/statements/{issued.pk}/pdf/").status_code == 404
        assert client.get(f"/fees/stations/{issued.station_id}/").status_code == 404
        response = client.post(
            f"/fees/statements/{issued.pk}/payment/",
            {"amount": "10", "method": "cash", "paid_on": "2026-12-02"},
        )
        assert response.status_code == 404
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_the_navigation_leads_parents_and_staff_to_the_fees(client, parent, station_staff):
    login(client, parent)
    assert 'href="/fees/"' in client.get("/fees/").content.decode()
    client.logout()
    login(client, station_staff)
    assert client.get("/fees/stations/").status_code == 302
    assert 'href="/fees/stations/"' in client.get("/fees/").content.decode()
