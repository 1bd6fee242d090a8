"""Change log of manual edits and the timeline it feeds."""

import pytest

from oms.audit import log_changes, snapshot, timeline_for

pytestmark = pytest.mark.django_db


def test_changed_fields_are_logged_with_old_and_new_values(ops_user, admin_user_role):
    before = snapshot(ops_user, ["email", "phone", "language"])
    ops_user.email = "new@example.com"
    ops_user.phone = "13800138000"
    ops_user.save()
    entry = log_changes(instance=ops_user, before=before, by=admin_user_role, note="corrected contact")
    assert entry.changes == {"email": ["", "new@example.com"], "phone": ["", "13800138000"]}
    timeline = timeline_for(ops_user)
    assert [(e.kind, e.by, e.note) for e in timeline] == [("change", "admin", "corrected contact")]


def test_nothing_changed_logs_nothing(ops_user):
    before = snapshot(ops_user, ["email"])
    assert log_changes(instance=ops_user, before=before, by=ops_user) is None
    assert timeline_for(ops_user) == []


def test_an_edit_in_django_admin_is_in_the_change_log(client_for, admin_user_role, ops_user):
    client = client_for(admin_user_role)
    url = f"/admin/oms/user/{ops_user.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in {"groups", "user_permissions"}
    }
    data.update(
        {
            "email": "ops@shop.example",
            "language": "zh-hans",
            "date_joined_0": "2026-11-01",
            "date_joined_1": "09:00:00",
            "groups": [g.pk for g in ops_user.groups.all()],
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = timeline_for(ops_user)[-1]
    assert entry.kind == "change"
    assert entry.by == "admin"
    # Shown by the fields' names and the choices' labels, in the reader's language.
    assert entry.changes["Email address"] == ["", "ops@shop.example"]
    assert entry.changes["Language"] == ["English", "Simplified Chinese"]
