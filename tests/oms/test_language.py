"""Per-user language: the choice is stored on the user and the screens follow it."""

import pytest
from django.urls import reverse

from oms.models import ChangeLog

pytestmark = pytest.mark.django_db


def test_switching_language_is_stored_and_logged(client_for, ops_user):
    client = client_for(ops_user)
    response = client.post(reverse("set-language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    ops_user.refresh_from_db()
    assert ops_user.language == "zh-hans"
    entry = ChangeLog.objects.get(object_id=ops_user.pk)
    assert entry.changes == {"language": ["en", "zh-hans"]}
    page = client.get(reverse("home")).content.decode()
    assert "仪表盘" in page
    assert 'lang="zh-hans"' in page


def test_unknown_language_is_refused_and_nothing_changes(client_for, ops_user):
    client = client_for(ops_user)
    response = client.post(reverse("set-language"), {"language": "xx", "next": "/"}, follow=True)
    assert "Unknown language" in response.content.decode()
    ops_user.refresh_from_db()
    assert ops_user.language == "en"
    assert not ChangeLog.objects.exists()


def test_next_url_to_another_host_is_ignored(client_for, ops_user):
    response = client_for(ops_user).post(
        reverse("set-language"), {"language": "en", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/"
