"""Screenshots of the main pages at a laptop's 1366×768 and a phone's 390×844, saved as test
artifacts (tests/artifacts/screenshots/pages-*.png) for a person to look at; each page is also
checked to load without errors and, where its layout promises it, without a sideways scroll."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.web.conftest import screenshot, sign_in
from tests.e2e.web.scenarios import receive

SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
ADMIN_SECTIONS = ("procedures", "calendar", "users", "templates", "incidents", "portal")
# the pages this module holds to the phone's width (the others are listed in the screenshots' review)
FITS_A_PHONE = {"login", "inbox", "dashboard", *(f"admin-{s}" for s in ADMIN_SECTIONS)}


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    expect(page.locator("main").get_by_text("Đang tải").filter(visible=True)).to_have_count(0)


def shoot(page, name: str, size: str) -> None:
    settle(page)
    screenshot(page, f"pages-{name}-{size}")
    assert page.console_errors == []
    if name in FITS_A_PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name


@pytest.mark.parametrize("size", SIZES)
def test_the_officers_pages_are_photographed_at_a_laptops_and_a_phones_width(new_page, web_server, size):
    width, height = SIZES[size]
    code = receive(web_server)
    page = new_page(width=width, height=height)
    page.goto("/app/login")
    shoot(page, "login", size)
    sign_in(page, "desk")
    shoot(page, "inbox", size)
    page.goto("/app/desk")
    shoot(page, "desk", size)
    page.goto(f"/app/dossiers/{code}")
    shoot(page, "dossier", size)


@pytest.mark.parametrize("size", SIZES)
def test_the_administrators_pages_are_photographed_at_a_laptops_and_a_phones_width(new_page, size):
    width, height = SIZES[size]
    page = new_page(width=width, height=height)
    sign_in(page, "admin", then="/app/dashboard")
    shoot(page, "dashboard", size)
    for section in ADMIN_SECTIONS:
        page.goto(f"/app/admin#{section}")
        expect(page.locator(f"#{section}")).to_have_attribute("data-ready", "true")
        shoot(page, f"admin-{section}", size)
    page.goto("/app/designer")
    shoot(page, "designer", size)
