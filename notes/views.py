from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from accounts.permissions import ADMIN_OR_DOCTOR, DOCTOR, HasRole
from clinicflow.api import GenericViewSet
from notes import selectors, services
from notes.models import DoctorNote, FollowUp
from notes.serializers import (
    FollowUpInputSerializer,
    FollowUpQuerySerializer,
    FollowUpSerializer,
    FollowUpUpdateInputSerializer,
    NoteInputSerializer,
    NoteSerializer,
    NoteUpdateInputSerializer,
)
from patients.selectors import patient_list


class NoteViewSet(GenericViewSet):
    """A doctor's private notes. Only the doctor who wrote a note ever sees it:
    another doctor gets 404, admins and owners 403."""

    queryset = DoctorNote.objects.none()  # the model, for the schema
    serializer_class = NoteSerializer
    permission_classes = [HasRole]
    allowed_roles = DOCTOR

    def get_queryset(self):
        return selectors.note_list(user=self.request.user)

    @extend_schema(request=NoteInputSerializer, responses={201: NoteSerializer})
    def create(self, request):
        data = NoteInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        note = services.note_create(doctor=request.user.doctor, **data.validated_data)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteUpdateInputSerializer, responses={200: NoteSerializer})
    def update(self, request, pk=None):
        """Partial: content and/or the linked visit."""
        note = self.get_object()
        data = NoteUpdateInputSerializer(data=request.data, partial=True, user=request.user)
        data.is_valid(raise_exception=True)
        note = services.note_update(note=note, data=data.validated_data)
        return Response(NoteSerializer(note).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.note_delete(note=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PatientNotesView(mixins.ListModelMixin, GenericViewSet):
    """``GET /api/doctor-notes/patient/<id>``: the calling doctor's notes on a patient
    they see (any other patient is 404)."""

    queryset = DoctorNote.objects.none()
    serializer_class = NoteSerializer
    permission_classes = [HasRole]
    allowed_roles = DOCTOR

    def get_queryset(self):
        patient = get_object_or_404(
            patient_list(user=self.request.user), pk=self.kwargs["patient_id"]
        )
        return selectors.note_list(user=self.request.user, patient_id=patient.pk)


class FollowUpViewSet(mixins.ListModelMixin, GenericViewSet):
    """Follow-ups: doctors ask for them and manage their own; the front desk sees the
    clinic's (pending by default) and marks them scheduled."""

    queryset = FollowUp.objects.none()  # the model, for the schema
    serializer_class = FollowUpSerializer
    permission_classes = [HasRole]
    allowed_roles = {
        "list": ADMIN_OR_DOCTOR,
        "update": ADMIN_OR_DOCTOR,
        "create": DOCTOR,
        "destroy": DOCTOR,
    }
    error_statuses = ("409",)
    query_serializer_class = {"list": FollowUpQuerySerializer}

    def get_queryset(self):
        if self.action != "list":
            return selectors.follow_up_list(user=self.request.user)
        values = self.query
        return selectors.follow_up_worklist(
            user=self.request.user,
            statuses=values.get("status"),
            doctor_id=values.get("doctor_id"),
            patient_id=values.get("patient_id"),
            due_from=values.get("due_from"),
            due_to=values.get("due_to"),
        )

    def _fresh(self, follow_up):
        return FollowUpSerializer(self.get_queryset().get(pk=follow_up.pk)).data

    @extend_schema(request=FollowUpInputSerializer, responses={201: FollowUpSerializer})
    def create(self, request):
        data = FollowUpInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_create(
            by=request.user, doctor=request.user.doctor, **data.validated_data
        )
        return Response(self._fresh(follow_up), status=status.HTTP_201_CREATED)

    @extend_schema(request=FollowUpUpdateInputSerializer, responses={200: FollowUpSerializer})
    def update(self, request, pk=None):
        """Partial. Doctors: date, note, status of their own. Admins: status ``scheduled``."""
        follow_up = self.get_object()
        data = FollowUpUpdateInputSerializer(data=request.data, partial=True, user=request.user)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_update(
            follow_up=follow_up, by=request.user, data=data.validated_data
        )
        return Response(self._fresh(follow_up))

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Cancels the follow-up; the row stays, with status ``cancelled``."""
        services.follow_up_cancel(follow_up=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
