"""A record of each `lindung synth` run: what scope it filled, with which seed, and what it created."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SynthRun(models.Model):
    scope = models.CharField(_("region"), max_length=20, blank=True)  # "" = the whole country
    excluded = models.JSONField(_("villages left out"), default=list, blank=True)
    seed = models.BigIntegerField(_("seed"))
    profile = models.CharField(_("profile"), max_length=10)
    months = models.PositiveSmallIntegerField(_("months"))
    per_village = models.PositiveIntegerField(_("members per village"))
    candidates_factor = models.FloatField(_("candidates factor"))
    as_of = models.DateField(_("as of"))
    counts = models.JSONField(_("rows created"), default=dict)
    checksum = models.CharField(_("checksum"), max_length=64, blank=True)
    finished = models.BooleanField(_("finished"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("synthetic data run")
        verbose_name_plural = _("synthetic data runs")

    def __str__(self) -> str:
        return f"synth {self.scope or 'ID'} seed {self.seed}"
