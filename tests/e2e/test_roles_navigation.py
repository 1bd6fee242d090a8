"""Each role signs in with a real browser and sees its own navigation."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_users(transactional_db):
    call_command("seed_demo", verbosity=0)


EXPECTED = {
    # username: (entries that must be there, entries that must not)
    "ops": ({"home", "outbox-list"}, {"admin:index"}),
    "warehouse": ({"home"}, {"outbox-list", "admin:index"}),
    "finance": ({"home"}, {"outbox-list", "admin:index"}),
    "finance_manager": ({"home"}, {"outbox-list", "admin:index"}),
    "admin": ({"home", "admin:index", "outbox-list"}, set()),
}


@pytest.mark.parametrize("username", list(EXPECTED))
def test_role_sees_its_navigation(username, demo_users, login, live_server):
    page = login(username, "demo")
    shown = set(page.locator("[data-testid=main-nav] a").evaluate_all("els => els.map(e => e.dataset.nav)"))
    must, must_not = EXPECTED[username]
    assert must <= shown
    assert not (must_not & shown)
    assert page.locator("[data-testid=current-user]").inner_text() == username


def test_ops_sees_chinese_screens_and_can_switch_to_english(demo_users, login, live_server):
    page = login("ops", "demo")  # the demo ops user prefers Simplified Chinese
    assert page.locator("h1").inner_text() == "仪表盘"
    page.select_option("#language-select", "en")
    page.wait_for_function("document.querySelector('h1').innerText === 'Dashboard'")
    assert page.locator("html").get_attribute("lang") == "en"


def test_warehouse_user_is_refused_the_notifications_screen(demo_users, login, live_server):
    page = login("warehouse", "demo")
    response = page.goto(f"{live_server.url}/notifications/")
    assert response.status == 403
