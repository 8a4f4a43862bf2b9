"""``visible_to(user)`` on doctor notes (their author's alone) and follow-ups (the
clinic's for admins, the asking doctor's own)."""

import pytest

from notes.models import DoctorNote, FollowUp
from tests.factories import DoctorNoteFactory, FollowUpFactory
from tests.visibility import BY_DOCTOR, PERSONAS, doctors, seen


@pytest.fixture
def by_name(doctor, other_doctor, other_clinic):
    return doctors(doctor, other_doctor, other_clinic)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_note_is_seen_by_its_author_alone(request, by_name, persona):
    notes = {name: DoctorNoteFactory(doctor=profile) for name, profile in by_name.items()}
    user = request.getfixturevalue(persona)

    expected = {"doctor": {"chens"}, "other_doctor": {"patels"}}.get(persona, set())
    assert seen(notes, DoctorNote.objects.visible_to(user)) == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_doctor_sees_the_follow_ups_they_asked_for(request, by_name, persona):
    follow_ups = {name: FollowUpFactory(doctor=profile) for name, profile in by_name.items()}
    user = request.getfixturevalue(persona)

    expected = BY_DOCTOR[persona] - {"nobodys"}
    assert seen(follow_ups, FollowUp.objects.visible_to(user)) == expected
