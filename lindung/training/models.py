"""Training by occupation: programmes run by city offices (OPD), their sessions, who attends and what followed.

A programme targets civil-registry occupation codes (``lindung/registry/data/occupations.csv``) and/or
keywords found in a worker's free-text specialisation. Its ``skill`` label says what is taught; a worker
already enrolled in or finished with a programme of the same skill is not offered another one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.regions.models import Region
from lindung.registry.models import Worker


class TrainingProgramme(models.Model):
    organiser = models.CharField(_("organising office (OPD)"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region served"))
    target_occupations = models.JSONField(_("target occupation codes"), default=list, blank=True)
    target_keywords = models.JSONField(_("specialisation keywords"), default=list, blank=True)
    skill = models.CharField(_("skill taught"), max_length=100)
    #: ``normalise(skill)``: the key for "already trained in the same skill".
    skill_key = models.CharField(max_length=100, db_index=True, editable=False)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    capacity = models.PositiveIntegerField(_("capacity (participants)"))
    cost = models.PositiveBigIntegerField(_("cost (Rp)"), default=0)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="training_programmes", verbose_name=_("trainers")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "title", "pk"]
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    programme = models.ForeignKey(TrainingProgramme, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.topic}"


class Enrolment(models.Model):
    """A worker's place in a programme: invited → enrolled → completed, or dropped on the way."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        DROPPED = "dropped", _("Dropped out")

    programme = models.ForeignKey(TrainingProgramme, on_delete=models.PROTECT, related_name="enrolments")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="training_enrolments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_on = models.DateField(_("invited on"))
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    dropped_on = models.DateField(_("dropped out on"), null=True, blank=True)
    drop_reason = models.CharField(_("reason"), max_length=255, blank=True)
    #: The registry's figures when invited: the baseline when no month-0 follow-up is recorded.
    income_at_invite = models.PositiveIntegerField(null=True, blank=True)
    decile_at_invite = models.PositiveSmallIntegerField(null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=100, blank=True)
    certificate = models.FileField(_("certificate (PDF/image)"), upload_to="training/certificates/", blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["programme", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["programme", "worker"], name="one_enrolment_per_programme")]
        indexes = [models.Index(fields=["worker", "status"], name="enrolment_worker_status")]

    def __str__(self) -> str:
        return f"{self.worker} · {self.programme}"


class Attendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="one_attendance_per_session")]

    def __str__(self) -> str:
        return f"{self.session} · {self.enrolment_id}: {'hadir' if self.present else 'tidak hadir'}"


class Outcome(models.Model):
    """A follow-up: month 0 is the situation before (baseline), then 6 and 12 months after completion."""

    class Month(models.IntegerChoices):
        BEFORE = 0, _("Before (month 0)")
        SIX = 6, _("6 months after")
        TWELVE = 12, _("12 months after")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="outcomes")
    month = models.PositiveSmallIntegerField(_("follow-up"), choices=Month.choices)
    monthly_income = models.PositiveIntegerField(_("monthly income (Rp)"), null=True, blank=True)
    new_job_or_business = models.BooleanField(_("new job or own business"), default=False)
    decile = models.PositiveSmallIntegerField(_("decile at follow-up"), null=True, blank=True)
    recorded_on = models.DateField(_("recorded on"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["enrolment", "month"]
        verbose_name = _("outcome follow-up")
        verbose_name_plural = _("outcome follow-ups")
        constraints = [models.UniqueConstraint(fields=["enrolment", "month"], name="one_outcome_per_month")]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.get_month_display()}"
